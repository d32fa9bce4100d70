// Voucher (/voucher; merchant and admin): the e-warong's phone page for spending a
// beneficiary's voucher. Choose the programme and cycle (voucher programmes the merchant is
// assigned to), scan the card with the camera (jsQR, as the public verifier) or type its number
// (or find the person by name on the list, with a reason), see who it is and the balance, enter
// the amount in whole rupiah and a short note of the goods, confirm, and see the new balance.
// Each confirmation carries an Idempotency-Key: pressing again after a dropped connection never
// spends twice.
import { ApiError } from '../api';
import { formatRupiah, identify, parseRupiah } from '../aid';
import { aidApi, type AidCycle, type AidProgram } from '../aid_api';
import { actionRow, h, replace } from '../dom';
import { t, type StringKey } from '../i18n';
import { newIdempotencyKey } from '../person_form';
import { cardScanner, type CardScanner } from '../qr_scan';
import { navigate, type RouteContext } from '../router';
import { session } from '../session';
import {
  voucherApi,
  type Merchant,
  type VoucherBalance,
  type VoucherPerson,
  type VoucherWho,
} from '../voucher_api';
import { field } from './aid_form';
import { errorText } from './person_card';

/// The refusals a merchant meets, said in words.
const refusals: Record<string, StringKey> = {
  'aid.voucher_insufficient': 'voucher.refused.insufficient',
  'aid.already_delivered': 'voucher.refused.already_delivered',
  'aid.not_on_list': 'voucher.refused.not_on_list',
  'aid.cycle_closed': 'handover.refused.cycle_closed',
  'aid.not_assigned': 'handover.refused.not_assigned',
  'aid.list_state': 'handover.refused.list_state',
  'card.already_revoked': 'handover.refused.card_revoked',
  'card.credential_malformed': 'handover.refused.card_unreadable',
  idempotency_key_reused: 'voucher.refused.key_reused',
  not_found: 'handover.refused.not_found',
};

function refusalText(e: unknown): string {
  if (e instanceof ApiError && refusals[e.code]) {
    return t(refusals[e.code]);
  }
  return errorText(e);
}

