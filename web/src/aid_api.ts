// The social assistance part of the API client (/api/v1/aid, docs/api.md "Bantuan sosial").
// Writes to a cycle's list send If-Match with the cycle's version (412 when someone else
// changed it meanwhile); a handover sends its Idempotency-Key.
import { request, type Query } from './api';

export interface AidProgram {
  code: string;
  name: string;
  source: string;
  kind: string;
  channel: string;
  unit_value: number;
  rule?: string;
  excludes?: string[];
  assignees?: string[];
  active?: boolean;
  version: number;
}

export interface AidProgramInput {
  code: string;
  name: string;
  source: string;
  kind: string;
  channel: string;
  unit_value: number;
  rule: string;
  excludes?: string[];
  assignees: string[];
  /// Only when changing a programme (a new one is active).
  active?: boolean;
}

export interface AidCycle {
  id: string;
  program_code: string;
  number: number;
  name: string;
  starts_on?: string;
  ends_on?: string;
  quotas?: { area_code: string; max: number }[];
  site?: { lon: number; lat: number } | null;
  list_state: string;
  rule?: string;
  list_hash?: string | null;
  list_size?: number;
  proposed_by?: string;
  proposed_at?: string | null;
  approved_by?: string;
  approved_at?: string | null;
  version: number;
  created_at?: string;
  created_by?: string;
}

export interface AidCycleInput {
  number: number;
  name: string;
  starts_on: string;
  ends_on: string;
  quotas: { area_code: string; max: number }[];
  site: { lon: number; lat: number } | null;
}

export interface AidPreview {
  canonical: string;
  evaluated: number;
  matched: number;
  per_kelurahan: Record<string, number>;
}

export interface AidGenerated {
  cycle: AidCycle;
  matched: number;
  listed: number;
  over_quota?: Record<string, number>;
  flags?: Record<string, number>;
}

export interface AidListEntry {
  person_id: string;
  kelurahan_code: string;
  source: 'rule' | 'manual';
  removed: boolean;
  reason?: string;
  flags?: string[];
  added_at?: string;
  added_by?: string;
}

/// A delivery in a person's aid history, its programme and cycle named.
export interface PersonAid extends AidDelivery {
  program_code: string;
  program_name: string;
  cycle_number: number;
  cycle_name: string;
  fail_reason: string;
  evidence: string | null;
}

export interface AidDelivery {
  id: string;
  cycle_id: string;
  person_id: string;
  kelurahan_code?: string;
  channel: string;
  state: string;
  amount: number;
  recorded_at: string;
  officer?: string;
  accuracy_m?: number | null;
  card_number?: string | null;
  flags?: string[];
}

export interface AidBeneficiary {
  person_id: string;
  name: string;
  kelurahan_code?: string;
  card_number?: string | null;
  on_list: boolean;
  delivery: AidDelivery | null;
}

export interface RealisationRow {
  listed: number;
  delivered: number;
  pending: number;
  failed: number;
  not_yet: number;
  delivered_amount: number;
}

export interface AidRealisation {
  items: (RealisationRow & { kelurahan_code: string })[];
  total: RealisationRow;
}

export interface HandoverBody {
  qr?: string;
  card_number?: string;
  person_id?: string;
  search_reason?: string;
  lon?: number;
  lat?: number;
  accuracy_m?: number;
  evidence?: string;
  evidence_type?: 'image/jpeg';
  note?: string;
}

const enc = encodeURIComponent;
const ifMatch = (version: number) => ({ 'If-Match': `"${version}"` });

export const aidApi = {
  programs(): Promise<{ items: AidProgram[] }> {
    return request('GET', '/api/v1/aid/programs');
  },
  createProgram(body: AidProgramInput): Promise<AidProgram> {
    return request('POST', '/api/v1/aid/programs', { body });
  },
  cycles(code: string): Promise<{ items: AidCycle[] }> {
    return request('GET', `/api/v1/aid/programs/${enc(code)}/cycles`);
  },
  createCycle(code: string, body: AidCycleInput): Promise<AidCycle> {
    return request('POST', `/api/v1/aid/programs/${enc(code)}/cycles`, { body });
  },
  cycle(id: string): Promise<AidCycle> {
    return request('GET', `/api/v1/aid/cycles/${enc(id)}`);
  },
  /// Changes a programme (its code stays); 412 when someone changed it since `version`.
  updateProgram(code: string, body: AidProgramInput, version: number): Promise<AidProgram> {
    return request('PUT', `/api/v1/aid/programs/${enc(code)}`, {
      body,
      headers: { 'If-Match': `"${version}"` },
    });
  },
  program(code: string): Promise<AidProgram> {
    return request('GET', `/api/v1/aid/programs/${enc(code)}`);
  },
  preview(rule: string): Promise<AidPreview> {
    return request('POST', '/api/v1/aid/rules/preview', { body: { rule } });
  },
  generate(id: string, version: number): Promise<AidGenerated> {
    return request('POST', `/api/v1/aid/cycles/${enc(id)}/list/generate`, {
      headers: ifMatch(version),
    });
  },
  list(id: string, query: Query): Promise<{ items: AidListEntry[]; next_after?: string }> {
    return request('GET', `/api/v1/aid/cycles/${enc(id)}/list`, { query });
  },
  /// add, remove (with a reason), propose, approve, return (with a reason).
  step(
    id: string,
    action: 'add' | 'remove' | 'propose' | 'approve' | 'return',
    version: number,
    body?: { person_id?: string; reason?: string },
  ): Promise<AidCycle> {
    return request('POST', `/api/v1/aid/cycles/${enc(id)}/list/${action}`, {
      body,
      headers: ifMatch(version),
    });
  },
  realisation(id: string): Promise<AidRealisation> {
    return request('GET', `/api/v1/aid/cycles/${enc(id)}/realisation`);
  },
  beneficiary(id: string, body: HandoverBody): Promise<AidBeneficiary> {
    return request('POST', `/api/v1/aid/cycles/${enc(id)}/beneficiary`, { body });
  },
  searchBeneficiaries(id: string, q: string): Promise<{ items: AidBeneficiary[] }> {
    return request('GET', `/api/v1/aid/cycles/${enc(id)}/beneficiaries`, { query: { q } });
  },
  /// Records a handover; `onResponse` sees the answer (200: a replay of the same key).
  /// Every delivery to a person (the Detail page's aid received), oldest first.
  personAid(personId: string): Promise<{ items: PersonAid[] }> {
    return request('GET', `/api/v1/persons/${enc(personId)}/aid`);
  },
  handover(
    id: string,
    body: HandoverBody,
    key: string,
    onResponse?: (r: Response) => void,
  ): Promise<AidDelivery> {
    return request('POST', `/api/v1/aid/cycles/${enc(id)}/handovers`, {
      body,
      headers: { 'Idempotency-Key': key },
      onResponse,
    });
  },
};
