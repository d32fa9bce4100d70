// Konflik (/konflik, /konflik/ID): the edits from offline devices the server kept as conflicts
// (docs/sync.md "Merging edits, and conflicts"). The list of open conflicts (admin: all;
// operator: their areas, read only), and one conflict with, per field, the version the device
// started from, the server's version now and the device's, side by side; the admin chooses one
// per field with a radio (keyboard: arrows in each row's group) and gives a reason.
import { api, ApiError, request } from '../api';
import { localPerson } from '../offline/device';
import { h, replace, uid } from '../dom';
import { formatInstant, t, tCode, type StringKey } from '../i18n';
import { navigate, type RouteContext } from '../router';
import { session } from '../session';
import { errorText } from './person_card';

/// One conflict as the list shows it (fields the server may name differently are read
/// leniently: the list's shape is not fixed by docs/sync.md).
export interface ConflictSummary {
  id: string;
  person_id: string;
  name: string;
  fields: string[];
  at: string;
  by: string;
}

export interface ConflictField {
  field: string;
  base: unknown;
  theirs: unknown;
  mine: unknown;
}

export interface ConflictDetail extends ConflictSummary {
  /// The person's current version, sent back with the resolution.
  version: number;
  rows: ConflictField[];
  status: string;
  /// A photo op's photo (base64), to see what the device sent.
  photo?: { media_type: string; data: string };
  /// A resolved conflict: the side chosen per field and the reason.
  decision?: { choose: Record<string, string>; reason: string };
  decided_by?: string;
  decided_at?: string;
}

type Raw = Record<string, unknown>;

