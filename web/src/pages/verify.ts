// Verifikasi kartu: the public page (no sign-in) where anyone checks a card. The QR comes from
// the camera, a photo or pasted text; the check runs in the browser against the stored keys and
// revocation list (verifier.ts, verifier_cache.ts), so it works offline; when online the
// server's live status is added (POST /api/v1/cards/verify, an open route). The result is told
// in words and an icon, never by colour alone, and announced through a live region.
import { h, replace } from '../dom';
import { formatInstant, t, tCode, type StringKey } from '../i18n';
import { formatCardNumber, verifyCredential, type VerifyResult } from '../verifier';
import { fetchWithin, refreshTrust, storedTrust, type Trust } from '../verifier_cache';
import { pixels, readQr } from '../qr_scan';

/// The server's answer to POST /api/v1/cards/verify (docs/api.md#cards).
interface LiveAnswer {
  status: string;
  checked_at: string;
  registry: {
    state: string;
    revoked_at: string | null;
    revoke_reason: string | null;
  } | null;
}

type Live =
  { kind: 'answer'; answer: LiveAnswer } | { kind: 'offline' } | { kind: 'failed'; reason: string };

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

/// The last result, shown again when the page is drawn anew (a change of language).
let last: { result: VerifyResult | null; status: string; live: Live | null } | null = null;

function instant(d: Date | null): string {
  return d ? formatInstant(d.toISOString()) : '—';
}

function statusDetail(status: string, r: VerifyResult | null, live: Live | null): string {
  const serverRevocation = live?.kind === 'answer' ? live.answer.registry : null;
  switch (status) {
    case 'revoked': {
      const when = r?.revocation
        ? instant(r.revocation.revokedAt)
        : serverRevocation?.revoked_at
          ? formatInstant(serverRevocation.revoked_at)
          : '—';
      const reason = r?.revocation?.reason ?? serverRevocation?.revoke_reason ?? '';
      return t('verify.status.revoked.detail', { when, reason: tCode('reason', reason) });
    }
    case 'expired':
      return t('verify.status.expired.detail', { when: instant(r?.card?.expiresAt ?? null) });
    case 'not_yet_valid':
      return t('verify.status.not_yet_valid.detail', {
        when: instant(r?.card?.notBefore ?? null),
      });
    case 'unknown_key':
      return t('verify.status.unknown_key.detail', { what: r?.what ?? '' });
    case 'malformed':
      return t('verify.status.malformed.detail', { where: r?.where ?? '', what: r?.what ?? '' });
    default:
      return t(`verify.status.${status}.detail` as StringKey);
  }
}

/// The status the page shows: the offline check, unless the server knows the card is revoked
/// or expired (a list stored before the revocation cannot know it).
export function combinedStatus(offline: string, live: Live | null): string {
  if (offline !== 'valid' || live?.kind !== 'answer' || !live.answer.registry) {
    return offline;
  }
  const state = live.answer.registry.state;
  return state === 'revoked' || state === 'expired' ? state : offline;
}

function liveText(live: Live): string {
  if (live.kind === 'offline') {
    return t('verify.live.offline');
  }
  if (live.kind === 'failed') {
    return t('verify.live.failed', { reason: live.reason });
  }
  const reg = live.answer.registry;
  if (!reg) {
    return t('verify.live.unknown');
  }
  if (reg.state === 'revoked') {
    return t('verify.live.revoked', {
      when: reg.revoked_at ? formatInstant(reg.revoked_at) : '—',
      reason: tCode('reason', reg.revoke_reason ?? ''),
    });
  }
  if (reg.state === 'expired') {
    return t('verify.live.expired');
  }
  return t('verify.live.active', { when: formatInstant(live.answer.checked_at) });
}

function summaryList(r: VerifyResult): HTMLElement | null {
  const c = r.card;
  if (!c) {
    return null;
  }
  const row = (label: StringKey, value: string) =>
    h('div', null, h('dt', null, t(label)), h('dd', null, value));
  return h(
    'dl',
    { class: 'verify-card' },
    row('verify.card.name', c.fullName || '—'),
    row('verify.card.number', formatCardNumber(c.number)),
    row('verify.card.kelurahan', c.kelurahan ?? '—'),
    row(
      'verify.card.categories',
      c.categories.length ? c.categories.map((k) => tCode('category', k)).join(', ') : '—',
    ),
    row(
      'verify.card.validity',
      t('verify.card.validity.value', { from: instant(c.issuedAt), until: instant(c.expiresAt) }),
    ),
    row('verify.card.issuer', c.issuer ?? '—'),
  );
}

