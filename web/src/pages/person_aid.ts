// The Detail page's "Bantuan yang diterima": every delivery of aid to the person, every programme
// and cycle, oldest first (GET /api/v1/persons/{id}/aid) — a handover, a transfer line (a failed
// one with the bank's reason) or a voucher entitlement.
import { formatRupiah } from '../aid';
import { aidApi, type PersonAid } from '../aid_api';
import { h, replace, uid } from '../dom';
import { formatInstant, formatNumber, t, tCode } from '../i18n';
import { errorText } from './person_card';

export function aidSection(personId: string): HTMLElement {
  const headingId = uid('aid-h');
  const body = h('div', { 'aria-busy': 'true' }, t('app.loading'));
  const section = h(
    'section',
    { class: 'panel person-aid', 'aria-labelledby': headingId, id: 'bantuan' },
    h('h2', { id: headingId }, t('person.aid.title')),
    body,
  );
  aidApi
    .personAid(personId)
    .then(({ items }) =>
      replace(body, items.length === 0 ? h('p', null, t('person.aid.none')) : table(items)),
    )
    .catch((e: unknown) => replace(body, h('p', { class: 'alert', role: 'alert' }, errorText(e))))
    .finally(() => body.removeAttribute('aria-busy'));
  return section;
}

function table(items: PersonAid[]): HTMLElement {
  const columns = [
    'person.aid.col.program',
    'person.aid.col.cycle',
    'person.aid.col.channel',
    'person.aid.col.state',
    'person.aid.col.amount',
    'person.aid.col.at',
  ] as const;
  return h(
    'table',
    { class: 'data-table', id: 'person-aid-table' },
    h('caption', null, t('person.aid.caption', { count: formatNumber(items.length) })),
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        columns.map((c) => h('th', { scope: 'col' }, t(c))),
      ),
    ),
    h(
      'tbody',
      null,
      items.map((d) => {
        const state =
          tCode('person.aid.state', d.state) + (d.fail_reason ? ` (${d.fail_reason})` : '');
        const cells = [
          d.program_name,
          d.cycle_name ? `${d.cycle_number}. ${d.cycle_name}` : String(d.cycle_number),
          tCode('aid.channel', d.channel),
          state,
          d.amount > 0 ? formatRupiah(d.amount) : '—',
          formatInstant(d.recorded_at),
        ];
        return h(
          'tr',
          null,
          cells.map((text, i) => h('td', { 'data-label': t(columns[i]) }, text)),
        );
      }),
    ),
  );
}