function str(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

export function readSummary(r: Raw): ConflictSummary {
  const person = (r.person ?? {}) as Raw;
  const fields = Array.isArray(r.fields)
    ? (r.fields as unknown[]).map((f) => (typeof f === 'string' ? f : str((f as Raw).field)))
    : r.fields && typeof r.fields === 'object'
      ? Object.keys(r.fields as Raw)
      : [];
  return {
    id: str(r.id),
    person_id: str(r.person_id ?? person.id),
    name: str(r.person_name ?? r.full_name ?? person.full_name ?? r.name) || str(r.person_id),
    fields,
    at: str(r.at ?? r.received_at ?? r.created_at),
    by: str(r.actor ?? r.user ?? r.username ?? r.created_by),
  };
}

/// A conflict's fields, whether the server lists them ([{field, base, theirs, mine}]) or maps
/// them ({field: {base, theirs, mine}}).
export function readDetail(r: Raw): ConflictDetail {
  const rows: ConflictField[] = [];
  if (Array.isArray(r.fields)) {
    for (const f of r.fields as Raw[]) {
      if (f && typeof f === 'object') {
        rows.push({ field: str(f.field ?? f.name), base: f.base, theirs: f.theirs, mine: f.mine });
      }
    }
  } else if (r.fields && typeof r.fields === 'object') {
    for (const [field, v] of Object.entries(r.fields as Record<string, Raw>)) {
      rows.push({ field, base: v?.base, theirs: v?.theirs, mine: v?.mine });
    }
  }
  const versions = r as { version?: number; current_version?: number; theirs_version?: number };
  return {
    ...readSummary({ ...r, fields: rows.map((x) => x.field) }),
    version: Number(versions.version ?? versions.current_version ?? versions.theirs_version ?? 0),
    rows,
    // The server says "conflict" (open) or "resolved" in `state`.
    status: str(r.state ?? r.status) === 'resolved' ? 'resolved' : 'open',
    ...photoOf(r.photo),
    ...decisionOf(r.decision),
    ...(str(r.decided_by) ? { decided_by: str(r.decided_by) } : {}),
    ...(str(r.decided_at) ? { decided_at: str(r.decided_at) } : {}),
  };
}

function photoOf(v: unknown): Pick<ConflictDetail, 'photo'> {
  const p = (v ?? {}) as Raw;
  const type = str(p.media_type);
  const data = str(p.data);
  // Only the two types the server takes, and base64 only: the data goes into an img's src.
  if ((type === 'image/jpeg' || type === 'image/png') && /^[A-Za-z0-9+/=]+$/.test(data)) {
    return { photo: { media_type: type, data } };
  }
  return {};
}

function decisionOf(v: unknown): Pick<ConflictDetail, 'decision'> {
  if (!v || typeof v !== 'object') {
    return {};
  }
  const d = v as Raw;
  const choose: Record<string, string> = {};
  if (d.choose && typeof d.choose === 'object') {
    for (const [k, x] of Object.entries(d.choose as Raw)) {
      choose[k] = str(x);
    }
  }
  return { decision: { choose, reason: str(d.reason) } };
}

const fieldKeys: Record<string, StringKey> = {
  address: 'form.section.address',
  home: 'form.home.map',
  photo_id: 'form.section.photo',
  assistive_devices: 'form.devices',
  disability_subtype: 'form.subtype',
  wgss: 'form.section.wgss',
  caregiver: 'form.section.caregiver',
  account: 'form.section.aid',
  consent: 'form.section.consent',
};

/// A person's field (as the API names it) in words.
export function fieldLabel(field: string): string {
  return fieldKeys[field] ? t(fieldKeys[field]) : tCode('form', field);
}

/// A field's value in words: lists joined, objects as "key: value" pairs, empty said so.
export function valueText(v: unknown): string {
  if (v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) {
    return t('conflict.empty');
  }
  if (typeof v === 'boolean') {
    return v ? t('person.yes') : t('person.no');
  }
  if (Array.isArray(v)) {
    return v.map((x) => valueText(x)).join(', ');
  }
  if (typeof v === 'object') {
    return Object.entries(v as Raw)
      .filter(([, x]) => x !== null && x !== undefined && x !== '')
      .map(([k, x]) => `${k}: ${valueText(x)}`)
      .join('; ');
  }
  return String(v);
}

/// The conflicts with their persons' names (the list names only the id): from the server, or the
/// device's copy, or the id itself.
async function withNames(items: ConflictSummary[]): Promise<ConflictSummary[]> {
  const names = new Map<string, string>();
  await Promise.all(
    [...new Set(items.map((c) => c.person_id))].slice(0, 100).map(async (id) => {
      const p = await api.person(id).catch(() => localPerson(id).catch(() => null));
      if (p) {
        names.set(id, p.full_name);
      }
    }),
  );
  return items.map((c) => ({ ...c, name: names.get(c.person_id) ?? c.name }));
}

/// The photo the device sent, as an image with its alternative text.
function devicePhoto(c: ConflictDetail): HTMLElement {
  return h('img', {
    class: 'conflict-photo',
    src: `data:${c.photo!.media_type};base64,${c.photo!.data}`,
    alt: t('conflict.photo_alt', { name: c.name }),
    width: 160,
  });
}

export function conflictsPage(root: HTMLElement): () => void {
  let disposed = false;
  const body = h('div', { 'aria-busy': 'true' }, t('app.loading'));
  replace(
    root,
    h(
      'div',
      { class: 'page conflicts-page' },
      h('h1', null, t('conflict.title')),
      h('p', null, t('conflict.intro')),
      session()?.user.role !== 'admin' && h('p', { class: 'hint' }, t('conflict.read_only')),
      body,
    ),
  );
  let shown: ConflictSummary[] = [];
  let cursor: string | null = null;
  const more = h(
    'button',
    { type: 'button', class: 'button secondary', id: 'conflicts-more' },
    t('conflict.more'),
  );
  more.addEventListener('click', () => {
    more.disabled = true;
    void page(cursor);
  });
  const page = (from: string | null): Promise<void> =>
    request<{ items?: Raw[]; next_cursor?: string | null } | Raw[]>(
      'GET',
      '/api/v1/sync/conflicts',
      { query: { status: 'open', cursor: from } },
    )
      .then((answer) => {
        if (disposed) {
          return;
        }
        cursor = Array.isArray(answer) ? null : (answer.next_cursor ?? null);
        return withNames((Array.isArray(answer) ? answer : (answer.items ?? [])).map(readSummary));
      })
      .then((fresh) => {
        if (disposed || !fresh) {
          return;
        }
        const firstNew = shown.length;
        shown = [...shown, ...fresh];
        const items = shown;
        body.removeAttribute('aria-busy');
        more.disabled = false;
        replace(
          body,
          items.length === 0
            ? h('p', { id: 'conflicts-none' }, t('conflict.none'))
            : h(
                'table',
                { class: 'data-table', id: 'conflicts' },
                h('caption', { class: 'visually-hidden' }, t('conflict.title')),
                h(
                  'thead',
                  null,
                  h(
                    'tr',
                    null,
                    h('th', { scope: 'col' }, t('conflict.col.person')),
                    h('th', { scope: 'col' }, t('conflict.col.fields')),
                    h('th', { scope: 'col' }, t('conflict.col.at')),
                    h('th', { scope: 'col' }, t('conflict.col.by')),
                  ),
                ),
                h(
                  'tbody',
                  null,
                  items.map((c, i) =>
                    h(
                      'tr',
                      i === firstNew && firstNew > 0 ? { id: 'conflicts-first-new' } : null,
                      h(
                        'th',
                        { scope: 'row' },
                        h(
                          'a',
                          {
                            href: `/konflik/${encodeURIComponent(c.id)}`,
                            'aria-label': t('conflict.open', { name: c.name }),
                          },
                          c.name,
                        ),
                      ),
                      h(
                        'td',
                        { 'data-label': t('conflict.col.fields') },
                        c.fields.map(fieldLabel).join(', '),
                      ),
                      h(
                        'td',
                        { 'data-label': t('conflict.col.at') },
                        c.at ? formatInstant(c.at) : '—',
                      ),
                      h('td', { 'data-label': t('conflict.col.by') }, c.by || '—'),
                    ),
                  ),
                ),
              ),
          cursor && h('div', { class: 'form-actions' }, more),
        );
        if (firstNew > 0) {
          // After "Muat lagi": focus the first row that came in (its link).
          (body.querySelector('#conflicts-first-new a') as HTMLElement | null)?.focus();
        }
      })
      .catch((e: unknown) => {
        if (!disposed) {
          body.removeAttribute('aria-busy');
          more.disabled = false;
          if (shown.length === 0) {
            replace(body, h('p', { class: 'alert', role: 'alert' }, errorText(e)));
          } else {
            body.append(h('p', { class: 'alert', role: 'alert' }, errorText(e)));
          }
        }
      });
  void page(null);
  return () => {
    disposed = true;
  };
}

export function conflictPage(root: HTMLElement, context: RouteContext): () => void {
  let disposed = false;
  const id = context.params.id;
  const admin = session()?.user.role === 'admin';
  const heading = h('h1', null, t('conflict.title'));
  const alert = h('div', { class: 'alert', role: 'alert', id: 'conflict-alert', tabindex: '-1' });
  const status = h('p', { class: 'notice', role: 'status', id: 'conflict-status' });
  const body = h('div', { 'aria-busy': 'true' }, t('app.loading'));
  replace(
    root,
    h(
      'div',
      { class: 'page conflict-page' },
      h('p', null, h('a', { href: '/konflik' }, `← ${t('conflict.back')}`)),
      heading,
      alert,
      status,
      body,
    ),
  );

  function draw(c: ConflictDetail): void {
    heading.textContent = t('conflict.detail.title', { name: c.name });
    if (c.status !== 'open') {
      drawResolved(c);
      return;
    }
    const choices: Record<string, 'mine' | 'theirs'> = {};
    const rows = c.rows.map((row) => {
      const label = fieldLabel(row.field);
      const cell = (side: 'mine' | 'theirs', value: unknown) => {
        const radio = h('input', {
          type: 'radio',
          name: `choose-${row.field}`,
          value: side,
          id: uid('c'),
          disabled: !admin,
          'data-field': row.field,
        });
        radio.addEventListener('change', () => {
          choices[row.field] = side;
        });
        return h(
          'td',
          { 'data-label': t(side === 'mine' ? 'conflict.mine' : 'conflict.theirs') },
          h(
            'label',
            { for: radio.id, class: 'conflict-choice' },
            radio,
            h(
              'span',
              { class: 'visually-hidden' },
              `${t(side === 'mine' ? 'conflict.choose_mine' : 'conflict.choose_theirs', { field: label })}: `,
            ),
            side === 'mine' && row.field === 'photo_id' && c.photo
              ? devicePhoto(c)
              : h('span', { class: 'conflict-value' }, valueText(value)),
          ),
        );
      };
      return h(
        'tr',
        { 'data-field': row.field },
        h('th', { scope: 'row' }, label),
        h('td', { 'data-label': t('conflict.base') }, valueText(row.base)),
        cell('theirs', row.theirs),
        cell('mine', row.mine),
      );
    });
    const reason = h('textarea', { id: 'conflict-reason', rows: 2, required: true });
    const reasonError = h('p', { class: 'field-error', id: 'conflict-reason-error', hidden: true });
    const submit = h('button', { type: 'submit', class: 'button primary' }, t('conflict.resolve'));
    const form = h(
      'form',
      { novalidate: true, class: 'conflict-form' },
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { class: 'data-table conflict-table', id: 'conflict-fields' },
          h('caption', null, t('conflict.caption')),
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              h('th', { scope: 'col' }, t('conflict.field')),
              h('th', { scope: 'col' }, t('conflict.base')),
              h('th', { scope: 'col' }, t('conflict.theirs')),
              h('th', { scope: 'col' }, t('conflict.mine')),
            ),
          ),
          h('tbody', null, rows),
        ),
      ),
      admin &&
        h(
          'div',
          { class: 'field' },
          h('label', { for: reason.id }, t('conflict.reason')),
          reason,
          reasonError,
        ),
      admin && h('div', { class: 'form-actions' }, submit),
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      alert.textContent = '';
      const missing = c.rows.find((r) => !choices[r.field]);
      if (missing) {
        alert.textContent = t('aid.required', { field: fieldLabel(missing.field) });
        (
          form.querySelector(
            `input[data-field="${CSS.escape(missing.field)}"]`,
          ) as HTMLInputElement | null
        )?.focus();
        return;
      }
      const why = reason.value.trim();
      if (why.length < 5 || why.length > 500) {
        reasonError.textContent = t('conflict.reason_required');
        reasonError.hidden = false;
        reason.setAttribute('aria-invalid', 'true');
        reason.setAttribute('aria-describedby', reasonError.id);
        reason.focus();
        return;
      }
      reasonError.hidden = true;
      reason.removeAttribute('aria-invalid');
      submit.disabled = true;
      submit.textContent = t('conflict.resolving');
      try {
        await request('POST', `/api/v1/sync/conflicts/${encodeURIComponent(c.id)}/resolve`, {
          body: { version: c.version, choose: choices, reason: why },
        });
        status.textContent = t('conflict.resolved');
        replace(
          body,
          h(
            'p',
            { id: 'conflict-done' },
            t('conflict.resolved'),
            ' ',
            h('a', { href: `/orang/${c.person_id}` }, c.name),
          ),
          h('p', null, h('a', { href: '/konflik' }, t('conflict.back'))),
        );
        heading.setAttribute('tabindex', '-1');
        heading.focus();
      } catch (e) {
        submit.disabled = false;
        submit.textContent = t('conflict.resolve');
        // Changed again since shown, or resolved by someone else meanwhile (412).
        if (e instanceof ApiError && (e.status === 412 || e.status === 409)) {
          await load();
          alert.textContent = t('conflict.changed');
        } else {
          alert.textContent = errorText(e);
        }
        alert.focus();
      }
    });
    body.removeAttribute('aria-busy');
    replace(
      body,
      c.status !== 'open' && h('p', null, t('conflict.status.resolved')),
      c.at &&
        h('p', null, `${t('conflict.col.at')}: ${formatInstant(c.at)}${c.by ? ` — ${c.by}` : ''}`),
      form,
    );
  }

  /// A conflict already decided: what was chosen per field and why, no form.
  function drawResolved(c: ConflictDetail): void {
    const choose = c.decision?.choose ?? {};
    body.removeAttribute('aria-busy');
    replace(
      body,
      h(
        'p',
        { id: 'conflict-decided' },
        t('conflict.status.resolved'),
        c.decided_by || c.decided_at
          ? ` — ${[c.decided_by, c.decided_at ? formatInstant(c.decided_at) : ''].filter(Boolean).join(', ')}`
          : '',
      ),
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { class: 'data-table conflict-table', id: 'conflict-fields' },
          h('caption', null, t('conflict.decision.caption')),
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              h('th', { scope: 'col' }, t('conflict.field')),
              h('th', { scope: 'col' }, t('conflict.theirs')),
              h('th', { scope: 'col' }, t('conflict.mine')),
              h('th', { scope: 'col' }, t('conflict.decision')),
            ),
          ),
          h(
            'tbody',
            null,
            c.rows.map((row) =>
              h(
                'tr',
                { 'data-field': row.field },
                h('th', { scope: 'row' }, fieldLabel(row.field)),
                h('td', { 'data-label': t('conflict.theirs') }, valueText(row.theirs)),
                h(
                  'td',
                  { 'data-label': t('conflict.mine') },
                  row.field === 'photo_id' && c.photo ? devicePhoto(c) : valueText(row.mine),
                ),
                h(
                  'td',
                  { 'data-label': t('conflict.decision') },
                  choose[row.field] === 'mine'
                    ? t('conflict.mine')
                    : choose[row.field] === 'theirs'
                      ? t('conflict.theirs')
                      : '—',
                ),
              ),
            ),
          ),
        ),
      ),
      c.decision?.reason &&
        h('p', null, t('conflict.decision.reason', { reason: c.decision.reason })),
      h('p', null, h('a', { href: `/orang/${encodeURIComponent(c.person_id)}` }, c.name)),
    );
  }

  async function load(): Promise<void> {
    try {
      const raw = await request<Raw>('GET', `/api/v1/sync/conflicts/${encodeURIComponent(id)}`);
      const [detail] = await withNames([readDetail(raw)]);
      if (!disposed) {
        draw({ ...readDetail(raw), name: detail.name });
      }
    } catch (e) {
      if (!disposed) {
        body.removeAttribute('aria-busy');
        if (e instanceof ApiError && e.status === 404) {
          navigate('/konflik', true);
          return;
        }
        replace(body, h('p', { class: 'alert', role: 'alert' }, errorText(e)));
      }
    }
  }
  void load();
  return () => {
    disposed = true;
  };
}
