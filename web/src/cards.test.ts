import { describe, expect, it } from 'vitest';

import type { Card, ServiceRequest } from './api';
import {
  cardActions,
  cardImageUrl,
  currentCard,
  isFinal,
  keepSelected,
  nextStatuses,
  olderCards,
  revokeProblem,
} from './cards';

function card(number: string, issuedAt: string, status: 'active' | 'revoked'): Card {
  return {
    number,
    number_formatted: `${number.slice(0, 4)}-${number.slice(4, 11)}-${number.slice(11)}`,
    person_id: 'p',
    kelurahan_code: '64.74.01.1003',
    status,
    state: status,
    stage: status === 'active' ? 'to_print' : null,
    issued_at: issuedAt,
    issued_by: 'u',
    expires_at: '2031-11-28T02:00:00Z',
    revoked_at: null,
    revoked_by: '',
    revoke_reason: '',
    revoke_note: '',
    replaced_by: '',
    printed_at: null,
    printed_by: '',
    handed_over_at: null,
    handed_over_by: '',
    key_id: 'k',
    qr: '',
  };
}

const old = card('647400000018', '2026-01-01T00:00:00.000Z', 'revoked');
const mid = card('647400000026', '2026-02-01T00:00:00.000Z', 'revoked');
const now = card('647400000034', '2026-03-01T00:00:00.000Z', 'active');

describe('the current card', () => {
  it('is the active card, whatever the order the API gives', () => {
    expect(currentCard([old, now, mid])?.number).toBe(now.number);
    expect(olderCards([old, now, mid]).map((c) => c.number)).toEqual([mid.number, old.number]);
  });
  it('is the newest revoked card when none is active, and null without cards', () => {
    expect(currentCard([old, mid])?.number).toBe(mid.number);
    expect(currentCard([])).toBeNull();
  });
  it('allows issuing only without an active card, reissue and revoke only with one', () => {
    expect(cardActions([])).toEqual({ issue: true, reissue: false, revoke: false });
    expect(cardActions([old])).toEqual({ issue: true, reissue: false, revoke: false });
    expect(cardActions([old, now])).toEqual({ issue: false, reissue: true, revoke: true });
  });
});

describe('revocation', () => {
  it('refuses an unknown reason and "lainnya" without a note', () => {
    expect(revokeProblem('hilang', '')).toBeNull();
    expect(revokeProblem('', 'x')).toBe('reason');
    expect(revokeProblem('bosan', 'x')).toBe('reason');
    expect(revokeProblem('lainnya', '  ')).toBe('note');
    expect(revokeProblem('lainnya', 'kartu tertukar')).toBeNull();
  });
});

describe('service requests', () => {
  it('moves on as the server allows and stops at a final status', () => {
    expect(nextStatuses('diajukan')).toEqual(['diproses', 'selesai', 'ditolak', 'dibatalkan']);
    expect(nextStatuses('diproses')).toEqual(['selesai', 'ditolak', 'dibatalkan']);
    for (const s of ['selesai', 'ditolak', 'dibatalkan']) {
      expect(isFinal({ status: s } as ServiceRequest)).toBe(true);
    }
    expect(isFinal({ status: 'diproses' } as ServiceRequest)).toBe(false);
  });
});

describe('print queue', () => {
  it('keeps only the selected numbers still in the list', () => {
    const kept = keepSelected(new Set([old.number, now.number, '999']), [now, mid]);
    expect([...kept]).toEqual([now.number]);
  });
  it('builds the image and PDF addresses of a card', () => {
    expect(cardImageUrl(now, 'front')).toBe('/api/v1/cards/647400000034/image?side=front');
    expect(cardImageUrl(now, 'pdf')).toBe('/api/v1/cards/647400000034/image?format=pdf');
  });
});
