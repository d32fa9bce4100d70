// Tahap (/bantuan/tahap/:id): one cycle of a programme — its list's state as a stepper (Draf →
// Diusulkan → Disetujui, who and when, the hash once approved), the buttons the role and state
// allow (Buat daftar, Usulkan, Setujui, Kembalikan), the entries (paged, by kelurahan, flags in
// words with icons), adding and removing a person by hand with a reason, the realisation, and
// for a voucher programme what is owed to each e-warong and the ledger (admin, auditor).
// Every write sends If-Match with the cycle's version; a 412 reloads and says so.
import { aidApi, type AidCycle, type AidGenerated, type AidListEntry } from '../aid_api';
import {
  deliveredShare,
  fitProjection,
  flagLabel,
  formatRupiah,
  listActions,
  outerRings,
  shareClass,
  stepper,
} from '../aid';
import { api, type AreaProperties, type FeatureCollection, type Person } from '../api';
import { areaNames, nameOf, type AreaName } from '../areas';
import { barChart, s as svg } from '../charts';
import { h, replace, select, type Child } from '../dom';
import { formatInstant, formatNumber, t, tCode, type StringKey } from '../i18n';
import { type RouteContext } from '../router';
import { session } from '../session';
import { voucherApi, type VoucherTransaction } from '../voucher_api';
import { isConflict } from './aid';
import { field } from './aid_form';
import { transferSection } from './aid_transfer';
import { errorText } from './person_card';

const pageSize = 25;

export function flagBadges(flags: string[] | undefined): Child {
  if (!flags || flags.length === 0) {
    return '—';
  }
  return h(
    'ul',
    { class: 'flag-list' },
    flags.map((code) => {
      const f = flagLabel(code);
      return h(
        'li',
        { class: 'flag', 'data-flag': code },
        h('span', { 'aria-hidden': 'true', class: 'flag-icon' }, f.icon),
        ' ',
        f.key ? t(f.key as StringKey) : f.code,
      );
    }),
  );
}

