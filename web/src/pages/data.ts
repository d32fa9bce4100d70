// Data: the persons of the user's areas as a table, with name search, filters, sorting on the
// server (name, birth date, kelurahan: the whole list, paged in that order), cursor paging and
// export links. Filters and the order live in the URL (?q=…&kelurahan=…&sort=-name), so a
// filtered list can be bookmarked and the back button works.
import { api, ApiError, categories, download, statuses, type Person } from '../api';
import { areaNames, nameOf, type AreaName } from '../areas';
import { categoryNames } from '../categories';
import { h, replace, select } from '../dom';
import {
  formatBytes,
  formatDate,
  formatInstant,
  formatNumber,
  t,
  tCode,
  type StringKey,
} from '../i18n';
import { navigate, type RouteContext } from '../router';
import { isNetworkFailure, lastPullAt, localPersons, unlocked } from '../offline/device';

type Column = 'name' | 'sex' | 'birth_date' | 'kelurahan' | 'categories' | 'severity' | 'status';
const columns: { key: Column; label: StringKey }[] = [
  { key: 'name', label: 'data.col.name' },
  { key: 'sex', label: 'data.col.sex' },
  { key: 'birth_date', label: 'data.col.birth_date' },
  { key: 'kelurahan', label: 'data.col.kelurahan' },
  { key: 'categories', label: 'data.col.categories' },
  { key: 'severity', label: 'data.col.severity' },
  { key: 'status', label: 'data.col.status' },
];
const pageSizes = ['25', '50', '100'];
const filterNames = ['q', 'kecamatan', 'kelurahan', 'category', 'status', 'limit', 'sort'] as const;

/// The columns the API sorts by (GET /api/v1/persons?sort=…), with their parameter.
const serverSort: Partial<Record<Column, string>> = {
  name: 'name',
  birth_date: 'birth_date',
  kelurahan: 'kelurahan',
};

/// The column and direction a `sort` parameter names; null for none (registration order).
export function parseSort(v: string): { column: Column; dir: 1 | -1 } | null {
  const dir = v.startsWith('-') ? -1 : 1;
  const key = dir === -1 ? v.slice(1) : v;
  const column = columns.find((c) => serverSort[c.key] === key)?.key;
  return column ? { column, dir } : null;
}

/// The device's persons matching the Data page's filters (name contains `q`, case aside).
export function filterLocal(
  persons: Person[],
  f: { q: string; kecamatan: string; kelurahan: string; category: string; status: string },
): Person[] {
  const q = f.q.trim().toLowerCase();
  return persons
    .filter(
      (p) =>
        (!q || p.full_name.toLowerCase().includes(q)) &&
        (!f.kecamatan || p.kecamatan_code === f.kecamatan) &&
        (!f.kelurahan || p.address.kelurahan_code === f.kelurahan) &&
        (!f.category || p.categories.includes(f.category as Person['categories'][number])) &&
        (!f.status || p.status === f.status),
    )
    .sort((a, b) => a.full_name.localeCompare(b.full_name));
}

