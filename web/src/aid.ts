// The pure part of the social assistance pages (Bantuan, Tahap, Penyaluran): anomaly flags as
// readable labels, rupiah, the list's stepper, realisation shares, quotas and the handover's
// draft kept with its Idempotency-Key. No DOM, no fetch (aid.test.ts).

/// The anomaly flags of docs/api.md "Bantuan sosial", each with an icon (never colour alone)
/// and a catalogue key for its words.
export const flagInfo: Record<string, { icon: string; key: string }> = {
  'aid.shared_account': { icon: '⚠', key: 'aid.flag.shared_account' },
  'aid.person_inactive': { icon: '⊘', key: 'aid.flag.person_inactive' },
  'aid.excluded_program': { icon: '⇄', key: 'aid.flag.excluded_program' },
  'aid.quota_exceeded': { icon: '▲', key: 'aid.flag.quota_exceeded' },
  'aid.far_from_home': { icon: '⌖', key: 'aid.flag.far_from_home' },
};

/// A flag's icon and catalogue key; an unknown code keeps the code itself as its words.
export function flagLabel(code: string): { icon: string; key: string | null; code: string } {
  const info = flagInfo[code];
  return info ? { icon: info.icon, key: info.key, code } : { icon: '⚠', key: null, code };
}

/// Whole rupiah as "Rp 150.000" (Indonesian grouping with dots, whatever the language: the
/// currency is Indonesian). Negative amounts keep their sign.
export function formatRupiah(value: number): string {
  const whole = Math.trunc(value);
  const digits = Math.abs(whole)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return `${whole < 0 ? '-' : ''}Rp ${digits}`;
}

/// "150.000", "150000", "Rp 150.000" or "150,000" typed by a user → 150000; null when it is
/// not a whole, non-negative amount.
export function parseRupiah(text: string): number | null {
  const cleaned = text.replace(/^\s*rp\.?\s*/i, '').replace(/[.,\s]/g, '');
  if (!/^\d{1,15}$/.test(cleaned)) {
    return null;
  }
  return Number(cleaned);
}

export const listStates = ['draft', 'proposed', 'approved'] as const;
export type ListState = (typeof listStates)[number];

export interface StepView {
  state: ListState;
  status: 'done' | 'current' | 'todo';
}

/// The stepper Draf → Diusulkan → Disetujui for a list at `state`: the steps before it done,
/// it current (approved is done: nothing follows), the rest to do.
export function stepper(state: string): StepView[] {
  const at = listStates.indexOf(state as ListState);
  return listStates.map((s, i) => ({
    state: s,
    status: i < at || (i === at && s === 'approved') ? 'done' : i === at ? 'current' : 'todo',
  }));
}

/// The list actions a role may take at a state (the server checks again; this hides buttons
/// that could only be refused). Approval by the proposer is refused by the server
/// (aid.self_approval); the page hides it too when it knows the proposer.
export function listActions(
  role: string,
  state: string,
  userId = '',
  proposedBy = '',
): { generate: boolean; edit: boolean; propose: boolean; approve: boolean; return: boolean } {
  const writer = role === 'admin' || role === 'operator';
  const admin = role === 'admin';
  return {
    generate: writer && state === 'draft',
    edit: writer && state === 'draft',
    propose: writer && state === 'draft',
    approve: admin && state === 'proposed' && (proposedBy === '' || proposedBy !== userId),
    return: admin && state === 'proposed',
  };
}

/// Delivered share of the listed, in whole percent (0 when nothing is listed).
export function deliveredShare(delivered: number, listed: number): number {
  return listed > 0 ? Math.round((delivered / listed) * 100) : 0;
}

/// The five classes of the realisation map by share delivered: 0, 1–24, 25–49, 50–74, 75–100.
export function shareClass(share: number): number {
  if (share <= 0) {
    return 0;
  }
  return Math.min(4, 1 + Math.floor(share / 25));
}

/// Quotas from the form's inputs {area code → typed text}: empty inputs have no quota; anything
/// else must be a whole number ≥ 0. Returns the quotas or the first bad area.
export function quotasFrom(
  inputs: Record<string, string>,
): { quotas: { area_code: string; max: number }[] } | { bad: string } {
  const quotas: { area_code: string; max: number }[] = [];
  for (const [area, text] of Object.entries(inputs)) {
    const trimmed = text.trim();
    if (trimmed === '') {
      continue;
    }
    if (!/^\d{1,9}$/.test(trimmed)) {
      return { bad: area };
    }
    quotas.push({ area_code: area, max: Number(trimmed) });
  }
  return { quotas };
}

/// A card number typed or pasted ("6474-0000001-8", spaces, dashes) as the API wants it (the
/// digits), or the QR text unchanged when the input is not a card number.
export function identify(text: string): { card_number: string } | { qr: string } | null {
  const trimmed = text.trim();
  if (trimmed === '') {
    return null;
  }
  const digits = trimmed.replace(/[\s-]/g, '');
  if (/^\d{8,20}$/.test(digits)) {
    return { card_number: digits };
  }
  return { qr: trimmed };
}

