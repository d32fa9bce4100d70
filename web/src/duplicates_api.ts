// The duplicate review queue's part of the API client (/api/v1/duplicates, docs/api.md
// "Duplikat"). Decisions send If-Match with the pair's version: a pair someone else decided
// meanwhile is refused (412 or 409), never decided twice.
import { request, type Person } from './api';

/// One field's part in a pair's score (src/kapal/integrity explain).
export interface Evidence {
  field: string;
  level: number;
  text: string;
  weight: number;
}

export type PairState = 'terbuka' | 'digabung' | 'berbeda';

/// A pair as the caller may see it: a person outside the caller's areas is null.
export interface DuplicatePair {
  id: string;
  person_a: string | null;
  person_b: string | null;
  kelurahan_a: string | null;
  kelurahan_b: string | null;
  a_name?: string | null;
  b_name?: string | null;
  score: number;
  explanation: Evidence[];
  source: 'registrasi' | 'impor' | 'pemindaian';
  state: PairState;
  found_at: string;
  found_by: string;
  decided_at: string | null;
  decided_by: string;
  decision_reason: string;
  kept_id: string | null;
  version: number;
}

export interface DuplicatePairDetail extends DuplicatePair {
  a: Person | null;
  b: Person | null;
}

export interface ScanOutcome {
  persons: number;
  compared: number;
  found: number;
  added: number;
}

const enc = encodeURIComponent;

export const duplicateApi = {
  list(
    state: PairState | '',
    cursor = '',
    limit = 50,
  ): Promise<{ items: DuplicatePair[]; next_cursor: string | null }> {
    return request('GET', '/api/v1/duplicates', { query: { state, cursor, limit } });
  },
  get(id: string): Promise<DuplicatePairDetail> {
    return request('GET', `/api/v1/duplicates/${enc(id)}`);
  },
  merge(
    id: string,
    version: number,
    keepId: string,
    reason: string,
  ): Promise<DuplicatePair & { absorbed: Person }> {
    return request('POST', `/api/v1/duplicates/${enc(id)}/merge`, {
      body: { keep_id: keepId, reason },
      headers: { 'If-Match': `"${version}"` },
    });
  },
  distinct(id: string, version: number, reason: string): Promise<DuplicatePair> {
    return request('POST', `/api/v1/duplicates/${enc(id)}/distinct`, {
      body: { reason },
      headers: { 'If-Match': `"${version}"` },
    });
  },
  scan(): Promise<ScanOutcome> {
    return request('POST', '/api/v1/duplicates/scan');
  },
};

/// Metres between two points on the Earth (haversine), for "the homes are 40 m apart".
export function distanceMetres(a: [number, number], b: [number, number]): number {
  const rad = Math.PI / 180;
  const dLat = (b[1] - a[1]) * rad;
  const dLon = (b[0] - a[0]) * rad;
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * rad) * Math.cos(b[1] * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371008.8 * Math.asin(Math.min(1, Math.sqrt(h)));
}