export function verifyPage(root: HTMLElement): () => void {
  let trust: Trust = storedTrust();
  let stream: MediaStream | null = null;
  let scanTimer: number | undefined;
  let closed = false;

  const trustBox = h('div', { class: 'verify-trust', id: 'verify-trust' });
  const result = h('div', {
    class: 'verify-result',
    id: 'verify-result',
    role: 'status',
    'aria-live': 'polite',
    'aria-atomic': 'true',
  });
  const scanNote = h('p', { class: 'verify-scan-note', id: 'verify-scan-note', role: 'status' });
  const video = h('video', {
    class: 'verify-video',
    playsinline: true,
    muted: true,
    hidden: true,
    'aria-label': t('verify.scan.video'),
  });
  const scanButton = h('button', { type: 'button', class: 'primary' }, t('verify.scan'));
  const photoInput = h('input', { type: 'file', id: 'verify-photo', accept: 'image/*' });
  const textArea = h('textarea', {
    id: 'verify-text',
    rows: 4,
    spellcheck: 'false',
    autocapitalize: 'characters',
    'aria-describedby': 'verify-text-hint',
  });
  const textError = h('p', { id: 'verify-text-error', class: 'field-error', hidden: true });
  const checkButton = h('button', { type: 'submit', class: 'primary' }, t('verify.check'));

  function showTrust(refreshing: boolean): void {
    replace(
      trustBox,
      h('h2', null, t('verify.trust')),
      h(
        'ul',
        null,
        h(
          'li',
          null,
          trust.keysStoredAt
            ? t('verify.trust.keys', {
                count: trust.keys.length,
                when: instant(trust.keysStoredAt),
              })
            : t('verify.trust.keys.none'),
        ),
        h(
          'li',
          { id: 'verify-trust-list' },
          trust.list
            ? t('verify.trust.list', {
                when: instant(trust.list.issuedAt),
                count: trust.list.revoked.size,
              })
            : t('verify.trust.list.none'),
        ),
        trust.listProblem &&
          h('li', null, t('verify.trust.bad_list', { reason: trust.listProblem })),
        (refreshing || !trust.online) &&
          h(
            'li',
            { id: 'verify-trust-state' },
            refreshing ? t('verify.trust.refreshing') : t('verify.trust.offline'),
          ),
      ),
    );
    trustBox.setAttribute('aria-busy', refreshing ? 'true' : 'false');
  }

  function showResult(r: VerifyResult | null, status: string, live: Live | null): void {
    last = { result: r, status, live };
    replace(
      result,
      h(
        'div',
        {
          class: `verify-outcome verify-${status === 'valid' ? 'ok' : 'bad'}`,
          'data-status': status,
        },
        h('span', { class: 'verify-icon', 'aria-hidden': 'true' }, icons[status] ?? '?'),
        h(
          'div',
          null,
          h('h2', { id: 'verify-status' }, t(`verify.status.${status}` as StringKey)),
          h('p', null, statusDetail(status, r, live)),
        ),
      ),
      r && summaryList(r),
      live &&
        h(
          'p',
          { class: 'verify-live' },
          h('strong', null, `${t('verify.live')}: `),
          liveText(live),
        ),
    );
  }

  const refreshing = refreshTrust().then((fresh) => {
    trust = fresh;
    if (!closed) {
      showTrust(false);
    }
  });

  async function live(qr: string): Promise<Live> {
    if (!navigator.onLine) {
      return { kind: 'offline' };
    }
    try {
      const r = await fetchWithin('/api/v1/cards/verify', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ qr }),
        cache: 'no-store',
        credentials: 'omit',
      });
      if (!r.ok) {
        return { kind: 'failed', reason: `HTTP ${r.status}` };
      }
      return { kind: 'answer', answer: (await r.json()) as LiveAnswer };
    } catch (e) {
      return e instanceof DOMException && e.name === 'AbortError'
        ? { kind: 'failed', reason: 'timeout' }
        : { kind: 'offline' };
    }
  }

  async function check(qr: string): Promise<void> {
    await refreshing;
    if (trust.keys.length === 0) {
      showResult(null, 'no_keys', null);
      return;
    }
    const r = verifyCredential(qr, trust.keys, trust.list, new Date());
    showResult(r, r.status, null);
    // Only a card that the stored data accepts needs the server's word (a revocation the
    // stored list cannot know yet); a forged card is not sent anywhere.
    if (r.status === 'valid' || r.status === 'revoked' || r.status === 'expired') {
      const answer = await live(qr);
      if (!closed) {
        showResult(r, combinedStatus(r.status, answer), answer);
      }
    }
  }

  function stopCamera(): void {
    if (scanTimer !== undefined) {
      window.clearInterval(scanTimer);
      scanTimer = undefined;
    }
    stream?.getTracks().forEach((track) => track.stop());
    stream = null;
    video.hidden = true;
    scanButton.textContent = t('verify.scan');
  }

  async function startCamera(): Promise<void> {
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: 'environment' },
        audio: false,
      });
    } catch (e) {
      scanNote.textContent = t('verify.scan.no_camera', {
        reason: e instanceof Error ? e.name : String(e),
      });
      return;
    }
    if (closed) {
      stopCamera();
      return;
    }
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    scanButton.textContent = t('verify.scan.stop');
    scanNote.textContent = t('verify.scan.looking');
    let busy = false;
    scanTimer = window.setInterval(async () => {
      if (video.videoWidth === 0 || busy || !stream) {
        return;
      }
      busy = true;
      const qr = await readQr(pixels(video, video.videoWidth, video.videoHeight));
      busy = false;
      if (qr && stream) {
        stopCamera();
        scanNote.textContent = '';
        textArea.value = qr;
        void check(qr);
      }
    }, 250);
  }

  scanButton.addEventListener('click', () => {
    if (stream) {
      stopCamera();
      scanNote.textContent = '';
    } else {
      if (!navigator.mediaDevices?.getUserMedia) {
        scanNote.textContent = t('verify.scan.no_camera', { reason: 'getUserMedia' });
        return;
      }
      void startCamera();
    }
  });

  photoInput.addEventListener('change', async () => {
    const file = photoInput.files?.[0];
    photoInput.value = '';
    if (!file) {
      return;
    }
    let qr: string | null = null;
    try {
      const bitmap = await createImageBitmap(file);
      qr = await readQr(pixels(bitmap, bitmap.width, bitmap.height));
      bitmap.close();
    } catch {
      qr = null;
    }
    if (!qr) {
      scanNote.textContent = t('verify.photo.none');
      return;
    }
    scanNote.textContent = '';
    textArea.value = qr;
    await check(qr);
  });

  const form = h(
    'form',
    { class: 'verify-form', novalidate: true },
    h('label', { for: 'verify-text' }, t('verify.text')),
    h('p', { id: 'verify-text-hint', class: 'hint' }, t('verify.text.hint')),
    textArea,
    textError,
    checkButton,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const qr = textArea.value.trim();
    if (!qr) {
      textError.textContent = t('verify.text.required');
      textError.hidden = false;
      textArea.setAttribute('aria-invalid', 'true');
      textArea.setAttribute('aria-describedby', 'verify-text-hint verify-text-error');
      textArea.focus();
      return;
    }
    textError.hidden = true;
    textArea.removeAttribute('aria-invalid');
    textArea.setAttribute('aria-describedby', 'verify-text-hint');
    checkButton.disabled = true;
    checkButton.textContent = t('verify.checking');
    try {
      await check(qr);
    } finally {
      checkButton.disabled = false;
      checkButton.textContent = t('verify.check');
    }
  });

  showTrust(true);
  if (last) {
    showResult(last.result, last.status, last.live);
  }
  replace(
    root,
    h(
      'div',
      { class: 'page narrow verify' },
      h('h1', null, t('verify.title')),
      h('p', null, t('verify.intro')),
      h(
        'div',
        { class: 'verify-sources' },
        scanButton,
        h(
          'div',
          { class: 'field' },
          h('label', { for: 'verify-photo' }, t('verify.photo')),
          photoInput,
        ),
      ),
      scanNote,
      video,
      form,
      result,
      trustBox,
    ),
  );

  return () => {
    closed = true;
    stopCamera();
  };
}
