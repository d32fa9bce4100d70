// Log audit (admin, auditor): the tamper-evident log with filters (who, what, when, which person),
// pages of older entries, each person change's before and after side by side (read from the
// person's versions), and the state of the hash chain checked on the server
// (GET /api/v1/audit/verify, the check of `kapal audit verify`).
import { api, ApiError, type AuditEntry, type PersonVersion } from '../api';
import { h, replace, uid } from '../dom';
import { formatInstant, formatNumber, t } from '../i18n';

/// Actions an auditor filters by most (the field also takes any other).
const kActions = [
  'person.create',
  'person.update',
  'person.unmask',
  'person.import',
  'card.issue',
  'card.revoke',
  'user.create',
  'user.update',
  'session.create',
];

/// Fields of a version that are bookkeeping, not content.
const kMeta = new Set([
  'id',
  'version',
  'created_at',
  'updated_at',
  'created_by',
  'updated_by',
  'change_reason',
  'change_source',
]);

/// "address.kelurahan_code" → value, for every leaf of a version's content.
export function flatten(value: unknown, prefix = '', out = new Map<string, string>()) {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (prefix === '' && kMeta.has(k)) {
        continue;
      }
      flatten(v, prefix ? `${prefix}.${k}` : k, out);
    }
  } else if (prefix !== '') {
    out.set(
      prefix,
      value === null || value === undefined
        ? ''
        : Array.isArray(value)
          ? value.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(', ')
          : String(value),
    );
  }
  return out;
}

/// The fields that differ between two versions (before may be null: a creation).
export function differences(
  before: unknown,
  after: unknown,
): { field: string; before: string; after: string }[] {
  const a = before ? flatten(before) : new Map<string, string>();
  const b = flatten(after);
  const fields = [...new Set([...a.keys(), ...b.keys()])].sort();
  return fields
    .filter((f) => (a.get(f) ?? '') !== (b.get(f) ?? ''))
    .map((f) => ({ field: f, before: a.get(f) ?? '', after: b.get(f) ?? '' }));
}

/// A date input (YYYY-MM-DD, a day in WITA) as the UTC instant its day starts (or ends).
export function witaDayStart(day: string, next = false): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) {
    return undefined;
  }
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + (next ? 1 : 0)) - 8 * 3600e3;
  return new Date(ms).toISOString();
}