export function aidCyclePage(root: HTMLElement, context: RouteContext): () => void {
  let disposed = false;
  const id = context.params.id;
  const user = session()?.user;
  const role = user?.role ?? '';
  const heading = h('h1', null, t('cycle.title'));
  const status = h('p', { class: 'notice', role: 'status', id: 'cycle-status' });
  const alert = h('p', { class: 'alert', role: 'alert' });
  const stateBox = h('section', { class: 'panel', 'aria-labelledby': 'cycle-state-h' });
  const actions = h('div', { class: 'form-actions cycle-actions' });
  const actionForm = h('div');
  const generated = h('div', { 'aria-live': 'polite' });
  const entriesBox = h('section', { class: 'panel', 'aria-labelledby': 'cycle-entries-h' });
  const addBox = h('div');
  const realBox = h('section', {
    class: 'panel',
    'aria-labelledby': 'cycle-real-h',
    id: 'realisasi',
  });
  const voucherBox = h('section', {
    class: 'panel',
    'aria-labelledby': 'cycle-voucher-h',
    id: 'voucher-ledger',
    hidden: true,
  });
  const transferBox = h('section', {
    class: 'panel',
    'aria-labelledby': 'transfer-h',
    id: 'transfer',
    hidden: true,
  });
  replace(
    root,
    h(
      'div',
      { class: 'page cycle-page' },
      h('p', null, h('a', { href: '/bantuan' }, t('cycle.back'))),
      heading,
      status,
      alert,
      stateBox,
      actions,
      actionForm,
      generated,
      entriesBox,
      addBox,
      transferBox,
      realBox,
      voucherBox,
    ),
  );

  let cycle: AidCycle | null = null;
  let kelurahan: AreaName[] = [];
  let userNames = new Map<string, string>();
  let filter = '';
  let after = '';
  let previous: string[] = [];
  const busy = (on: boolean) =>
    actions.querySelectorAll('button').forEach((b) => (b.disabled = on));

  async function load(message = ''): Promise<void> {
    try {
      const c = await aidApi.cycle(id);
      const [program, names] = await Promise.all([aidApi.program(c.program_code), areaNames()]);
      if (role === 'admin' && userNames.size === 0) {
        try {
          userNames = new Map(
            (await api.users()).items.map((u) => [u.id, u.display_name || u.username]),
          );
        } catch {
          // Ids instead of names.
        }
      }
      if (disposed) {
        return;
      }
      cycle = c;
      kelurahan = names.kelurahan;
      heading.textContent = t('cycle.heading', {
        program: program.name,
        number: c.number,
        name: c.name,
      });
      drawState();
      drawActions();
      transferBox.hidden = program.channel !== 'transfer';
      if (!transferBox.hidden) {
        transferSection(transferBox, c.id, c.list_state, user, () => void loadRealisation());
      }
      status.textContent = message;
      alert.textContent = '';
      const ledgerReader = role === 'admin' || role === 'auditor';
      await Promise.all([
        loadEntries(),
        loadRealisation(),
        program.channel === 'voucher' && ledgerReader ? loadVoucher() : Promise.resolve(),
      ]);
    } catch (e) {
      alert.textContent = errorText(e);
    }
  }

  function who(userId: string | undefined): string {
    return userId ? (userNames.get(userId) ?? userId) : '';
  }

  function drawState(): void {
    const c = cycle!;
    const steps = stepper(c.list_state);
    const detail = (state: string): string => {
      if (state === 'proposed' && c.proposed_at) {
        return t('cycle.step.by', { who: who(c.proposed_by), when: formatInstant(c.proposed_at) });
      }
      if (state === 'approved' && c.approved_at) {
        return t('cycle.step.by', { who: who(c.approved_by), when: formatInstant(c.approved_at) });
      }
      return '';
    };
    replace(
      stateBox,
      h('h2', { id: 'cycle-state-h' }, t('cycle.state')),
      h(
        'ol',
        { class: 'stepper', id: 'cycle-stepper' },
        steps.map((s) =>
          h(
            'li',
            {
              class: `step step-${s.status}`,
              'aria-current': s.status === 'current' ? 'step' : null,
              'data-state': s.state,
            },
            h(
              'span',
              { class: 'step-icon', 'aria-hidden': 'true' },
              s.status === 'done' ? '✓' : s.status === 'current' ? '●' : '○',
            ),
            h('span', { class: 'step-name' }, tCode('aid.state', s.state)),
            h('span', { class: 'step-status' }, ` (${t(`cycle.step.${s.status}` as StringKey)})`),
            detail(s.state) && h('span', { class: 'step-detail' }, detail(s.state)),
          ),
        ),
      ),
      h('p', null, t('cycle.size', { count: formatNumber(c.list_size ?? 0) })),
      c.list_hash &&
        h(
          'p',
          { class: 'hash' },
          `${t('cycle.hash')}: `,
          h('code', { id: 'cycle-hash' }, c.list_hash),
        ),
    );
  }

  /// Sends one write with the cycle's version; a 412 reloads and says someone else changed it.
  async function write(run: (c: AidCycle) => Promise<string>): Promise<boolean> {
    if (!cycle) {
      return false;
    }
    busy(true);
    status.textContent = t('cycle.busy');
    alert.textContent = '';
    try {
      const message = await run(cycle);
      await load(message);
      return true;
    } catch (e) {
      if (isConflict(e)) {
        await load();
        alert.textContent = t('cycle.conflict');
      } else {
        status.textContent = '';
        alert.textContent = errorText(e);
      }
      busy(false);
      return false;
    }
  }

  function drawActions(): void {
    const c = cycle!;
    const allowed = listActions(role, c.list_state, user?.id ?? '', c.proposed_by ?? '');
    const button = (label: StringKey, onclick: () => void, primary = false) =>
      h(
        'button',
        { type: 'button', class: primary ? 'button primary' : 'button', onclick },
        t(label),
      );
    replace(
      actions,
      allowed.generate &&
        button(
          'cycle.generate',
          () =>
            void write(async (cur) => {
              status.textContent = t('cycle.generate.busy');
              const r = await aidApi.generate(cur.id, cur.version);
              drawGenerated(r);
              return t('cycle.generated', { matched: r.matched, listed: r.listed });
            }),
          true,
        ),
      allowed.propose &&
        button(
          'cycle.propose',
          () =>
            void write(async (cur) => {
              await aidApi.step(cur.id, 'propose', cur.version);
              return t('cycle.proposed');
            }),
        ),
      allowed.approve &&
        button(
          'cycle.approve',
          () =>
            void write(async (cur) => {
              await aidApi.step(cur.id, 'approve', cur.version);
              return t('cycle.approved');
            }),
          true,
        ),
      allowed.return && button('cycle.return', () => drawReturnForm()),
    );
    replace(actionForm);
    replace(addBox, allowed.edit && addForm());
  }

  function drawReturnForm(): void {
    const reason = h('textarea', { id: 'return-reason', rows: 2 });
    const f = field(t('cycle.return.reason'), reason);
    const form = h(
      'form',
      { class: 'panel', novalidate: true },
      f.row,
      h('button', { type: 'submit', class: 'button primary' }, t('cycle.return.send')),
    );
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      if (!reason.value.trim()) {
        f.setError(t('cycle.reason_required'));
        return;
      }
      void write(async (cur) => {
        await aidApi.step(cur.id, 'return', cur.version, { reason: reason.value.trim() });
        return t('cycle.returned');
      });
    });
    replace(actionForm, form);
    reason.focus();
  }

  function drawGenerated(r: AidGenerated): void {
    const over = Object.entries(r.over_quota ?? {}).filter(([, n]) => n > 0);
    const flags = Object.entries(r.flags ?? {}).filter(([, n]) => n > 0);
    replace(
      generated,
      h(
        'div',
        { class: 'panel', id: 'generate-result' },
        h('p', null, t('cycle.generated', { matched: r.matched, listed: r.listed })),
        (over.length > 0 || flags.length > 0) &&
          h(
            'ul',
            null,
            over.map(([area, n]) =>
              h('li', null, t('cycle.over_quota', { area: nameOf(kelurahan, area), count: n })),
            ),
            flags.map(([code, n]) => {
              const f = flagLabel(code);
              return h(
                'li',
                null,
                h('span', { 'aria-hidden': 'true' }, `${f.icon} `),
                t('cycle.flags', { label: f.key ? t(f.key as StringKey) : code, count: n }),
              );
            }),
          ),
      ),
    );
  }

  async function loadEntries(): Promise<void> {
    if (!cycle) {
      return;
    }
    entriesBox.setAttribute('aria-busy', 'true');
    try {
      const page = await aidApi.list(cycle.id, { kelurahan: filter, after, limit: pageSize });
      if (disposed) {
        return;
      }
      drawEntries(page.items, page.next_after ?? '');
    } catch (e) {
      replace(entriesBox, h('p', { class: 'alert', role: 'alert' }, errorText(e)));
    } finally {
      entriesBox.removeAttribute('aria-busy');
    }
  }

  function drawEntries(items: AidListEntry[], nextAfter: string): void {
    const canEdit = listActions(role, cycle!.list_state).edit;
    const filterSelect = select(
      'entries-kelurahan',
      kelurahan.map((k) => [k.code, k.name]),
      filter,
      t('cycle.entries.all'),
    );
    filterSelect.addEventListener('change', () => {
      filter = filterSelect.value;
      after = '';
      previous = [];
      void loadEntries();
    });
    const removeRow = h('div');
    replace(
      entriesBox,
      h('h2', { id: 'cycle-entries-h' }, t('cycle.entries')),
      h(
        'div',
        { class: 'filters' },
        h(
          'div',
          { class: 'field' },
          h('label', { for: filterSelect.id }, t('cycle.entries.filter')),
          filterSelect,
        ),
      ),
      items.length === 0
        ? h('p', null, t('cycle.entries.none'))
        : h(
            'div',
            { class: 'table-scroll' },
            h(
              'table',
              { class: 'data-table', id: 'entries-table' },
              h('caption', { class: 'visually-hidden' }, t('cycle.entries')),
              h(
                'thead',
                null,
                h(
                  'tr',
                  null,
                  h('th', { scope: 'col' }, t('cycle.col.person')),
                  h('th', { scope: 'col' }, t('cycle.col.kelurahan')),
                  h('th', { scope: 'col' }, t('cycle.col.source')),
                  h('th', { scope: 'col' }, t('cycle.col.flags')),
                  canEdit && h('th', { scope: 'col' }, t('cycle.col.action')),
                ),
              ),
              h(
                'tbody',
                null,
                items.map((e) =>
                  h(
                    'tr',
                    { 'data-person': e.person_id },
                    h(
                      'th',
                      { scope: 'row' },
                      h(
                        'a',
                        { href: `/orang/${encodeURIComponent(e.person_id)}` },
                        h('span', { class: 'visually-hidden' }, t('cycle.open_person')),
                        e.person_id.slice(-8),
                      ),
                    ),
                    h('td', null, nameOf(kelurahan, e.kelurahan_code)),
                    h(
                      'td',
                      null,
                      tCode('cycle.source', e.source),
                      e.reason && h('span', { class: 'hint' }, ` — ${e.reason}`),
                    ),
                    h('td', null, flagBadges(e.flags)),
                    canEdit &&
                      h(
                        'td',
                        null,
                        h(
                          'button',
                          {
                            type: 'button',
                            class: 'button secondary',
                            'aria-label': t('cycle.remove.label', { id: e.person_id }),
                            onclick: () => drawRemoveForm(removeRow, e),
                          },
                          t('cycle.remove'),
                        ),
                      ),
                  ),
                ),
              ),
            ),
          ),
      removeRow,
      h(
        'div',
        { class: 'pager' },
        previous.length > 0 &&
          h(
            'button',
            {
              type: 'button',
              class: 'button',
              onclick: () => {
                previous = [];
                after = '';
                void loadEntries();
              },
            },
            t('cycle.first'),
          ),
        nextAfter &&
          h(
            'button',
            {
              type: 'button',
              class: 'button',
              onclick: () => {
                previous.push(after);
                after = nextAfter;
                void loadEntries();
              },
            },
            t('cycle.next'),
          ),
      ),
    );
  }

  function drawRemoveForm(box: HTMLElement, e: AidListEntry): void {
    const reason = h('input', { id: 'remove-reason' });
    const f = field(t('cycle.add.reason'), reason);
    const form = h(
      'form',
      { class: 'panel', novalidate: true },
      h('p', null, t('cycle.remove.label', { id: e.person_id })),
      f.row,
      h('button', { type: 'submit', class: 'button primary' }, t('cycle.remove')),
    );
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      if (!reason.value.trim()) {
        f.setError(t('cycle.reason_required'));
        return;
      }
      void write(async (cur) => {
        await aidApi.step(cur.id, 'remove', cur.version, {
          person_id: e.person_id,
          reason: reason.value.trim(),
        });
        return t('cycle.removed');
      });
    });
    replace(box, form);
    reason.focus();
  }

  function addForm(): HTMLElement {
    const q = h('input', { id: 'add-q', type: 'search', autocomplete: 'off' });
    const fq = field(t('cycle.add.search'), q);
    const results = h('div', { 'aria-live': 'polite', class: 'add-results' });
    const reason = h('input', { id: 'add-reason' });
    const fr = field(t('cycle.add.reason'), reason);
    const chosenLine = h('p', { class: 'notice', id: 'add-chosen' });
    let chosen: Person | null = null;
    const searchButton = h(
      'button',
      { type: 'button', class: 'button' },
      t('cycle.add.search_button'),
    );
    const search = async () => {
      if (q.value.trim().length < 2) {
        fq.setError(t('aid.required', { field: t('cycle.add.search') }));
        return;
      }
      fq.setError(null);
      results.setAttribute('aria-busy', 'true');
      try {
        const page = await api.persons({ q: q.value.trim(), limit: 10 });
        replace(
          results,
          page.items.length === 0
            ? h('p', null, t('cycle.add.none'))
            : h(
                'ul',
                { class: 'pick-list', 'aria-label': t('cycle.add.results') },
                page.items.map((p) =>
                  h(
                    'li',
                    null,
                    h(
                      'button',
                      {
                        type: 'button',
                        class: 'button secondary',
                        onclick: () => {
                          chosen = p;
                          chosenLine.textContent = t('cycle.add.chosen', { name: p.full_name });
                          reason.focus();
                        },
                      },
                      t('cycle.add.choose', { name: p.full_name }),
                    ),
                    ` ${nameOf(kelurahan, p.address.kelurahan_code)}`,
                  ),
                ),
              ),
        );
      } catch (e) {
        replace(results, h('p', { class: 'alert', role: 'alert' }, errorText(e)));
      } finally {
        results.removeAttribute('aria-busy');
      }
    };
    searchButton.addEventListener('click', () => void search());
    q.addEventListener('keydown', (ev) => {
      if ((ev as KeyboardEvent).key === 'Enter') {
        ev.preventDefault();
        void search();
      }
    });
    const form = h(
      'form',
      { novalidate: true },
      fq.row,
      searchButton,
      results,
      chosenLine,
      fr.row,
      h('button', { type: 'submit', class: 'button primary' }, t('cycle.add.send')),
    );
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      if (!chosen) {
        fq.setError(t('cycle.add.pick'));
        return;
      }
      if (!reason.value.trim()) {
        fr.setError(t('cycle.reason_required'));
        return;
      }
      const person = chosen;
      void write(async (cur) => {
        await aidApi.step(cur.id, 'add', cur.version, {
          person_id: person.id,
          reason: reason.value.trim(),
        });
        return t('cycle.added', { name: person.full_name });
      });
    });
    return h(
      'details',
      { class: 'panel', id: 'add-person' },
      h('summary', null, t('cycle.add')),
      form,
    );
  }

  async function loadRealisation(): Promise<void> {
    if (!cycle) {
      return;
    }
    try {
      const [r, areas] = await Promise.all([
        aidApi.realisation(cycle.id),
        api.areas({ level: 'kelurahan' }).catch(() => null),
      ]);
      if (disposed) {
        return;
      }
      const rows = r.items
        .map((row) => ({ ...row, name: nameOf(kelurahan, row.kelurahan_code) }))
        .sort((a, b) => a.name.localeCompare(b.name));
      const cols: StringKey[] = [
        'cycle.real.col.listed',
        'cycle.real.col.delivered',
        'cycle.real.col.pending',
        'cycle.real.col.not_yet',
      ];
      const cells = (x: {
        listed: number;
        delivered: number;
        pending: number;
        not_yet: number;
      }) => [
        ...[x.listed, x.delivered, x.pending, x.not_yet].map((n) =>
          h('td', { class: 'num' }, formatNumber(n)),
        ),
        h('td', { class: 'num' }, `${deliveredShare(x.delivered, x.listed)}%`),
      ];
      replace(
        realBox,
        h('h2', { id: 'cycle-real-h' }, t('cycle.realisation')),
        h(
          'p',
          { id: 'real-amount' },
          t('cycle.real.amount', { amount: formatRupiah(r.total.delivered_amount) }),
        ),
        h(
          'div',
          { class: 'table-scroll' },
          h(
            'table',
            { class: 'data-table', id: 'real-table' },
            h('caption', { class: 'visually-hidden' }, t('cycle.realisation')),
            h(
              'thead',
              null,
              h(
                'tr',
                null,
                h('th', { scope: 'col' }, t('cycle.real.col.kelurahan')),
                cols.map((c) => h('th', { scope: 'col', class: 'num' }, t(c))),
                h('th', { scope: 'col', class: 'num' }, t('cycle.real.col.share')),
              ),
            ),
            h(
              'tbody',
              null,
              rows.map((row) =>
                h(
                  'tr',
                  { 'data-code': row.kelurahan_code },
                  h('th', { scope: 'row' }, row.name),
                  cells(row),
                ),
              ),
            ),
            h(
              'tfoot',
              null,
              h(
                'tr',
                { id: 'real-total' },
                h('th', { scope: 'row' }, t('cycle.real.total')),
                cells(r.total),
              ),
            ),
          ),
        ),
        rows.length > 0 &&
          barChart(
            'real-chart',
            t('cycle.real.chart'),
            [t('cycle.real.col.kelurahan'), t('cycle.real.col.delivered')],
            rows.map((row) => ({ key: row.kelurahan_code, label: row.name, value: row.delivered })),
          ),
        areas && rows.length > 0 && shareMap(areas, r.items),
      );
    } catch (e) {
      replace(realBox, h('p', { class: 'alert', role: 'alert' }, errorText(e)));
    }
  }

  /// What is owed to each e-warong, and the ledger's transactions (each balancing to zero).
  async function loadVoucher(): Promise<void> {
    if (!cycle) {
      return;
    }
    try {
      const [totals, ledger, merchants] = await Promise.all([
        voucherApi.merchantTotals(cycle.id),
        voucherApi.ledger(cycle.id, '', 200),
        voucherApi.merchants(),
      ]);
      if (disposed) {
        return;
      }
      const merchantName = new Map(merchants.items.map((m) => [m.id, m.name]));
      const num = (n: number) => h('td', { class: 'num' }, formatNumber(n));
      const money = (n: number) => h('td', { class: 'num' }, formatRupiah(n));
      const balanced = (tx: VoucherTransaction) =>
        tx.postings.reduce((sum, p) => sum + p.amount, 0) === 0;
      voucherBox.hidden = false;
      replace(
        voucherBox,
        h('h2', { id: 'cycle-voucher-h' }, t('cycle.voucher')),
        h('h3', null, t('cycle.voucher.owed')),
        totals.items.length === 0
          ? h('p', null, t('cycle.voucher.owed.none'))
          : h(
              'div',
              { class: 'table-scroll' },
              h(
                'table',
                { class: 'data-table', id: 'voucher-owed' },
                h('caption', { class: 'visually-hidden' }, t('cycle.voucher.owed')),
                h(
                  'thead',
                  null,
                  h(
                    'tr',
                    null,
                    h('th', { scope: 'col' }, t('merchants.name')),
                    h('th', { scope: 'col', class: 'num' }, t('cycle.voucher.col.transactions')),
                    h('th', { scope: 'col', class: 'num' }, t('cycle.voucher.col.amount')),
                  ),
                ),
                h(
                  'tbody',
                  null,
                  totals.items.map((row) =>
                    h(
                      'tr',
                      { 'data-id': row.merchant_id },
                      h('th', { scope: 'row' }, row.name || row.merchant_id),
                      num(row.transactions),
                      money(row.amount),
                    ),
                  ),
                ),
                h(
                  'tfoot',
                  null,
                  h(
                    'tr',
                    null,
                    h('th', { scope: 'row' }, t('cycle.real.total')),
                    num(totals.total.transactions),
                    money(totals.total.amount),
                  ),
                ),
              ),
            ),
        h('h3', null, t('cycle.voucher.ledger')),
        h('p', { class: 'hint' }, t('cycle.voucher.ledger.hint')),
        ledger.items.length === 0
          ? h('p', null, t('cycle.voucher.ledger.none'))
          : h(
              'div',
              { class: 'table-scroll' },
              h(
                'table',
                { class: 'data-table', id: 'voucher-ledger-table' },
                h('caption', { class: 'visually-hidden' }, t('cycle.voucher.ledger')),
                h(
                  'thead',
                  null,
                  h(
                    'tr',
                    null,
                    h('th', { scope: 'col' }, t('cycle.voucher.col.at')),
                    h('th', { scope: 'col' }, t('cycle.voucher.col.kind')),
                    h('th', { scope: 'col' }, t('merchants.name')),
                    h('th', { scope: 'col', class: 'num' }, t('cycle.voucher.col.amount')),
                    h('th', { scope: 'col' }, t('cycle.voucher.col.postings')),
                  ),
                ),
                h(
                  'tbody',
                  null,
                  ledger.items.map((tx) =>
                    h(
                      'tr',
                      { 'data-id': tx.id, 'data-kind': tx.kind },
                      h('td', null, formatInstant(tx.at)),
                      h('td', null, tCode('voucher.kind', tx.kind)),
                      h(
                        'td',
                        null,
                        tx.merchant_id ? (merchantName.get(tx.merchant_id) ?? '') : '—',
                      ),
                      money(tx.amount),
                      h(
                        'td',
                        null,
                        h(
                          'ul',
                          { class: 'postings' },
                          tx.postings.map((p) =>
                            h('li', null, `${p.account}: ${formatRupiah(p.amount)}`),
                          ),
                        ),
                        balanced(tx)
                          ? h('span', { class: 'balanced' }, `✓ ${t('cycle.voucher.balanced')}`)
                          : h(
                              'span',
                              { class: 'unbalanced' },
                              `⚠ ${t('cycle.voucher.unbalanced')}`,
                            ),
                      ),
                    ),
                  ),
                ),
              ),
            ),
        ledger.next_after && h('p', { class: 'hint' }, t('cycle.voucher.ledger.more')),
      );
    } catch (e) {
      voucherBox.hidden = false;
      replace(voucherBox, h('p', { class: 'alert', role: 'alert' }, errorText(e)));
    }
  }

  void load();
  return () => {
    disposed = true;
  };
}