/// What the penyalur typed for one handover, kept until the server has it: a retry after a
/// dropped connection sends the same Idempotency-Key, so it can never record twice, and a
/// reload loses nothing.
export interface HandoverDraft {
  cycleId: string;
  key: string;
  /// How the beneficiary was identified: the request's identification fields.
  who: { card_number?: string; qr?: string; person_id?: string; search_reason?: string };
  name: string;
  note: string;
  lon: number | null;
  lat: number | null;
  accuracy_m: number | null;
  /// The resized photo, base64 JPEG without the data: prefix.
  evidence: string | null;
  savedAt: string;
}

/// The few calls of a storage the draft store needs: the device's drafts (offline/drafts.ts),
/// a Map in the tests.
export interface KeyValue {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export function draftKey(user: string, cycleId: string): string {
  return `kapal.handover.${user}.${cycleId}`;
}

/// The handover drafts of one user: one unsent handover per cycle.
export class HandoverDrafts {
  constructor(
    private readonly storage: KeyValue,
    private readonly user: string,
    private readonly newKey: () => string,
  ) {}

  load(cycleId: string): HandoverDraft | null {
    try {
      const raw = this.storage.getItem(draftKey(this.user, cycleId));
      if (!raw) {
        return null;
      }
      const d = JSON.parse(raw) as HandoverDraft;
      return d && d.cycleId === cycleId && typeof d.key === 'string' ? d : null;
    } catch {
      return null;
    }
  }

  /// The draft for this beneficiary: the kept one when it is for the same person (same key,
  /// so a retry is recognised), else a new attempt with a new key.
  begin(cycleId: string, who: HandoverDraft['who'], name: string): HandoverDraft {
    const kept = this.load(cycleId);
    if (kept && sameWho(kept.who, who)) {
      return kept;
    }
    const draft: HandoverDraft = {
      cycleId,
      key: this.newKey(),
      who,
      name,
      note: '',
      lon: null,
      lat: null,
      accuracy_m: null,
      evidence: null,
      savedAt: new Date().toISOString(),
    };
    this.save(draft);
    return draft;
  }

  /// Keeps the draft; a photo too large for the storage is dropped rather than the words.
  save(draft: HandoverDraft): void {
    const key = draftKey(this.user, draft.cycleId);
    const stamped = { ...draft, savedAt: new Date().toISOString() };
    try {
      this.storage.setItem(key, JSON.stringify(stamped));
    } catch {
      try {
        this.storage.setItem(key, JSON.stringify({ ...stamped, evidence: null }));
      } catch {
        // Storage unavailable (private mode): the form still works, unsaved.
      }
    }
  }

  /// Forgets the draft once the server has answered for good (recorded or refused).
  clear(cycleId: string): void {
    try {
      this.storage.removeItem(draftKey(this.user, cycleId));
    } catch {
      // Nothing kept.
    }
  }
}

function sameWho(a: HandoverDraft['who'], b: HandoverDraft['who']): boolean {
  return (
    (a.card_number ?? '') === (b.card_number ?? '') &&
    (a.qr ?? '') === (b.qr ?? '') &&
    (a.person_id ?? '') === (b.person_id ?? '')
  );
}

/// The refusals of a handover said in words (catalogue keys by the API's problem code).
export const handoverRefusals: Record<string, string> = {
  'aid.already_delivered': 'handover.refused.already_delivered',
  'aid.not_on_list': 'handover.refused.not_on_list',
  'aid.cycle_closed': 'handover.refused.cycle_closed',
  'aid.not_assigned': 'handover.refused.not_assigned',
  'aid.list_state': 'handover.refused.list_state',
  'aid.channel_mismatch': 'handover.refused.channel_mismatch',
  'card.already_revoked': 'handover.refused.card_revoked',
  'card.credential_malformed': 'handover.refused.card_unreadable',
  not_found: 'handover.refused.not_found',
};

/// The largest side of a photo sent with a handover, in pixels.
export const maxPhotoSide = 1280;

type Ring = number[][];

/// The outer rings of a (Multi)Polygon geometry.
export function outerRings(geometry: { type: string; coordinates?: unknown }): Ring[] {
  if (geometry.type === 'Polygon') {
    return [(geometry.coordinates as Ring[])[0]];
  }
  if (geometry.type === 'MultiPolygon') {
    return (geometry.coordinates as Ring[][]).map((p) => p[0]);
  }
  return [];
}

/// Projects lon/lat rings into a width×height box (equirectangular, corrected by the cosine of
/// the middle latitude: fine for a city), north up. Returns a function for points.
export function fitProjection(
  rings: Ring[],
  width: number,
  height: number,
): (lon: number, lat: number) => [number, number] {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const ring of rings) {
    for (const [x, y] of ring) {
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
    }
  }
  const k = Math.cos((((minY + maxY) / 2) * Math.PI) / 180);
  const spanX = Math.max((maxX - minX) * k, 1e-9);
  const spanY = Math.max(maxY - minY, 1e-9);
  const scale = Math.min(width / spanX, height / spanY);
  const offX = (width - spanX * scale) / 2;
  const offY = (height - spanY * scale) / 2;
  return (lon, lat) => [offX + (lon - minX) * k * scale, offY + (maxY - lat) * scale];
}
