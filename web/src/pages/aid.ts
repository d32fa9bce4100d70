// Bantuan (/bantuan; admin, operator, auditor, viewer): the social assistance programmes with
// their cycles; an admin creates a programme (with a preview of its rule: matched persons per
// kelurahan as a table and a bar chart), changes one (name, value, rule, the programmes it
// excludes, who delivers it, active or not; the code stays) and adds cycles (dates, quotas per
// kelurahan, site).
import {
  aidApi,
  type AidCycle,
  type AidProgram,
  type AidProgramInput,
  type AidPreview,
} from '../aid_api';
import { formatRupiah, parseRupiah, quotasFrom } from '../aid';
import { api, ApiError, type User } from '../api';
import { areaNames, nameOf, type AreaName } from '../areas';
import { barChart } from '../charts';
import { h, replace, uid } from '../dom';
import { formatDate, formatNumber, t, tCode } from '../i18n';
import { session } from '../session';
import { field, placeFieldErrors, type Field } from './aid_form';
import { errorText } from './person_card';

export const aidSources = ['APBN', 'APBD', 'CSR'];
export const aidKinds = ['barang', 'alat_bantu', 'tunai', 'voucher', 'layanan'];
export const aidChannels = ['langsung', 'transfer', 'voucher'];

function options(values: string[], prefix: string): HTMLOptionElement[] {
  return values.map((v) => h('option', { value: v }, tCode(prefix, v)));
}

