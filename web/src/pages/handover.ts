// Penyaluran (/penyaluran; penyalur and admin): the penyalur's phone page for handing over aid
// in kind. Choose the programme and cycle (only those assigned), identify the beneficiary by
// scanning the card's QR with the phone's camera, by its number or QR text (or by name on the
// list, with a reason), see who it is and whether they are on the list or already served, then
// record the handover with the device's GPS, an optional photo (resized here to at most 1280 px
// JPEG) and a note. The attempt's
// Idempotency-Key is kept with the unsent form (a draft sealed in the device's store, or in
// memory: offline/drafts.ts): a retry after a dropped
// connection never records twice and nothing typed is lost.
import { aidApi, type AidBeneficiary, type AidCycle, type AidProgram } from '../aid_api';
import {
  handoverRefusals,
  HandoverDrafts,
  identify,
  maxPhotoSide,
  type HandoverDraft,
} from '../aid';
import { base64Bytes, shrinkPhoto } from '../photo';
import { ApiError, request, type AreaProperties, type FeatureCollection } from '../api';
import { actionRow, h, replace } from '../dom';
import { formatBytes, formatInstant, t, type StringKey } from '../i18n';
import { navigate, type RouteContext } from '../router';
import { newIdempotencyKey } from '../person_form';
import { cardScanner, type CardScanner } from '../qr_scan';
import { session } from '../session';
import { isOnline } from '../connection';
import {
  canQueue,
  draftStorage,
  handoverLists,
  isNetworkFailure,
  lastPullAt,
  queueHandover,
} from '../offline/device';
import type { HandoverEntry, HandoverList } from '../offline/sync';
import { field } from './aid_form';
import { errorText } from './person_card';

let kelurahanNames: Promise<Map<string, string>> | null = null;

/// Kelurahan names from the public areas (a penyalur may not read the registry's counts).
function names(): Promise<Map<string, string>> {
  if (!kelurahanNames) {
    kelurahanNames = request<FeatureCollection<AreaProperties>>('GET', '/api/v1/public/areas', {
      query: { level: 'kelurahan' },
    })
      .then((fc) => new Map(fc.features.map((f) => [f.properties.code, f.properties.name])))
      .catch(() => {
        kelurahanNames = null;
        return new Map<string, string>();
      });
  }
  return kelurahanNames;
}

/// Who this is on a pulled list, without the server: a QR is checked with the offline verifier
/// (the published keys and the signed revocation list kept on the device) and its card number
/// looked up; a typed card number or a person picked by name directly. The entry, or the words
/// of why not.
export function identifyOffline(
  list: HandoverList,
  who: HandoverDraft['who'],
  verify: (qr: string) => { status: string; number: string | null },
): { entry: HandoverEntry } | { refusal: string } {
  let entry: HandoverEntry | undefined;
  if (who.qr) {
    const checked = verify(who.qr);
    if (checked.status !== 'valid' || !checked.number) {
      return { refusal: t('handover.offline.invalid', { status: checked.status }) };
    }
    entry = list.entries.find((e) => e.card_number === checked.number);
  } else if (who.card_number) {
    entry = list.entries.find((e) => e.card_number === who.card_number);
  } else if (who.person_id) {
    entry = list.entries.find((e) => e.person_id === who.person_id);
  }
  return entry ? { entry } : { refusal: t('handover.offline.not_found') };
}

/// The offline verifier, loaded when first needed (its CBOR, zlib and Ed25519 libraries stay out
/// of the main bundle; the service worker keeps the chunk for offline use).
async function verifierHere(): Promise<(qr: string) => { status: string; number: string | null }> {
  const [{ verifyCredential }, { storedTrust }] = await Promise.all([
    import('../verifier'),
    import('../verifier_cache'),
  ]);
  const trust = storedTrust();
  return (qr) => {
    const r = verifyCredential(qr, trust.keys, trust.list, new Date());
    return { status: r.status, number: r.card?.number ?? null };
  };
}

