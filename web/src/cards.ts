// The pure part of the card pages: which card is current, what a person's cards and service
// requests allow next, and the print queue's selection. No DOM, no fetch (cards.test.ts).
import type { Card, ServiceRequest } from './api';

/// Revocation reasons (docs/api.md "Cards"), in the order the forms offer them.
export const revokeReasons = [
  'hilang',
  'rusak',
  'meninggal',
  'pindah',
  'penipuan',
  'nonaktif',
  'lainnya',
] as const;
/// The reasons that make sense for a reissue: the person still holds a card, a new one.
export const reissueReasons = ['hilang', 'rusak', 'lainnya'] as const;

export const stages = ['to_print', 'to_hand_over', 'handed_over'] as const;
export type Stage = (typeof stages)[number];

/// The card a person holds now: the newest active one, else the newest of all (revoked or
/// expired, shown as such), else null.
export function currentCard(cards: Card[]): Card | null {
  const newest = [...cards].sort((a, b) => b.issued_at.localeCompare(a.issued_at));
  return newest.find((c) => c.status === 'active') ?? newest[0] ?? null;
}

/// The cards other than the current one, newest first (the history below it).
export function olderCards(cards: Card[]): Card[] {
  const current = currentCard(cards);
  return [...cards]
    .filter((c) => c !== current)
    .sort((a, b) => b.issued_at.localeCompare(a.issued_at));
}

/// What a writer may do with the person's cards now.
export function cardActions(cards: Card[]): { issue: boolean; reissue: boolean; revoke: boolean } {
  const current = currentCard(cards);
  const active = current !== null && current.status === 'active';
  return { issue: !active, reissue: active, revoke: active };
}

/// A revocation needs a note when the reason is "lainnya" (other): the note says why.
export function revokeProblem(reason: string, note: string): 'reason' | 'note' | null {
  if (!(revokeReasons as readonly string[]).includes(reason)) {
    return 'reason';
  }
  if (reason === 'lainnya' && note.trim() === '') {
    return 'note';
  }
  return null;
}

/// The steps a service request can take from `status` (the server's transitions).
export function nextStatuses(status: string): string[] {
  if (status === 'diajukan') {
    return ['diproses', 'selesai', 'ditolak', 'dibatalkan'];
  }
  if (status === 'diproses') {
    return ['selesai', 'ditolak', 'dibatalkan'];
  }
  return [];
}

/// True once a request can no longer move.
export function isFinal(request: ServiceRequest): boolean {
  return nextStatuses(request.status).length === 0;
}

/// The print queue's selection kept across a reload of the list: only the numbers still in
/// `items` stay selected.
export function keepSelected(selected: Set<string>, items: Card[]): Set<string> {
  const present = new Set(items.map((c) => c.number));
  return new Set([...selected].filter((n) => present.has(n)));
}

/// The file name for a card's PDF: "kartu-6474-0000001-8.pdf".
export function cardFileName(card: Card, extension: string): string {
  return `kartu-${card.number_formatted}.${extension}`;
}

/// The address of a card face (PNG) or of the 2-page PDF. A card's picture never changes (a
/// reissue gives a new number), so the browser may cache it.
export function cardImageUrl(card: Card, side: 'front' | 'back' | 'pdf'): string {
  const base = `/api/v1/cards/${encodeURIComponent(card.number)}/image`;
  return side === 'pdf' ? `${base}?format=pdf` : `${base}?side=${side}`;
}