export function aidPage(root: HTMLElement): () => void {
  let disposed = false;
  const role = session()?.user.role ?? '';
  const isAdmin = role === 'admin';
  const status = h('p', { class: 'notice', role: 'status' });
  const list = h('div', { class: 'aid-programs', 'aria-busy': 'true' }, t('app.loading'));
  const createBox = h('div');
  replace(
    root,
    h(
      'div',
      { class: 'page aid-page' },
      h('h1', null, t('aid.title')),
      h('p', null, t('aid.intro')),
      status,
      createBox,
      h('h2', null, t('aid.programs')),
      list,
    ),
  );

  let kelurahan: AreaName[] = [];
  let allPrograms: AidProgram[] = [];
  /// Penyalur and merchant accounts a programme can be assigned to (admins only).
  let deliverers: User[] = [];

  async function load(message = ''): Promise<void> {
    list.setAttribute('aria-busy', 'true');
    try {
      const [programs, names, users] = await Promise.all([
        aidApi.programs(),
        areaNames(),
        isAdmin ? api.users().catch(() => ({ items: [] as User[] })) : { items: [] as User[] },
      ]);
      kelurahan = names.kelurahan;
      allPrograms = programs.items;
      deliverers = users.items.filter(
        (u) => (u.role === 'penyalur' || u.role === 'merchant') && !u.disabled,
      );
      const cycles = await Promise.all(programs.items.map((p) => aidApi.cycles(p.code)));
      if (disposed) {
        return;
      }
      list.removeAttribute('aria-busy');
      replace(
        list,
        programs.items.length === 0
          ? h('p', null, t('aid.none'))
          : programs.items.map((p, i) => programSection(p, cycles[i].items)),
      );
      status.textContent = message;
    } catch (e) {
      list.removeAttribute('aria-busy');
      replace(list, h('p', { class: 'alert', role: 'alert' }, errorText(e)));
    }
  }

  function programSection(p: AidProgram, cycles: AidCycle[]): HTMLElement {
    const headingId = `program-${p.code}`;
    return h(
      'section',
      { class: 'panel aid-program', 'aria-labelledby': headingId },
      h('h3', { id: headingId }, `${p.name} (${p.code})`),
      h(
        'dl',
        { class: 'facts' },
        h('dt', null, t('aid.source')),
        h('dd', null, tCode('aid.source', p.source)),
        h('dt', null, t('aid.kind')),
        h('dd', null, tCode('aid.kind', p.kind)),
        h('dt', null, t('aid.channel')),
        h('dd', null, tCode('aid.channel', p.channel)),
        h('dt', null, t('aid.unit_value')),
        h('dd', null, formatRupiah(p.unit_value)),
        h('dt', null, t('aid.rule')),
        h('dd', null, p.rule ? h('code', { class: 'rule' }, p.rule) : t('aid.rule.none')),
        h('dt', null, t('aid.excludes')),
        h(
          'dd',
          null,
          p.excludes && p.excludes.length > 0
            ? p.excludes.map((c) => allPrograms.find((x) => x.code === c)?.name ?? c).join(', ')
            : t('aid.excludes.none'),
        ),
        h('dt', null, t('aid.active')),
        h('dd', null, p.active === false ? t('aid.active.no') : t('aid.active.yes')),
      ),
      isAdmin &&
        h(
          'details',
          { class: 'program-edit' },
          h('summary', null, t('aid.edit', { name: p.name })),
          programForm(p),
        ),
      h('h4', null, t('aid.cycles')),
      cycles.length === 0
        ? h('p', null, t('aid.cycles.none'))
        : h(
            'ul',
            { class: 'cycle-list' },
            cycles.map((c) =>
              h(
                'li',
                null,
                h(
                  'a',
                  { href: `/bantuan/tahap/${encodeURIComponent(c.id)}` },
                  t('aid.cycle.open', { number: c.number, name: c.name }),
                ),
                ' — ',
                tCode('aid.state', c.list_state),
                c.starts_on &&
                  c.ends_on &&
                  ` · ${t('aid.cycle.dates', {
                    starts: formatDate(c.starts_on),
                    ends: formatDate(c.ends_on),
                  })}`,
              ),
            ),
          ),
      isAdmin && cycleForm(p, cycles),
    );
  }

  function cycleForm(p: AidProgram, cycles: AidCycle[]): HTMLElement {
    const prefix = uid(`cycle-${p.code}`);
    const input = (name: string, attrs: Record<string, string> = {}) =>
      h('input', { id: `${prefix}-${name}`, name, ...attrs });
    const next = cycles.reduce((m, c) => Math.max(m, c.number), 0) + 1;
    const f: Record<string, Field> = {
      number: field(
        t('aid.cycle.number'),
        input('number', { type: 'number', min: '1', value: String(next) }),
      ),
      name: field(t('aid.cycle.name'), input('name', { value: `Tahap ${next}` })),
      starts_on: field(t('aid.cycle.starts'), input('starts_on', { type: 'date' })),
      ends_on: field(t('aid.cycle.ends'), input('ends_on', { type: 'date' })),
      site_lat: field(t('aid.cycle.site_lat'), input('site_lat', { inputmode: 'decimal' })),
      site_lon: field(t('aid.cycle.site_lon'), input('site_lon', { inputmode: 'decimal' })),
    };
    const quotaInputs = new Map<string, HTMLInputElement>();
    const quotaError = h('p', { class: 'field-error', id: `${prefix}-quotas-error`, hidden: true });
    const quotas = h(
      'fieldset',
      { class: 'quota-grid', 'aria-describedby': quotaError.id },
      h('legend', null, t('aid.cycle.quotas')),
      kelurahan.map((k) => {
        const q = h('input', {
          id: `${prefix}-q-${k.code}`,
          type: 'number',
          min: '0',
          inputmode: 'numeric',
        });
        quotaInputs.set(k.code, q);
        return h('div', { class: 'field' }, h('label', { for: q.id }, k.name), q);
      }),
      quotaError,
    );
    const formStatus = h('p', { class: 'notice', role: 'status' });
    const submit = h('button', { type: 'submit', class: 'button primary' }, t('aid.cycle.create'));
    const form = h(
      'form',
      { class: 'cycle-form', novalidate: true },
      Object.values(f).map((x) => x.row),
      quotas,
      h('div', { class: 'form-actions' }, submit),
      formStatus,
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      Object.values(f).forEach((x) => x.setError(null));
      quotaError.hidden = true;
      const value = (k: string) => f[k].control.value.trim();
      for (const k of ['number', 'name', 'starts_on', 'ends_on']) {
        if (!value(k)) {
          f[k].setError(
            t('aid.required', { field: f[k].row.querySelector('label')!.textContent! }),
          );
          return;
        }
      }
      const inputs: Record<string, string> = {};
      quotaInputs.forEach((q, code) => (inputs[code] = q.value));
      const parsed = quotasFrom(inputs);
      if ('bad' in parsed) {
        quotaError.textContent = t('aid.cycle.quota_bad', { area: nameOf(kelurahan, parsed.bad) });
        quotaError.hidden = false;
        quotaInputs.get(parsed.bad)?.setAttribute('aria-invalid', 'true');
        quotaInputs.get(parsed.bad)?.focus();
        return;
      }
      const lat = value('site_lat').replace(',', '.');
      const lon = value('site_lon').replace(',', '.');
      if (
        (lat === '') !== (lon === '') ||
        (lat && (!Number.isFinite(+lat) || !Number.isFinite(+lon)))
      ) {
        f.site_lat.setError(t('aid.cycle.site_bad'));
        return;
      }
      submit.disabled = true;
      formStatus.textContent = t('cycle.busy');
      try {
        const c = await aidApi.createCycle(p.code, {
          number: Number(value('number')),
          name: value('name'),
          starts_on: value('starts_on'),
          ends_on: value('ends_on'),
          quotas: parsed.quotas,
          site: lat ? { lat: Number(lat), lon: Number(lon) } : null,
        });
        await load(t('aid.cycle.created', { name: c.name }));
      } catch (e) {
        submit.disabled = false;
        formStatus.textContent = placeFieldErrors(e, f) ? '' : errorText(e);
      }
    });
    return h('details', { class: 'panel' }, h('summary', null, t('aid.cycle.new')), form);
  }

  /// The programme form: a new programme when `existing` is null, else a change of it (PUT with
  /// If-Match; the code cannot change).
  function programForm(existing: AidProgram | null): HTMLFormElement {
    const prefix = existing ? uid(`program-edit-${existing.code}`) : 'program';
    const input = (name: string, attrs: Record<string, string> = {}) =>
      h('input', { id: `${prefix}-${name}`, name, ...attrs });
    const sel = (name: string, values: string[], codePrefix: string) =>
      h('select', { id: `${prefix}-${name}`, name }, options(values, codePrefix));
    const rule = h('textarea', {
      id: `${prefix}-rule`,
      name: 'rule',
      rows: 3,
      spellcheck: 'false',
    });
    const previewResult = h('div', { class: 'preview-result', 'aria-live': 'polite' });
    const previewButton = h('button', { type: 'button', class: 'button' }, t('aid.preview'));
    const code = input('code', { autocomplete: 'off' });
    const f: Record<string, Field> = {
      code: field(t('aid.code'), code, existing ? t('aid.code.fixed') : t('aid.code.hint')),
      name: field(t('aid.name'), input('name')),
      source: field(t('aid.source'), sel('source', aidSources, 'aid.source')),
      kind: field(t('aid.kind'), sel('kind', aidKinds, 'aid.kind')),
      channel: field(t('aid.channel'), sel('channel', aidChannels, 'aid.channel')),
      unit_value: field(
        t('aid.unit_value'),
        input('unit_value', { inputmode: 'numeric', autocomplete: 'off' }),
      ),
      rule: field(t('aid.rule'), rule, t('aid.rule.hint'), h('div', null, previewButton)),
    };
    const checkboxes = (
      legend: string,
      empty: string,
      name: string,
      items: { value: string; label: string; checked: boolean }[],
    ) => {
      const boxes = items.map((item, i) =>
        h('input', {
          type: 'checkbox',
          id: `${prefix}-${name}-${i}`,
          value: item.value,
          name,
          checked: item.checked,
        }),
      );
      const set = h(
        'fieldset',
        null,
        h('legend', null, legend),
        items.length === 0
          ? h('p', null, empty)
          : items.map((item, i) =>
              h(
                'div',
                { class: 'field checkbox' },
                boxes[i],
                h('label', { for: boxes[i].id }, item.label),
              ),
            ),
      );
      return { set, checked: () => boxes.filter((b) => b.checked).map((b) => b.value) };
    };
    const assignees = checkboxes(
      t('aid.assignees'),
      t('aid.assignees.none'),
      'assignees',
      deliverers.map((u) => ({
        value: u.id,
        label: `${u.display_name || u.username} (${u.username}, ${tCode('role', u.role)})`,
        checked: existing?.assignees?.includes(u.id) ?? false,
      })),
    );
    const excludes = checkboxes(
      t('aid.excludes'),
      t('aid.excludes.no_others'),
      'excludes',
      allPrograms
        .filter((other) => other.code !== existing?.code)
        .map((other) => ({
          value: other.code,
          label: `${other.name} (${other.code})`,
          checked: existing?.excludes?.includes(other.code) ?? false,
        })),
    );
    const active = h('input', {
      type: 'checkbox',
      id: `${prefix}-active`,
      name: 'active',
      checked: existing ? existing.active !== false : true,
    });
    const formStatus = h('p', { class: 'notice', role: 'status' });
    const submit = h(
      'button',
      { type: 'submit', class: 'button primary' },
      existing ? t('aid.save') : t('aid.create'),
    );
    const form = h(
      'form',
      { class: 'program-form', novalidate: true },
      Object.values(f).map((x) => x.row),
      previewResult,
      excludes.set,
      assignees.set,
      existing &&
        h(
          'div',
          { class: 'field checkbox' },
          active,
          h('label', { for: active.id }, t('aid.active.label')),
        ),
      h('div', { class: 'form-actions' }, submit),
      formStatus,
    );
    if (existing) {
      code.value = existing.code;
      code.readOnly = true;
      f.name.control.value = existing.name;
      f.source.control.value = existing.source;
      f.kind.control.value = existing.kind;
      f.channel.control.value = existing.channel;
      f.unit_value.control.value = String(existing.unit_value);
      rule.value = existing.rule ?? '';
    }

    previewButton.addEventListener('click', async () => {
      f.rule.setError(null);
      previewButton.disabled = true;
      previewResult.setAttribute('aria-busy', 'true');
      replace(previewResult, h('p', { class: 'busy' }, t('aid.preview.busy')));
      try {
        const r = await aidApi.preview(rule.value);
        replace(previewResult, previewView(r, kelurahan));
      } catch (e) {
        replace(previewResult);
        if (!placeFieldErrors(e, f)) {
          replace(previewResult, h('p', { class: 'alert', role: 'alert' }, errorText(e)));
        }
      } finally {
        previewButton.disabled = false;
        previewResult.removeAttribute('aria-busy');
      }
    });

    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      Object.values(f).forEach((x) => x.setError(null));
      const value = (k: string) => f[k].control.value.trim();
      for (const k of ['code', 'name']) {
        if (!value(k)) {
          f[k].setError(
            t('aid.required', { field: f[k].row.querySelector('label')!.textContent! }),
          );
          return;
        }
      }
      const unit = parseRupiah(value('unit_value'));
      if (unit === null) {
        f.unit_value.setError(t('aid.unit_value.bad'));
        return;
      }
      const body: AidProgramInput = {
        code: value('code'),
        name: value('name'),
        source: value('source'),
        kind: value('kind'),
        channel: value('channel'),
        unit_value: unit,
        rule: rule.value.trim(),
        excludes: excludes.checked(),
        assignees: assignees.checked(),
      };
      submit.disabled = true;
      formStatus.textContent = t('cycle.busy');
      try {
        if (existing) {
          const p = await aidApi.updateProgram(
            existing.code,
            { ...body, active: active.checked },
            existing.version,
          );
          await load(t('aid.saved', { name: p.name }));
        } else {
          const p = await aidApi.createProgram(body);
          form.reset();
          replace(previewResult);
          formStatus.textContent = '';
          await load(t('aid.created', { name: p.name }));
          drawCreateForm();
        }
      } catch (e) {
        if (isConflict(e)) {
          await load(t('aid.conflict'));
          return;
        }
        formStatus.textContent = placeFieldErrors(e, f) ? '' : errorText(e);
      } finally {
        submit.disabled = false;
      }
    });
    return form;
  }

  function drawCreateForm(): void {
    if (disposed) {
      return;
    }
    replace(
      createBox,
      h(
        'details',
        { class: 'panel', id: 'program-new' },
        h('summary', null, t('aid.new')),
        programForm(null),
      ),
    );
  }

  void load().then(() => {
    if (isAdmin) {
      drawCreateForm();
    }
  });
  return () => {
    disposed = true;
  };
}