export function handoverPage(root: HTMLElement, context: RouteContext): () => void {
  let disposed = false;
  let scanner: CardScanner | null = null;
  const user = session()?.user;
  // Sealed in the device's store when it is open for this user, else in memory (drafts.ts).
  const drafts = new HandoverDrafts(
    draftStorage(user?.username ?? ''),
    user?.username ?? '',
    newIdempotencyKey,
  );
  const programCode = context.query.get('program') ?? '';
  const cycleId = context.query.get('tahap') ?? '';
  const status = h('p', { class: 'notice', role: 'status', id: 'handover-status' });
  const alert = h('p', { class: 'alert', role: 'alert', id: 'handover-alert' });
  const chooser = h('div', { class: 'filters' }, t('app.loading'));
  const work = h('div');
  replace(
    root,
    h(
      'div',
      { class: 'page narrow handover-page' },
      h('h1', null, t('handover.title')),
      h('p', null, t('handover.intro')),
      chooser,
      alert,
      status,
      work,
    ),
  );

  /// Set when the page works from the lists pulled to the device (no server).
  let offlineList: HandoverList | null = null;
  let offlineMode = false;

  const go = (program: string, tahap: string) => {
    const q = new URLSearchParams();
    if (program) q.set('program', program);
    if (tahap) q.set('tahap', tahap);
    const qs = q.toString();
    navigate(`/penyaluran${qs ? `?${qs}` : ''}`);
  };

  /// The programmes and cycles from the server, or (offline) from the pulled handover lists.
  async function choices(): Promise<{ programs: AidProgram[]; cycles: AidCycle[] }> {
    if (isOnline() || !canQueue()) {
      try {
        const programs = (await aidApi.programs()).items.filter(
          (p) => p.channel === 'langsung' && p.active !== false,
        );
        const cycles: AidCycle[] = programCode ? (await aidApi.cycles(programCode)).items : [];
        offlineMode = false;
        // The published keys and revocation list, for checking QR codes offline later.
        void import('../verifier_cache').then((m) => m.refreshTrust()).catch(() => undefined);
        return { programs, cycles };
      } catch (e) {
        if (!isNetworkFailure(e) || !canQueue()) {
          throw e;
        }
      }
    }
    offlineMode = true;
    const lists = await handoverLists();
    const when = lastPullAt();
    status.textContent =
      lists.length === 0
        ? t('handover.offline.no_lists')
        : t('handover.offline.list', { when: when ? formatInstant(when) : '—' });
    offlineList = lists.find((l) => l.cycle_id === cycleId) ?? null;
    const programs = new Map<string, AidProgram>();
    for (const l of lists) {
      programs.set(l.program_code, {
        code: l.program_code,
        name: l.program_name,
        channel: 'langsung',
      } as AidProgram);
    }
    const cycles = lists
      .filter((l) => l.program_code === programCode)
      .map((l) => ({ id: l.cycle_id, number: l.cycle_number, name: l.cycle_name }) as AidCycle);
    return { programs: [...programs.values()], cycles };
  }

  async function drawChooser(): Promise<void> {
    try {
      const { programs, cycles } = await choices();
      if (disposed) {
        return;
      }
      if (programs.length === 0) {
        replace(chooser, h('p', null, t('handover.no_programs')));
        return;
      }
      const programSelect = h(
        'select',
        { id: 'handover-program' },
        h('option', { value: '' }, t('handover.choose')),
        programs.map((p: AidProgram) =>
          h('option', { value: p.code, selected: p.code === programCode }, p.name),
        ),
      );
      programSelect.addEventListener('change', () => go(programSelect.value, ''));
      const cycleSelect = h(
        'select',
        { id: 'handover-cycle', disabled: !programCode },
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
      );
      if (cycleId && cycles.some((c) => c.id === cycleId)) {
        drawIdentify();
        const kept = drafts.load(cycleId);
        if (kept) {
          status.textContent = t('handover.restored', { name: kept.name });
          await lookUp(kept.who, kept);
        }
      }
    } catch (e) {
      replace(chooser, h('p', { class: 'alert', role: 'alert' }, errorText(e)));
    }
  }

  const whoBox = h('section', { class: 'panel', 'aria-labelledby': 'who-h', hidden: true });
  const formBox = h('div');

  function drawIdentify(): void {
    whoBox.hidden = true;
    replace(whoBox);
    replace(formBox);
    const card = h('input', {
      id: 'handover-card',
      autocomplete: 'off',
      autocapitalize: 'off',
      spellcheck: 'false',
      inputmode: 'text',
    });
    const fc = field(t('handover.card'), card, t('handover.card.hint'));
    const check = h('button', { type: 'submit', class: 'button primary' }, t('handover.check'));
    // The card's QR read by the phone's camera fills the field and asks who it is at once.
    scanner?.stop();
    scanner = cardScanner('handover', (text) => {
      card.value = text;
      fc.setError(null);
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
      check.textContent = t('handover.checking');
      await lookUp(who);
      check.disabled = false;
      check.textContent = t('handover.check');
    });

    const q = h('input', { id: 'handover-name', type: 'search', autocomplete: 'off' });
    const fq = field(t('handover.name'), q);
    const reason = h('input', { id: 'handover-reason' });
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
      results.setAttribute('aria-busy', 'true');
      try {
        const needle = q.value.trim().toLowerCase();
        const found = offlineMode
          ? {
              items: (offlineList?.entries ?? [])
                .filter((e) => e.name.toLowerCase().includes(needle))
                .slice(0, 20),
            }
          : await aidApi.searchBeneficiaries(cycleId, q.value.trim());
        const kel = await names();
        replace(
          results,
          found.items.length === 0
            ? h('p', null, t('handover.search_none'))
            : h(
                'ul',
                { class: 'pick-list' },
                found.items.map((b) =>
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
                            person_id: b.person_id,
                            search_reason: reason.value.trim(),
                          }),
                      },
                      t('handover.pick', { name: b.name }),
                    ),
                    ` ${kel.get(b.kelurahan_code ?? '') ?? b.kelurahan_code ?? ''}`,
                  ),
                ),
              ),
        );
      } catch (e) {
        replace(results, h('p', { class: 'alert', role: 'alert' }, errorText(e)));
      } finally {
        results.removeAttribute('aria-busy');
      }
    });

    replace(
      work,
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'identify-h' },
        h('h2', { id: 'identify-h' }, t('handover.identify')),
        cardForm,
        h('details', null, h('summary', null, t('handover.by_name')), nameForm),
      ),
      whoBox,
      formBox,
    );
  }

  /// Asks the server who this is and draws them with the handover form.
  async function lookUp(who: HandoverDraft['who'], kept?: HandoverDraft): Promise<void> {
    alert.textContent = '';
    if (offlineMode || (!isOnline() && canQueue())) {
      await lookUpOffline(who, kept);
      return;
    }
    try {
      const b = await aidApi.beneficiary(cycleId, who);
      if (disposed) {
        return;
      }
      await drawWho(b);
      if (b.on_list && !b.delivery) {
        drawForm(kept ?? drafts.begin(cycleId, who, b.name), b);
      } else {
        // Nothing to send for this person: a kept attempt is over.
        drafts.clear(cycleId);
        replace(formBox);
      }
    } catch (e) {
      replace(formBox);
      whoBox.hidden = true;
      if (isNetworkFailure(e) && canQueue()) {
        offlineList = (await handoverLists()).find((l) => l.cycle_id === cycleId) ?? null;
        offlineMode = offlineList !== null;
        if (offlineMode) {
          await lookUpOffline(who, kept);
          return;
        }
      }
      if (kept && e instanceof ApiError && e.network) {
        // Offline with a kept draft: still show the form, so that it can be sent again.
        drawForm(kept, { person_id: '', name: kept.name, on_list: true, delivery: null });
        alert.textContent = t('handover.offline');
        return;
      }
      alert.textContent = refusalText(e, '');
    }
  }

  /// Who this is from the device's list; the handover form when they are still to be served.
  async function lookUpOffline(who: HandoverDraft['who'], kept?: HandoverDraft): Promise<void> {
    replace(formBox);
    whoBox.hidden = true;
    if (!offlineList) {
      alert.textContent = t('handover.offline.no_lists');
      return;
    }
    const verify = who.qr ? await verifierHere() : () => ({ status: 'valid', number: null });
    if (disposed) {
      return;
    }
    const found = identifyOffline(offlineList, who, verify);
    if ('refusal' in found) {
      alert.textContent = found.refusal;
      return;
    }
    const e = found.entry;
    await drawWho({
      person_id: e.person_id,
      name: e.name,
      kelurahan_code: e.kelurahan_code,
      card_number: e.card_number,
      on_list: true,
      delivery: null,
    });
    if (e.delivered) {
      const served = whoBox.querySelector('#who-served');
      if (served) {
        served.className = 'bad';
        served.textContent = e.pending
          ? t('handover.offline.pending')
          : t('handover.refused.already_delivered', { name: e.name });
      }
      alert.textContent = e.pending
        ? `${e.name}: ${t('handover.offline.pending')}`
        : t('handover.refused.already_delivered', { name: e.name });
      drafts.clear(cycleId);
      return;
    }
    drawForm(kept ?? drafts.begin(cycleId, who, e.name), {
      person_id: e.person_id,
      name: e.name,
      on_list: true,
      delivery: null,
    });
  }

  async function drawWho(b: AidBeneficiary): Promise<void> {
    const kel = await names();
    whoBox.hidden = false;
    replace(
      whoBox,
      h('h2', { id: 'who-h' }, t('handover.who')),
      h(
        'dl',
        { class: 'facts', id: 'who' },
        h('dt', null, t('handover.who.name')),
        h('dd', { id: 'who-name' }, b.name),
        h('dt', null, t('handover.who.kelurahan')),
        h('dd', null, kel.get(b.kelurahan_code ?? '') ?? b.kelurahan_code ?? ''),
        h('dt', null, t('handover.who.card')),
        h('dd', null, b.card_number ?? t('handover.who.no_card')),
        h('dt', null, t('handover.who.list')),
        h(
          'dd',
          { class: b.on_list ? 'ok' : 'bad', id: 'who-list' },
          t(b.on_list ? 'handover.who.on_list' : 'handover.who.not_on_list'),
        ),
        h('dt', null, t('handover.who.served')),
        h(
          'dd',
          { class: b.delivery ? 'bad' : 'ok', id: 'who-served' },
          b.delivery
            ? t('handover.who.served_at', { when: formatInstant(b.delivery.recorded_at) })
            : t('handover.who.not_served'),
        ),
      ),
    );
    if (!b.on_list) {
      alert.textContent = t('handover.refused.not_on_list', { name: b.name });
    } else if (b.delivery) {
      alert.textContent = t('handover.refused.already_delivered', { name: b.name });
    }
  }

  function drawForm(draft: HandoverDraft, b: AidBeneficiary): void {
    const keep = () => drafts.save(draft);
    const gpsLine = h(
      'p',
      { class: 'notice', role: 'status', id: 'gps-status' },
      draft.lat !== null && draft.lon !== null
        ? gpsText(draft.lat, draft.lon, draft.accuracy_m)
        : t('handover.gps.none'),
    );
    const gps = h('button', { type: 'button', class: 'button' }, t('handover.gps'));
    gps.addEventListener('click', () => {
      if (!('geolocation' in navigator)) {
        gpsLine.textContent = t('handover.gps.failed', { message: '—' });
        return;
      }
      gps.disabled = true;
      gpsLine.textContent = t('handover.gps.busy');
      navigator.geolocation.getCurrentPosition(
        (pos) => {
          gps.disabled = false;
          draft.lat = pos.coords.latitude;
          draft.lon = pos.coords.longitude;
          draft.accuracy_m = Math.round(pos.coords.accuracy);
          keep();
          gpsLine.textContent = gpsText(draft.lat, draft.lon, draft.accuracy_m);
        },
        (err) => {
          gps.disabled = false;
          gpsLine.textContent = t('handover.gps.failed', { message: err.message });
        },
        { enableHighAccuracy: true, timeout: 20000, maximumAge: 0 },
      );
    });

    const photo = h('input', {
      id: 'handover-photo',
      type: 'file',
      accept: 'image/*',
      capture: 'environment',
    });
    const photoLine = h('p', { class: 'notice', role: 'status', id: 'photo-status' });
    const removePhoto = h(
      'button',
      { type: 'button', class: 'button secondary', hidden: !draft.evidence },
      t('handover.photo.remove'),
    );
    if (draft.evidence) {
      photoLine.textContent = t('handover.photo.ready', {
        w: '≤1280',
        h: '≤1280',
        size: formatBytes(base64Bytes(draft.evidence)),
      });
    }
    photo.addEventListener('change', async () => {
      const file = photo.files?.[0];
      if (!file) {
        return;
      }
      photoLine.textContent = t('handover.photo.busy');
      try {
        const shrunk = await shrinkPhoto(file, maxPhotoSide, 500 * 1024);
        draft.evidence = shrunk.base64;
        keep();
        removePhoto.hidden = false;
        photoLine.textContent = t('handover.photo.ready', {
          w: shrunk.w,
          h: shrunk.h,
          size: formatBytes(shrunk.bytes),
        });
      } catch {
        photoLine.textContent = t('handover.photo.failed');
      }
    });
    removePhoto.addEventListener('click', () => {
      draft.evidence = null;
      photo.value = '';
      keep();
      removePhoto.hidden = true;
      photoLine.textContent = '';
    });

    const note = h('textarea', { id: 'handover-note', rows: 2 });
    note.value = draft.note;
    note.addEventListener('input', () => {
      draft.note = note.value;
      keep();
    });
    const fn = field(t('handover.note'), note);
    const submit = h('button', { type: 'submit', class: 'button primary' }, t('handover.record'));
    const form = h(
      'form',
      { novalidate: true, class: 'panel handover-form' },
      h('div', { class: 'field' }, gps, gpsLine),
      h(
        'div',
        { class: 'field' },
        h('label', { for: photo.id }, t('handover.photo')),
        photo,
        removePhoto,
        photoLine,
      ),
      fn.row,
      h('div', { class: 'form-actions' }, submit),
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      submit.disabled = true;
      submit.textContent = t('handover.recording');
      form.setAttribute('aria-busy', 'true');
      alert.textContent = '';
      status.textContent = t('handover.recording');
      let replayed = false;
      const body = {
        ...draft.who,
        ...(draft.lat !== null && draft.lon !== null
          ? { lat: draft.lat, lon: draft.lon, accuracy_m: draft.accuracy_m ?? undefined }
          : {}),
        ...(draft.evidence
          ? { evidence: draft.evidence, evidence_type: 'image/jpeg' as const }
          : {}),
        ...(draft.note.trim() ? { note: draft.note.trim() } : {}),
      };
      /// Into the device's queue: the server gets it when online (docs/sync.md).
      const keepOnDevice = async (): Promise<void> => {
        await queueHandover(
          { cycle_id: cycleId, ...body },
          draft.name || b.name,
          b.person_id || draft.who.person_id || '',
          draft.key,
        );
        drafts.clear(cycleId);
        if (offlineList) {
          offlineList = (await handoverLists()).find((l) => l.cycle_id === cycleId) ?? null;
        }
        whoBox.hidden = true;
        replace(formBox, nextButton());
        replace(
          status,
          h(
            'span',
            { class: 'success', id: 'handover-success' },
            '✓ ',
            t('handover.offline.saved', { name: draft.name || b.name }),
          ),
        );
        (formBox.querySelector('button') as HTMLButtonElement | null)?.focus();
      };
      if (offlineMode && canQueue()) {
        await keepOnDevice();
        return;
      }
      try {
        const d = await aidApi.handover(cycleId, body, draft.key, (r) => {
          replayed = r.status === 200;
        });
        drafts.clear(cycleId);
        whoBox.hidden = true;
        replace(formBox, nextButton());
        status.textContent = '';
        replace(
          status,
          h(
            'span',
            { class: 'success', id: 'handover-success' },
            '✓ ',
            t('handover.success', { name: draft.name, when: formatInstant(d.recorded_at) }),
            replayed ? ` ${t('handover.replayed')}` : '',
          ),
        );
        (formBox.querySelector('button') as HTMLButtonElement | null)?.focus();
      } catch (e) {
        form.removeAttribute('aria-busy');
        submit.disabled = false;
        submit.textContent = t('handover.record');
        status.textContent = '';
        if (e instanceof ApiError && e.network && canQueue()) {
          await keepOnDevice();
          return;
        }
        if (e instanceof ApiError && (e.network || e.status >= 500 || e.status === 429)) {
          keep();
          alert.textContent = e.network ? t('handover.offline') : errorText(e);
          return;
        }
        // Refused for good: the attempt is over.
        drafts.clear(cycleId);
        alert.textContent = refusalText(e, draft.name || b.name);
      }
    });
    replace(formBox, form);
  }

  function nextButton(): HTMLElement {
    return actionRow(t('handover.new'), () => {
      status.textContent = '';
      alert.textContent = '';
      drawIdentify();
      (document.getElementById('handover-card') as HTMLInputElement | null)?.focus();
    });
  }

  void drawChooser();
  return () => {
    disposed = true;
    scanner?.stop();
  };
}

function gpsText(lat: number, lon: number, accuracy: number | null): string {
  return t('handover.gps.ok', {
    lat: lat.toFixed(6),
    lon: lon.toFixed(6),
    accuracy: accuracy === null ? '?' : String(accuracy),
  });
}

/// A refusal said in words: the known codes by name, anything else with the server's title.
export function refusalText(e: unknown, name: string): string {
  if (e instanceof ApiError) {
    const key = handoverRefusals[e.code];
    if (key) {
      return t(key as StringKey, { name: name || '—' });
    }
  }
  return errorText(e);
}