/// The kelurahan coloured by the share delivered (five classes, the share written on each: colour
/// is never the only signal), drawn as SVG without tiles. The table above has the same numbers,
/// so the picture is hidden from screen readers.
function shareMap(
  areas: FeatureCollection<AreaProperties>,
  items: { kelurahan_code: string; listed: number; delivered: number }[],
): HTMLElement {
  const width = 400;
  const height = 300;
  const byCode = new Map(items.map((i) => [i.kelurahan_code, i]));
  const project = fitProjection(
    areas.features.flatMap((f) => outerRings(f.geometry)),
    width,
    height,
  );
  const shapes: SVGElement[] = [];
  const labels: SVGElement[] = [];
  for (const f of areas.features) {
    const row = byCode.get(f.properties.code);
    const share = row ? deliveredShare(row.delivered, row.listed) : 0;
    const cls = row && row.listed > 0 ? shareClass(share) : -1;
    const rings = outerRings(f.geometry);
    const d = rings
      .map(
        (ring) =>
          ring
            .map(([lon, lat], i) => {
              const [x, y] = project(lon, lat);
              return `${i === 0 ? 'M' : 'L'}${x.toFixed(1)} ${y.toFixed(1)}`;
            })
            .join('') + 'Z',
      )
      .join('');
    shapes.push(
      svg('path', {
        d,
        class: `share-area ${cls < 0 ? 'share-none' : `share-${cls}`}`,
        'data-code': f.properties.code,
      }),
    );
    if (row && row.listed > 0 && rings.length > 0) {
      const ring = rings.reduce((a, b) => (b.length > a.length ? b : a));
      const cx = ring.reduce((sum, p) => sum + p[0], 0) / ring.length;
      const cy = ring.reduce((sum, p) => sum + p[1], 0) / ring.length;
      const [x, y] = project(cx, cy);
      labels.push(
        svg(
          'text',
          { x: x.toFixed(1), y: y.toFixed(1), class: `share-label${cls >= 3 ? ' on-dark' : ''}` },
          `${share}%`,
        ),
      );
    }
  }
  return h(
    'figure',
    { class: 'chart-figure share-map', id: 'real-map' },
    h('figcaption', null, t('cycle.real.map')),
    svg(
      'svg',
      {
        viewBox: `0 0 ${width} ${height}`,
        class: 'chart',
        'aria-hidden': 'true',
        focusable: 'false',
      },
      ...shapes,
      ...labels,
    ),
    h(
      'ul',
      { class: 'legend-list' },
      ['0%', '1–24%', '25–49%', '50–74%', '75–100%'].map((label, i) =>
        h(
          'li',
          null,
          h('span', { class: `swatch choropleth-${i}`, 'aria-hidden': 'true' }),
          ` ${label}`,
        ),
      ),
    ),
  );
}