/// The preview's answer: the total, then a table and a bar chart of matches per kelurahan.
export function previewView(r: AidPreview, kelurahan: AreaName[]): HTMLElement {
  const rows = Object.entries(r.per_kelurahan)
    .map(([code, count]) => ({ code, name: nameOf(kelurahan, code), count }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const caption = t('aid.preview.chart');
  return h(
    'div',
    { class: 'preview' },
    h(
      'p',
      { class: 'preview-total' },
      t('aid.preview.result', {
        matched: formatNumber(r.matched),
        evaluated: formatNumber(r.evaluated),
      }),
    ),
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'data-table', id: 'preview-table' },
        h('caption', null, caption),
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', { scope: 'col' }, t('aid.preview.col.kelurahan')),
            h('th', { scope: 'col', class: 'num' }, t('aid.preview.col.count')),
          ),
        ),
        h(
          'tbody',
          null,
          rows.map((row) =>
            h(
              'tr',
              { 'data-code': row.code },
              h('th', { scope: 'row' }, row.name),
              h('td', { class: 'num' }, formatNumber(row.count)),
            ),
          ),
        ),
      ),
    ),
    barChart(
      'preview-chart',
      caption,
      [t('aid.preview.col.kelurahan'), t('aid.preview.col.count')],
      rows.map((row) => ({ key: row.code, label: row.name, value: row.count })),
    ),
  );
}

/// True when the error means someone else changed the record meanwhile.
export function isConflict(e: unknown): boolean {
  return e instanceof ApiError && e.status === 412;
}