export function voucherPage(root: HTMLElement, context: RouteContext): () => void {
  let disposed = false;
  let scanner: CardScanner | null = null;
  const isAdmin = session()?.user.role === 'admin';
  const programCode = context.query.get('program') ?? '';
  const cycleId = context.query.get('tahap') ?? '';
  const status = h('p', { class: 'notice', role: 'status', id: 'voucher-status' });
  const alert = h('p', { class: 'alert', role: 'alert', id: 'voucher-alert' });
  const chooser = h('div', { class: 'filters' }, t('app.loading'));
  const work = h('div');
  const whoBox = h('section', { class: 'panel', 'aria-labelledby': 'voucher-who-h', hidden: true });
  const formBox = h('div');
  let merchants: Merchant[] = [];
  replace(
    root,
    h(
      'div',
      { class: 'page narrow voucher-page' },
      h('h1', null, t('voucher.title')),
      h('p', null, t('voucher.intro')),
      chooser,
      alert,
      status,
      work,
    ),
  );

  const go = (program: string, tahap: string) => {
    const q = new URLSearchParams();
    if (program) q.set('program', program);
    if (tahap) q.set('tahap', tahap);
    const qs = q.toString();
    navigate(`/voucher${qs ? `?${qs}` : ''}`);
  };

  async function drawChooser(): Promise<void> {
    try {
      const programs = (await aidApi.programs()).items.filter(
        (p) => p.channel === 'voucher' && p.active !== false,
      );
      const cycles: AidCycle[] = programCode ? (await aidApi.cycles(programCode)).items : [];
      merchants = (await voucherApi.merchants()).items.filter((m) => m.active);
      if (disposed) {
        return;
      }
      if (programs.length === 0) {
        replace(chooser, h('p', null, t('voucher.no_programs')));
        return;
      }
      const programSelect = h(
        'select',
        { id: 'voucher-program' },
        h('option', { value: '' }, t('handover.choose')),
        programs.map((p: AidProgram) =>
          h('option', { value: p.code, selected: p.code === programCode }, p.name),
        ),
      );
      programSelect.addEventListener('change', () => go(programSelect.value, ''));
      const cycleSelect = h(
        'select',
        { id: 'voucher-cycle', disabled: !programCode },
        h('option', { value: '' }, t('handover.choose')),
        cycles.map((c) =>
          h('option', { value: c.id, selected: c.id === cycleId }, `${c.number}. ${c.name}`),
        ),
      );
      cycleSelect.addEventListener('change', () => go(programCode, cycleSelect.value));
      replace(
        chooser,
        h(
          'div',
          { class: 'field' },
          h('label', { for: programSelect.id }, t('handover.program')),
          programSelect,
        ),
        h(
          'div',
          { class: 'field' },
          h('label', { for: cycleSelect.id }, t('handover.cycle')),
          cycleSelect,
          programCode && cycles.length === 0 && h('p', { class: 'hint' }, t('handover.no_cycles')),
        ),
        merchants.length === 0 && h('p', { class: 'alert' }, t('voucher.no_merchant')),
      );
      if (cycleId && cycles.some((c) => c.id === cycleId)) {
        drawIdentify();
      }
    } catch (e) {
      replace(chooser, h('p', { class: 'alert', role: 'alert' }, errorText(e)));
    }
  }

  function drawIdentify(): void {
    whoBox.hidden = true;
    replace(whoBox);
    replace(formBox);
    const card = h('input', {
      id: 'voucher-card',
      autocomplete: 'off',
      autocapitalize: 'off',
      spellcheck: 'false',
    });
    const fc = field(t('handover.card'), card, t('handover.card.hint'));
    const check = h('button', { type: 'submit', class: 'button primary' }, t('handover.check'));
    scanner?.stop();
    scanner = cardScanner('voucher', (text) => {
      card.value = text;
      void lookUp({ qr: text });
    });
    const cardForm = h(
      'form',
      { novalidate: true, class: 'identify-form' },
      h('div', { class: 'form-actions' }, scanner.button),
      scanner.note,
      scanner.video,
      fc.row,
      h('div', { class: 'form-actions' }, check),
    );
    cardForm.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const who = identify(card.value);
      if (!who) {
        fc.setError(t('aid.required', { field: t('handover.card') }));
        return;
      }
      fc.setError(null);
      check.disabled = true;
      await lookUp(who);
      check.disabled = false;
    });

    const q = h('input', { id: 'voucher-name', type: 'search', autocomplete: 'off' });
    const fq = field(t('handover.name'), q);
    const reason = h('input', { id: 'voucher-reason' });
    const fr = field(t('handover.search_reason'), reason);
    const results = h('div', { 'aria-live': 'polite' });
    const nameForm = h(
      'form',
      { novalidate: true },
      fr.row,
      fq.row,
      h(
        'div',
        { class: 'form-actions' },
        h('button', { type: 'submit', class: 'button' }, t('handover.search')),
      ),
      results,
    );
    nameForm.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      fq.setError(null);
      fr.setError(null);
      if (!reason.value.trim()) {
        fr.setError(t('cycle.reason_required'));
        return;
      }
      if (q.value.trim().length < 3) {
        fq.setError(t('handover.name'));
        return;
      }
      try {
        const found = await voucherApi.search(cycleId, q.value.trim());
        replace(
          results,
          found.items.length === 0
            ? h('p', null, t('handover.search_none'))
            : h(
                'ul',
                { class: 'pick-list' },
                found.items.map((p) =>
                  h(
                    'li',
                    null,
                    h(
                      'button',
                      {
                        type: 'button',
                        class: 'button secondary',
                        onclick: () =>
                          void lookUp({
                            person_id: p.person_id,
                            search_reason: reason.value.trim(),
                          }),
                      },
                      t('handover.pick', { name: p.name }),
                    ),
                  ),
                ),
              ),
        );
      } catch (e) {
        replace(results, h('p', { class: 'alert', role: 'alert' }, refusalText(e)));
      }
    });

    replace(
      work,
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'voucher-identify-h' },
        h('h2', { id: 'voucher-identify-h' }, t('handover.identify')),
        cardForm,
        h('details', null, h('summary', null, t('handover.by_name')), nameForm),
      ),
      whoBox,
      formBox,
    );
  }

  async function lookUp(who: VoucherWho): Promise<void> {
    alert.textContent = '';
    status.textContent = '';
    try {
      const found = await voucherApi.holder(cycleId, who);
      if (disposed) {
        return;
      }
      drawWho(found.person, found.balance);
      if (found.balance.balance > 0) {
        drawForm(who, found.person, found.balance.balance);
      } else {
        replace(formBox);
        alert.textContent = t('voucher.empty', { name: found.person.name });
      }
    } catch (e) {
      whoBox.hidden = true;
      replace(formBox);
      alert.textContent = refusalText(e);
    }
  }

  function drawWho(person: VoucherPerson, balance: VoucherBalance): void {
    whoBox.hidden = false;
    replace(
      whoBox,
      h('h2', { id: 'voucher-who-h' }, t('handover.who')),
      h(
        'dl',
        { class: 'facts' },
        h('dt', null, t('handover.who.name')),
        h('dd', { id: 'voucher-name-shown' }, person.name),
        h('dt', null, t('handover.who.card')),
        h('dd', null, person.card_number ?? t('handover.who.no_card')),
        h('dt', null, t('voucher.entitled')),
        h('dd', null, formatRupiah(balance.entitled)),
        h('dt', null, t('voucher.spent')),
        h('dd', null, formatRupiah(balance.spent)),
        h('dt', null, t('voucher.balance')),
        h('dd', { id: 'voucher-balance', class: 'ok' }, formatRupiah(balance.balance)),
      ),
    );
  }

  function drawForm(who: VoucherWho, person: VoucherPerson, left: number): void {
    // One key per attempt: kept while the same confirmation is retried, new after an answer.
    let key = newIdempotencyKey();
    const amount = h('input', { id: 'voucher-amount', inputmode: 'numeric', autocomplete: 'off' });
    const fa = field(t('voucher.amount'), amount, t('voucher.amount.hint'));
    const note = h('input', { id: 'voucher-note', maxlength: 500 });
    const fn = field(t('voucher.note'), note);
    const shop = h(
      'select',
      { id: 'voucher-merchant' },
      merchants.map((m) => h('option', { value: m.id }, m.name)),
    );
    const fs = field(t('voucher.merchant'), shop);
    const submit = h('button', { type: 'submit', class: 'button primary' }, t('voucher.confirm'));
    const form = h(
      'form',
      { novalidate: true, class: 'panel voucher-form' },
      fa.row,
      fn.row,
      (isAdmin || merchants.length > 1) && fs.row,
      h('div', { class: 'form-actions' }, submit),
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      fa.setError(null);
      const rupiah = parseRupiah(amount.value);
      if (rupiah === null || rupiah <= 0) {
        fa.setError(t('voucher.amount.invalid'));
        return;
      }
      if (rupiah > left) {
        // Said before sending; the server refuses it too (aid.voucher_insufficient).
        fa.setError(t('voucher.refused.insufficient'));
        alert.textContent = t('voucher.refused.insufficient');
        return;
      }
      submit.disabled = true;
      form.setAttribute('aria-busy', 'true');
      alert.textContent = '';
      try {
        const done = await voucherApi.redeem(
          cycleId,
          {
            ...who,
            amount: rupiah,
            ...(note.value.trim() ? { note: note.value.trim() } : {}),
            ...(shop.value ? { merchant_id: shop.value } : {}),
          },
          key,
        );
        key = newIdempotencyKey();
        drawWho(person, done.balance);
        replace(formBox, nextButton());
        replace(
          status,
          h(
            'span',
            { class: 'success', id: 'voucher-success' },
            '✓ ',
            t('voucher.success', {
              amount: formatRupiah(done.transaction.amount),
              name: person.name,
              balance: formatRupiah(done.balance.balance),
            }),
            done.replayed ? ` ${t('voucher.replayed')}` : '',
          ),
        );
      } catch (e) {
        form.removeAttribute('aria-busy');
        submit.disabled = false;
        if (e instanceof ApiError && (e.network || e.status >= 500 || e.status === 429)) {
          // The same key on the next press: never spent twice.
          alert.textContent = e.network ? t('voucher.offline') : errorText(e);
          return;
        }
        key = newIdempotencyKey();
        alert.textContent = refusalText(e);
      }
    });
    replace(formBox, form);
    amount.focus();
  }

  function nextButton(): HTMLElement {
    return actionRow(t('handover.new'), () => {
      status.textContent = '';
      alert.textContent = '';
      drawIdentify();
      (document.getElementById('voucher-card') as HTMLInputElement | null)?.focus();
    });
  }

  void drawChooser();
  return () => {
    disposed = true;
    scanner?.stop();
  };
}
