// Layanan (pindai kartu) (/layanan; admin and operator): opens a service request by the card.
// The card's QR is read with the phone's camera or pasted/typed (keyboard and screen-reader
// users), checked on the device with the published keys and revocation list (verifier.ts,
// verifier_cache.ts: a revoked, expired or forged card is refused here, online or not), the
// holder shown (with the person's details when the device keeps them), a service picked from the
// catalogue (the server's, or offline the one kept on the device) and the request sent with an
// Idempotency-Key made here. When the server cannot be reached it goes into the device's queue as
// a `service.request` op under the same key (docs/sync.md), so a request whose answer was lost
// is opened once.
import { api, ApiError } from '../api';
import { areaNames, nameOf } from '../areas';
import { actionRow, h, replace } from '../dom';
import { formatInstant, locale, t, tCode, type StringKey } from '../i18n';
import { offered, serviceName, type Catalogue } from '../offline/catalogue';
import {
  canQueue,
  isNetworkFailure,
  localPersons,
  queueServiceRequest,
  serviceCatalogue,
} from '../offline/device';
import type { LocalPerson } from '../offline/sync';
import { uuidv7 } from '../offline/uuidv7';
import { cardScanner, type CardScanner } from '../qr_scan';
import {
  attemptFor,
  cardUse,
  holderOnDevice,
  isoBirthDate,
  scanBody,
  type Attempt,
} from '../service_request';
import type { VerifyResult } from '../verifier';
import { field } from './aid_form';
import { errorText } from './person_card';

/// The card's state as an icon beside its words (as on the public verifier): never colour alone.
const icons: Record<string, string> = {
  valid: '✓',
  invalid_signature: '✗',
  malformed: '✗',
  unknown_key: '?',
  unsigned: '?',
  no_keys: '?',
  revoked: '⊘',
  expired: '⌛',
  not_yet_valid: '⌛',
};

/// Checks a QR with what the device holds (the verifier loads on first use: its CBOR, zlib and
/// Ed25519 code stay out of the main bundle; the service worker keeps the chunk offline).
async function checkOnDevice(qr: string): Promise<{ result: VerifyResult; haveKeys: boolean }> {
  const [{ verifyCredential }, { storedTrust }] = await Promise.all([
    import('../verifier'),
    import('../verifier_cache'),
  ]);
  const trust = storedTrust();
  return {
    result: verifyCredential(qr, trust.keys, trust.list, new Date()),
    haveKeys: trust.keys.length > 0,
  };
}

/// Why a card is refused, in words: the verifier's title and what it means.
function refusal(status: string, r: VerifyResult): string {
  const title = t(`verify.status.${status}` as StringKey);
  const instant = (d: Date | null | undefined) => (d ? formatInstant(d.toISOString()) : '—');
  let detail: string;
  switch (status) {
    case 'revoked':
      detail = t('verify.status.revoked.detail', {
        when: instant(r.revocation?.revokedAt),
        reason: tCode('reason', r.revocation?.reason ?? ''),
      });
      break;
    case 'expired':
      detail = t('verify.status.expired.detail', { when: instant(r.card?.expiresAt) });
      break;
    case 'not_yet_valid':
      detail = t('verify.status.not_yet_valid.detail', { when: instant(r.card?.notBefore) });
      break;
    case 'unknown_key':
      detail = t('verify.status.unknown_key.detail', { what: r.what ?? '' });
      break;
    case 'malformed':
      detail = t('svcscan.refused.malformed');
      break;
    case 'no_keys':
      detail = t('svcscan.refused.no_keys');
      break;
    default:
      detail = t(`verify.status.${status}.detail` as StringKey);
  }
  return t('svcscan.refused', { status: title, detail });
}