export function dataPage(root: HTMLElement, context: RouteContext): () => void {
  const query = context.query;
  const value = (name: string) => query.get(name) ?? '';
  let kelurahanNames: AreaName[] = [];
  let items: Person[] = [];
  let sort = parseSort(value('sort'));
  const cursors: (string | null)[] = [null]; // cursor of each page seen, page 1 first
  let page = 0;
  let nextCursor: string | null = null;
  let request: AbortController | null = null;
  let disposed = false;

  const search = h('input', {
    type: 'search',
    id: 'data-q',
    name: 'q',
    value: value('q'),
    'aria-describedby': 'data-q-hint',
    autocomplete: 'off',
  });
  const kecSel = select('data-kecamatan', [], value('kecamatan'), t('filter.all'));
  const kelSel = select('data-kelurahan', [], value('kelurahan'), t('filter.all'));
  const catSel = select(
    'data-category',
    categories.map((c) => [c, tCode('category', c)]),
    value('category'),
    t('filter.all'),
  );
  const statusSel = select(
    'data-status',
    statuses.map((s) => [s, tCode('status', s)]),
    value('status'),
    t('filter.all'),
  );
  const sizeSel = select(
    'data-limit',
    pageSizes.map((s) => [s, s]),
    value('limit') || '25',
    null,
  );
  const alert = h('div', { class: 'alert', role: 'alert' });
  const status = h('p', { class: 'table-status', role: 'status' });
  const thead = h('thead', { role: 'rowgroup' });
  const tbody = h('tbody', { role: 'rowgroup' });
  const caption = h('caption');
  // Explicit roles: on a phone the rows are shown as cards (display: block), which would
  // otherwise lose the table's meaning for screen readers.
  const table = h(
    'table',
    { class: 'data-table', id: 'data-table', role: 'table' },
    caption,
    thead,
    tbody,
  );
  const prev = h('button', { type: 'button', class: 'secondary', disabled: true }, t('data.prev'));
  const next = h('button', { type: 'button', class: 'secondary', disabled: true }, t('data.next'));
  const pageLabel = h('span', { class: 'page-label' });

  const field = (id: string, label: string, control: HTMLElement, hint?: HTMLElement) =>
    h('div', { class: 'field' }, h('label', { for: id }, label), control, hint);

  const form = h(
    'form',
    { class: 'panel filters', role: 'search', 'aria-labelledby': 'data-filter-h' },
    h('h2', { id: 'data-filter-h', class: 'visually-hidden' }, t('filter.heading')),
    field(
      'data-q',
      t('filter.search'),
      search,
      h('p', { id: 'data-q-hint', class: 'hint' }, t('filter.search.hint')),
    ),
    field('data-kecamatan', t('filter.kecamatan'), kecSel),
    field('data-kelurahan', t('filter.kelurahan'), kelSel),
    field('data-category', t('filter.category'), catSel),
    field('data-status', t('filter.status'), statusSel),
    field('data-limit', t('data.page_size'), sizeSel),
    h(
      'div',
      { class: 'form-actions' },
      h('button', { type: 'submit', class: 'primary' }, t('filter.apply')),
      h(
        'button',
        { type: 'button', class: 'secondary', onclick: () => navigate('/data') },
        t('filter.reset'),
      ),
    ),
  );

  const fillKelurahan = () => {
    const kec = kecSel.value;
    const current = kelSel.value || value('kelurahan');
    replace(
      kelSel,
      h('option', { value: '' }, t('filter.all')),
      kelurahanNames
        .filter((k) => !kec || k.parent === kec)
        .map((k) => h('option', { value: k.code, selected: k.code === current }, k.name)),
    );
    kelSel.value = kelurahanNames.some((k) => k.code === current && (!kec || k.parent === kec))
      ? current
      : '';
  };
  kecSel.addEventListener('change', fillKelurahan);

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    const values: Record<(typeof filterNames)[number], string> = {
      q: search.value.trim(),
      kecamatan: kecSel.value,
      kelurahan: kelSel.value,
      category: catSel.value,
      status: statusSel.value,
      limit: sizeSel.value === '25' ? '' : sizeSel.value,
      sort: value('sort'),
    };
    for (const name of filterNames) {
      if (values[name]) {
        params.set(name, values[name]);
      }
    }
    const qs = params.toString();
    navigate(qs ? `/data?${qs}` : '/data');
  });

  function cell(p: Person, column: Column): string {
    switch (column) {
      case 'name':
        return p.full_name;
      case 'sex':
        return tCode('sex', p.sex);
      case 'birth_date':
        return p.birth_date;
      case 'kelurahan':
        return nameOf(kelurahanNames, p.address.kelurahan_code);
      case 'categories':
        return categoryNames(p.categories);
      case 'severity':
        return p.severity ? tCode('severity', p.severity) : '';
      case 'status':
        return tCode('status', p.status);
    }
    return '';
  }

  function renderTable(): void {
    replace(
      thead,
      h(
        'tr',
        { role: 'row' },
        columns.map((c) => {
          const param = serverSort[c.key];
          if (!param) {
            return h('th', { scope: 'col', role: 'columnheader' }, t(c.label));
          }
          const active = sort?.column === c.key;
          return h(
            'th',
            {
              scope: 'col',
              role: 'columnheader',
              'aria-sort': active ? (sort?.dir === 1 ? 'ascending' : 'descending') : null,
            },
            h(
              'button',
              {
                type: 'button',
                class: 'sort',
                onclick: () => {
                  sort = { column: c.key, dir: active && sort?.dir === 1 ? -1 : 1 };
                  // The whole list in the new order, from its first page; the URL keeps it.
                  query.set('sort', `${sort.dir === -1 ? '-' : ''}${param}`);
                  history.replaceState(history.state, '', `/data?${query.toString()}`);
                  cursors.length = 1;
                  page = 0;
                  void load().then(() =>
                    (
                      thead.querySelectorAll('button.sort')[
                        columns.filter((x) => serverSort[x.key]).indexOf(c)
                      ] as HTMLElement | undefined
                    )?.focus(),
                  );
                },
              },
              t(c.label),
              h(
                'span',
                { class: 'sort-mark', 'aria-hidden': 'true' },
                active ? (sort?.dir === 1 ? ' ▲' : ' ▼') : ' ↕',
              ),
            ),
          );
        }),
      ),
    );
    const rows = items;
    replace(
      tbody,
      rows.length === 0
        ? h('tr', null, h('td', { colspan: columns.length }, t('data.empty')))
        : rows.map((p) =>
            h(
              'tr',
              { role: 'row' },
              columns.map((c) =>
                c.key === 'name'
                  ? h(
                      'th',
                      { scope: 'row', role: 'rowheader' },
                      h('a', { href: `/orang/${encodeURIComponent(p.id)}` }, p.full_name),
                    )
                  : h(
                      'td',
                      { role: 'cell', 'data-label': t(c.label) },
                      c.key === 'birth_date' ? formatDate(p.birth_date) : cell(p, c.key),
                    ),
              ),
            ),
          ),
    );
    caption.textContent = t('data.table.caption', { page: page + 1 });
  }

  async function load(): Promise<void> {
    request?.abort();
    const controller = new AbortController();
    request = controller;
    table.setAttribute('aria-busy', 'true');
    status.textContent = t('app.loading');
    try {
      const result = await api.persons(
        {
          q: value('q'),
          kecamatan: value('kecamatan'),
          kelurahan: value('kelurahan'),
          category: value('category'),
          status: value('status'),
          limit: value('limit') || '25',
          sort: value('sort'),
          cursor: cursors[page] ?? undefined,
        },
        controller.signal,
      );
      if (disposed) {
        return;
      }
      items = result.items;
      nextCursor = result.next_cursor;
      alert.textContent = '';
      status.textContent = t('data.shown', { count: formatNumber(items.length) });
    } catch (e) {
      if (e instanceof DOMException && e.name === 'AbortError') {
        return;
      }
      items = [];
      nextCursor = null;
      status.textContent = '';
      if (isNetworkFailure(e) && unlocked()) {
        // Offline: the persons pulled to this device, filtered the same way (one page).
        items = filterLocal(await localPersons(), {
          q: value('q'),
          kecamatan: value('kecamatan'),
          kelurahan: value('kelurahan'),
          category: value('category'),
          status: value('status'),
        }).slice(0, Number(value('limit') || '25'));
        if (disposed) {
          return;
        }
        const when = lastPullAt();
        alert.textContent = '';
        status.textContent = `${when ? t('offline.local', { when: formatInstant(when) }) : t('offline.local.never')} ${t('data.shown', { count: formatNumber(items.length) })}`;
      } else if (!(e instanceof ApiError && e.status === 401)) {
        alert.textContent =
          e instanceof ApiError && e.network
            ? t('app.error.network')
            : t('app.error.generic', { message: e instanceof Error ? e.message : String(e) });
      }
    } finally {
      table.removeAttribute('aria-busy');
    }
    renderTable();
    prev.disabled = page === 0;
    next.disabled = nextCursor === null;
    pageLabel.textContent = t('data.page', { page: page + 1 });
  }

  prev.addEventListener('click', () => {
    if (page > 0) {
      page -= 1;
      void load();
    }
  });
  next.addEventListener('click', () => {
    if (nextCursor) {
      cursors[page + 1] = nextCursor;
      page += 1;
      void load();
    }
  });

  const exportStatus = h('p', { class: 'export-status', role: 'status' });
  const exportButtons: HTMLButtonElement[] = [];
  async function exportFile(params: Record<string, string>): Promise<void> {
    exportButtons.forEach((b) => (b.disabled = true));
    exportStatus.textContent = t('data.export.preparing');
    let last = 0;
    try {
      const { blob, filename } = await download(
        '/api/v1/exports/persons',
        params,
        (received, total) => {
          const now = Date.now();
          if (now - last > 200) {
            last = now;
            exportStatus.textContent =
              total === null
                ? t('data.export.progress', { received: formatBytes(received) })
                : t('data.export.progress_of', {
                    received: formatBytes(received),
                    total: formatBytes(total),
                    percent: Math.round((100 * received) / total),
                  });
          }
        },
      );
      const href = URL.createObjectURL(blob);
      const a = h('a', { href, download: filename, hidden: true });
      document.body.appendChild(a);
      a.click();
      a.remove();
      window.setTimeout(() => URL.revokeObjectURL(href), 60000);
      exportStatus.textContent = t('data.export.done', {
        file: filename,
        size: formatBytes(blob.size),
      });
    } catch (e) {
      exportStatus.textContent =
        e instanceof ApiError && e.network
          ? t('app.error.network')
          : t('app.error.generic', { message: e instanceof Error ? e.message : String(e) });
    } finally {
      exportButtons.forEach((b) => (b.disabled = false));
    }
  }
  const exportButton = (params: Record<string, string>, label: StringKey) => {
    const button = h(
      'button',
      { type: 'button', class: 'secondary', onclick: () => void exportFile(params) },
      t(label),
    );
    exportButtons.push(button);
    return button;
  };

  replace(
    root,
    h(
      'div',
      { class: 'page data-page' },
      h('h1', null, t('data.title')),
      form,
      alert,
      h('div', { class: 'table-tools' }, status, h('p', { class: 'hint' }, t('data.sort.note'))),
      h(
        'div',
        {
          class: 'table-scroll',
          tabindex: '0',
          role: 'region',
          'aria-labelledby': 'data-table-caption',
        },
        table,
      ),
      h('nav', { class: 'pager', 'aria-label': t('data.pager') }, prev, pageLabel, next),
      h(
        'section',
        { class: 'panel export', 'aria-labelledby': 'export-h' },
        h('h2', { id: 'export-h' }, t('data.export')),
        h('p', { class: 'hint' }, t('data.export.note')),
        h(
          'p',
          { class: 'export-links' },
          exportButton({ format: 'csv' }, 'data.export.csv'),
          ' ',
          exportButton({ format: 'xlsx' }, 'data.export.xlsx'),
          ' ',
          exportButton({ format: 'geojson' }, 'data.export.geojson'),
          ' ',
          exportButton({ format: 'gpkg' }, 'data.export.gpkg'),
        ),
        h('h3', null, t('data.export.dtks')),
        h('p', { class: 'hint' }, t('data.export.dtks_note')),
        h(
          'p',
          { class: 'export-links' },
          exportButton({ layout: 'dtks', format: 'csv' }, 'data.export.dtks_csv'),
          ' ',
          exportButton({ layout: 'dtks', format: 'xlsx' }, 'data.export.dtks_xlsx'),
        ),
        exportStatus,
      ),
    ),
  );
  caption.id = 'data-table-caption';
  renderTable();

  void areaNames()
    .then((names) => {
      if (disposed) {
        return;
      }
      kelurahanNames = names.kelurahan;
      replace(
        kecSel,
        h('option', { value: '' }, t('filter.all')),
        names.kecamatan.map((k) =>
          h('option', { value: k.code, selected: k.code === value('kecamatan') }, k.name),
        ),
      );
      kecSel.value = value('kecamatan');
      fillKelurahan();
      renderTable();
    })
    .catch(() => undefined);
  void load();

  return () => {
    disposed = true;
    request?.abort();
  };
}