export function auditPage(root: HTMLElement): () => void {
  let disposed = false;
  const params = new URLSearchParams(location.search);
  const chain = h('section', {
    class: 'panel',
    id: 'audit-chain',
    'aria-labelledby': 'audit-chain-heading',
    'aria-live': 'polite',
  });
  const alert = h('div', { class: 'alert', role: 'alert', id: 'audit-alert', tabindex: '-1' });
  const status = h('div', { class: 'notice', role: 'status', id: 'audit-status' });
  const tableBox = h('div', { id: 'audit-results' });
  const more = h('div', { class: 'form-actions' });

  const field = (name: string, label: string, attrs: Record<string, string> = {}) => {
    const id = `audit-${name}`;
    const input = h('input', { id, name, value: params.get(name) ?? '', ...attrs });
    return { input, box: h('div', { class: 'field' }, h('label', { for: id }, label), input) };
  };
  const actor = field('actor', t('audit.filter.actor'), { autocomplete: 'off' });
  const listId = uid('actions');
  const action = field('action', t('audit.filter.action'), { list: listId, autocomplete: 'off' });
  const from = field('from', t('audit.filter.from'), { type: 'date' });
  const to = field('to', t('audit.filter.to'), { type: 'date' });
  const subject = field('subject', t('audit.filter.subject'), { autocomplete: 'off' });

  function failed(e: unknown): void {
    if (disposed || (e instanceof ApiError && e.status === 401)) {
      return;
    }
    alert.textContent =
      e instanceof ApiError && e.network
        ? t('app.error.network')
        : t('audit.error', {
            title:
              e instanceof ApiError
                ? [e.title, ...e.fields.map((f) => `${f.field}: ${f.message}`)].join(' — ')
                : String(e),
          });
    alert.focus();
  }

  async function verify(): Promise<void> {
    replace(
      chain,
      h('h2', { id: 'audit-chain-heading' }, t('audit.chain.heading')),
      h('p', { 'aria-busy': 'true' }, t('audit.chain.checking')),
    );
    try {
      const v = await api.verifyAudit();
      if (disposed) {
        return;
      }
      replace(
        chain,
        h('h2', { id: 'audit-chain-heading' }, t('audit.chain.heading')),
        h(
          'p',
          { class: v.intact ? 'chain-ok' : 'chain-bad', id: 'audit-chain-state' },
          v.intact
            ? t('audit.chain.intact', {
                entries: formatNumber(v.entries),
                checkpoints: formatNumber(v.checkpoints_checked),
              })
            : t('audit.chain.broken', { count: formatNumber(v.findings.length) }),
        ),
        v.findings.length > 0 &&
          h(
            'ul',
            { id: 'audit-findings' },
            v.findings.map((f) => h('li', null, t('audit.chain.finding', f))),
          ),
        h(
          'p',
          { class: 'hint' },
          t('audit.chain.checked_at', { at: formatInstant(v.checked_at) }),
          ' ',
          h(
            'button',
            { type: 'button', class: 'secondary', onclick: () => void verify() },
            t('audit.chain.again'),
          ),
        ),
      );
    } catch (e) {
      failed(e);
    }
  }

  function query(before?: number): Record<string, string | number | undefined> {
    return {
      actor: actor.input.value.trim() || undefined,
      action: action.input.value.trim() || undefined,
      subject: subject.input.value.trim() || undefined,
      from: witaDayStart(from.input.value),
      to: witaDayStart(to.input.value, true),
      before,
      limit: 50,
    };
  }

  async function showChanges(entry: AuditEntry, cell: HTMLElement, button: HTMLElement) {
    button.setAttribute('aria-busy', 'true');
    try {
      const { items } = await api.versions(entry.subject);
      const at = new Date(entry.at).getTime();
      const index = items.findIndex((v) => new Date(v.updated_at).getTime() === at);
      if (disposed) {
        return;
      }
      if (index < 0) {
        replace(cell, h('p', null, t('audit.changes.none')));
        return;
      }
      const before: PersonVersion | null = index > 0 ? items[index - 1] : null;
      const rows = differences(before, items[index]);
      replace(
        cell,
        h(
          'table',
          { class: 'data-table audit-diff' },
          h('caption', null, t('audit.changes.caption', { version: items[index].version })),
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              h('th', { scope: 'col' }, t('audit.changes.field')),
              h('th', { scope: 'col' }, t('audit.changes.before')),
              h('th', { scope: 'col' }, t('audit.changes.after')),
            ),
          ),
          h(
            'tbody',
            null,
            rows.map((r) =>
              h(
                'tr',
                null,
                h('th', { scope: 'row' }, r.field),
                h('td', { 'data-label': t('audit.changes.before') }, r.before || '—'),
                h('td', { 'data-label': t('audit.changes.after') }, r.after || '—'),
              ),
            ),
          ),
        ),
      );
    } catch (e) {
      failed(e);
    } finally {
      button.removeAttribute('aria-busy');
    }
  }

  function row(e: AuditEntry): HTMLElement[] {
    const isPerson = e.action === 'person.create' || e.action === 'person.update';
    const changes = h('td', { colspan: '6', class: 'audit-changes' });
    const changesRow = h('tr', { hidden: true }, changes);
    const button = h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        'aria-expanded': 'false',
        onclick: () => {
          const open = changesRow.hidden;
          changesRow.hidden = !open;
          button.setAttribute('aria-expanded', String(open));
          if (open && !changes.firstChild) {
            void showChanges(e, changes, button);
          }
        },
      },
      t('audit.changes.show'),
    );
    return [
      h(
        'tr',
        { 'data-seq': e.seq },
        h('td', { 'data-label': t('audit.col.seq') }, e.seq),
        h('td', { 'data-label': t('audit.col.at') }, formatInstant(e.at)),
        h(
          'td',
          { 'data-label': t('audit.col.actor') },
          e.actor,
          h('br'),
          h('small', null, e.source),
        ),
        h('td', { 'data-label': t('audit.col.action') }, h('code', null, e.action)),
        h(
          'td',
          { 'data-label': t('audit.col.subject') },
          isPerson && e.subject ? h('a', { href: `/orang/${e.subject}` }, e.subject) : e.subject,
        ),
        h('td', { 'data-label': t('audit.col.detail') }, e.detail, isPerson && e.subject && button),
      ),
      changesRow,
    ];
  }

  // Each load has a number; an answer that comes back after a newer load started (the first
  // page still on its way when a filter is applied) is dropped, never shown over the newer one.
  let loads = 0;
  async function load(before?: number): Promise<void> {
    const mine = ++loads;
    alert.textContent = '';
    tableBox.setAttribute('aria-busy', 'true');
    try {
      const page = await api.audit(query(before));
      if (disposed || mine !== loads) {
        return;
      }
      tableBox.removeAttribute('aria-busy');
      status.textContent =
        page.items.length === 0 ? t('audit.empty') : t('audit.count', { count: page.items.length });
      replace(
        tableBox,
        page.items.length > 0 &&
          h(
            'div',
            { class: 'table-scroll' },
            h(
              'table',
              { class: 'data-table', id: 'audit-table' },
              h('caption', null, t('audit.table.caption')),
              h(
                'thead',
                null,
                h(
                  'tr',
                  null,
                  h('th', { scope: 'col' }, t('audit.col.seq')),
                  h('th', { scope: 'col' }, t('audit.col.at')),
                  h('th', { scope: 'col' }, t('audit.col.actor')),
                  h('th', { scope: 'col' }, t('audit.col.action')),
                  h('th', { scope: 'col' }, t('audit.col.subject')),
                  h('th', { scope: 'col' }, t('audit.col.detail')),
                ),
              ),
              h('tbody', null, page.items.map(row)),
            ),
          ),
      );
      replace(
        more,
        before !== undefined &&
          h(
            'button',
            { type: 'button', class: 'secondary', onclick: () => void load() },
            t('audit.newest'),
          ),
        page.next_before !== null &&
          h(
            'button',
            {
              type: 'button',
              class: 'secondary',
              id: 'audit-older',
              onclick: () => void load(page.next_before ?? undefined),
            },
            t('audit.older'),
          ),
      );
    } catch (e) {
      if (mine !== loads) {
        return;
      }
      tableBox.removeAttribute('aria-busy');
      failed(e);
    }
  }

  const form = h(
    'form',
    {
      class: 'panel filters',
      id: 'audit-filters',
      'aria-label': t('audit.filter.label'),
      onsubmit: (ev: Event) => {
        ev.preventDefault();
        const next = new URLSearchParams();
        for (const f of [actor, action, from, to, subject]) {
          if (f.input.value.trim()) {
            next.set(f.input.name, f.input.value.trim());
          }
        }
        const search = next.toString();
        history.replaceState(history.state, '', search ? `?${search}` : location.pathname);
        void load();
      },
    },
    h(
      'datalist',
      { id: listId },
      kActions.map((a) => h('option', { value: a })),
    ),
    h('div', { class: 'form-row' }, actor.box, action.box),
    h('div', { class: 'form-row' }, from.box, to.box),
    subject.box,
    h(
      'div',
      { class: 'form-actions' },
      h('button', { type: 'submit', class: 'primary' }, t('audit.filter.apply')),
    ),
  );

  replace(
    root,
    h('h1', null, t('audit.title')),
    h('p', null, t('audit.intro')),
    alert,
    chain,
    form,
    status,
    tableBox,
    more,
  );
  void verify();
  void load();
  return () => {
    disposed = true;
  };
}