export function serviceScanPage(root: HTMLElement): () => void {
  let disposed = false;
  let scanner: CardScanner | null = null;
  let catalogue: Catalogue | null = null;
  /// The key of the last request sent and its body: the same request sent again keeps its key.
  let attempt: Attempt | null = null;
  const status = h('p', { class: 'notice', role: 'status', id: 'svcscan-status' });
  const alert = h('p', { class: 'alert', role: 'alert', id: 'svcscan-alert' });
  const source = h('p', { class: 'notice', id: 'svcscan-source', hidden: true });
  const holderBox = h('section', {
    class: 'panel',
    'aria-labelledby': 'svcscan-holder-h',
    id: 'svcscan-holder',
    hidden: true,
  });
  const formBox = h('div');

  // One line: a QR scanner that types like a keyboard ends with Enter, which checks the card.
  const qr = h('input', {
    id: 'svcscan-qr',
    name: 'qr',
    inputmode: 'text',
    autocomplete: 'off',
    autocapitalize: 'off',
    spellcheck: 'false',
  });
  const fq = field(t('svcscan.qr'), qr, t('svcscan.qr.hint'));
  const check = h('button', { type: 'submit', class: 'button primary' }, t('svcscan.check'));
  scanner = cardScanner('svcscan', (text) => {
    qr.value = text;
    fq.setError(null);
    void checkCard(text);
  });
  const cardForm = h(
    'form',
    { novalidate: true, class: 'identify-form' },
    h('div', { class: 'form-actions' }, scanner.button),
    scanner.note,
    scanner.video,
    fq.row,
    h('div', { class: 'form-actions' }, check),
  );
  cardForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (!qr.value.trim()) {
      fq.setError(t('svcscan.qr.required'));
      return;
    }
    fq.setError(null);
    void checkCard(qr.value);
  });

  replace(
    root,
    h(
      'div',
      { class: 'page narrow service-scan-page' },
      h('h1', null, t('svcscan.title')),
      h('p', null, t('svcscan.intro')),
      source,
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'svcscan-card-h' },
        h('h2', { id: 'svcscan-card-h' }, t('svcscan.card')),
        cardForm,
      ),
      alert,
      status,
      holderBox,
      formBox,
    ),
  );

  async function loadCatalogue(): Promise<void> {
    try {
      catalogue = await serviceCatalogue();
    } catch (e) {
      catalogue = null;
      if (!disposed) {
        source.hidden = false;
        source.textContent = isNetworkFailure(e) ? t('svc.catalogue.missing') : errorText(e);
      }
      return;
    }
    if (disposed) {
      return;
    }
    source.hidden = catalogue.from === 'server';
    source.textContent =
      catalogue.from === 'device'
        ? t('svcscan.offline', { when: catalogue.at ? formatInstant(catalogue.at) : '—' })
        : '';
    if (catalogue.from === 'server') {
      // Online: the published keys and revocation list, for checking cards offline later.
      void import('../verifier_cache').then((m) => m.refreshTrust()).catch(() => undefined);
    }
  }
  const catalogueLoaded = loadCatalogue();

  async function checkCard(text: string): Promise<void> {
    alert.textContent = '';
    status.textContent = '';
    replace(formBox);
    check.disabled = true;
    check.textContent = t('svcscan.checking');
    let checked: { result: VerifyResult; haveKeys: boolean };
    try {
      checked = await checkOnDevice(text);
    } finally {
      check.disabled = false;
      check.textContent = t('svcscan.check');
    }
    if (disposed) {
      return;
    }
    const use = cardUse(checked.result, checked.haveKeys);
    const card = checked.result.card;
    const person =
      use.ok && card
        ? holderOnDevice(await localPersons().catch(() => [] as LocalPerson[]), {
            fullName: card.fullName,
            dateOfBirth: isoBirthDate(card.dateOfBirth),
            kelurahan: card.kelurahan,
          })
        : null;
    await drawHolder(checked.result, use.ok ? 'valid' : use.status, person);
    if (!use.ok) {
      alert.textContent = refusal(use.status, checked.result);
      return;
    }
    await catalogueLoaded;
    if (!disposed) {
      drawForm(text, use.name, person);
    }
  }

  async function drawHolder(
    r: VerifyResult,
    state: string,
    person: LocalPerson | null,
  ): Promise<void> {
    const kelurahan = async (code: string): Promise<string> =>
      code ? nameOf((await areaNames().catch(() => ({ kelurahan: [] }))).kelurahan, code) : '—';
    const c = r.card;
    const ok = state === 'valid';
    const rows: [string, string, string?][] = [
      [t('svcscan.holder.name'), c?.fullName || '—', 'svcscan-name'],
      [t('svcscan.holder.number'), c ? formatNumber(c.number) : '—', 'svcscan-number'],
      [t('svcscan.person.kelurahan'), await kelurahan(c?.kelurahan ?? ''), 'svcscan-kelurahan'],
    ];
    const stateText = `${icons[state] ?? '✗'} ${t(`verify.status.${state}` as StringKey)}`;
    const personRows: HTMLElement[] = [];
    if (person) {
      personRows.push(
        h('dt', null, t('svcscan.person.nik')),
        h('dd', null, person.nik_masked || '—'),
        h('dt', null, t('svcscan.person.birth')),
        h('dd', null, person.birth_date || '—'),
        h('dt', null, t('svcscan.person.categories')),
        h(
          'dd',
          null,
          person.categories.length
            ? person.categories.map((k) => tCode('category', k)).join(', ')
            : '—',
        ),
        h('dt', null, t('svcscan.person.status')),
        h('dd', null, tCode('status', person.status)),
      );
    }
    if (disposed) {
      return;
    }
    holderBox.hidden = false;
    replace(
      holderBox,
      h('h2', { id: 'svcscan-holder-h' }, t('svcscan.holder')),
      h(
        'dl',
        { class: 'facts' },
        rows.map(([k, v, id]) => [h('dt', null, k), h('dd', { id }, v)]),
        h('dt', null, t('svcscan.holder.state')),
        h('dd', { class: ok ? 'ok' : 'bad', id: 'svcscan-card-state' }, stateText),
        personRows,
      ),
      ok &&
        (person
          ? h(
              'p',
              null,
              h(
                'a',
                { href: `/orang/${person.id}`, id: 'svcscan-person' },
                t('svcscan.person.open'),
              ),
            )
          : h('p', { class: 'hint', id: 'svcscan-person-none' }, t('svcscan.person.none'))),
    );
  }

  function drawForm(qrText: string, name: string, person: LocalPerson | null): void {
    if (!catalogue) {
      replace(formBox, h('p', { class: 'alert', role: 'alert' }, t('svc.catalogue.missing')));
      return;
    }
    const items = catalogue.items;
    const lang = locale();
    const service = h(
      'select',
      { id: 'svcscan-service', name: 'service', required: true },
      h('option', { value: '' }, t('svc.service.choose')),
      offered(items).map((s) => h('option', { value: s.code }, serviceName(items, s.code, lang))),
    );
    const fs = field(t('svc.service'), service);
    const note = h('textarea', { id: 'svcscan-note', name: 'note', rows: 2, maxlength: 1000 });
    const fn = field(t('svc.note'), note);
    const submit = h('button', { type: 'submit', class: 'button primary' }, t('svcscan.submit'));
    const form = h(
      'form',
      { novalidate: true, class: 'panel service-scan-form' },
      h(
        'fieldset',
        null,
        h('legend', null, t('svcscan.legend', { name })),
        fs.row,
        fn.row,
        h('div', { class: 'form-actions' }, submit),
      ),
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      if (!service.value) {
        fs.setError(t('svc.service.required'));
        return;
      }
      fs.setError(null);
      const body = scanBody(qrText, service.value, note.value);
      const label = `${name} — ${serviceName(items, body.service, lang)}`;
      // One key per request, made here: sent again unchanged, the server opens it once.
      attempt = attemptFor(attempt, body, () => uuidv7());
      const key = attempt.key;
      submit.disabled = true;
      submit.textContent = t('svc.sending');
      form.setAttribute('aria-busy', 'true');
      alert.textContent = '';
      status.textContent = t('svc.sending');
      /// The request is opened (or kept on the device): said in the status region, then the
      /// next card.
      const done = (message: string, personId: string | null) => {
        attempt = null;
        holderBox.hidden = true;
        qr.value = '';
        replace(status, h('span', { class: 'success', id: 'svcscan-done' }, '✓ ', message));
        replace(
          formBox,
          personId &&
            h('p', null, h('a', { href: `/orang/${personId}#layanan` }, t('svcscan.person.open'))),
          nextButton(),
        );
        (formBox.querySelector('.form-actions button') as HTMLButtonElement | null)?.focus();
      };
      try {
        let replayed = false;
        const r = await api.scanServiceRequest(body, key, (res) => {
          replayed = res.status === 200;
        });
        done(
          t('svcscan.opened', { service: serviceName(items, r.service, lang), name }) +
            (replayed ? ` ${t('svcscan.replayed')}` : ''),
          r.person_id,
        );
      } catch (e) {
        submit.disabled = false;
        submit.textContent = t('svcscan.submit');
        form.removeAttribute('aria-busy');
        status.textContent = '';
        if (isNetworkFailure(e) && canQueue()) {
          // The server cannot be reached: into the device's queue under the same key.
          await queueServiceRequest(body, label, person?.id, key);
          done(`${label}: ${t('offline.saved')}`, person?.id ?? null);
          return;
        }
        if (e instanceof ApiError && e.network) {
          alert.textContent = t('svcscan.unreachable');
          return;
        }
        if (e instanceof ApiError && e.status >= 400 && e.status < 500 && e.status !== 429) {
          attempt = null; // Refused for good: another try is another request.
        }
        alert.textContent = errorText(e);
      }
    });
    replace(formBox, form);
    service.focus();
  }

  function nextButton(): HTMLElement {
    return actionRow(t('svcscan.next'), () => {
      status.textContent = '';
      alert.textContent = '';
      replace(formBox);
      holderBox.hidden = true;
      qr.focus();
    });
  }

  return () => {
    disposed = true;
    scanner?.stop();
  };
}

/// 647400000018 → 6474-0000001-8, as printed on the card.
function formatNumber(n: string): string {
  return /^\d{12}$/.test(n) ? `${n.slice(0, 4)}-${n.slice(4, 11)}-${n.slice(11)}` : n;
}
