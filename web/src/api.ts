// The client of the Kapal Si Geo API (/api/v1, docs/api.md). Every call goes through
// request(): the session cookie travels by itself (same origin), writes carry the CSRF token,
// and a failure becomes an ApiError holding the RFC 9457 problem details.
import { languageTag } from './i18n';

export interface FieldIssue {
  field: string;
  code: string;
  message: string;
  level: 'error' | 'warning';
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly fields: FieldIssue[] = [],
    readonly retryAfterS: number | null = null,
  ) {
    super(title || code);
  }
  /// True when the server could not be reached at all.
  get network(): boolean {
    return this.status === 0;
  }
}

export type Role = 'admin' | 'operator' | 'auditor' | 'viewer' | 'penyalur' | 'merchant';

export interface User {
  id: string;
  username: string;
  display_name: string;
  role: Role;
  area_codes: string[];
  disabled?: boolean;
}

export const roles: Role[] = ['admin', 'operator', 'auditor', 'viewer', 'penyalur', 'merchant'];

export interface Session {
  user: User;
  csrf_token: string;
  /// A kab/kota instance, or a province instance (its own menu: docs/province.md).
  instance?: 'city' | 'province';
  /// Days after which a device wipes its offline data when not unlocked (docs/sync.md).
  offline_wipe_days?: number;
}

export type Category =
  'fisik' | 'intelektual' | 'mental' | 'sensorik_netra' | 'sensorik_rungu' | 'sensorik_wicara';
export const categories: Category[] = [
  'fisik',
  'intelektual',
  'mental',
  'sensorik_netra',
  'sensorik_rungu',
  'sensorik_wicara',
];
export const severities = ['ringan', 'sedang', 'berat'] as const;
export const statuses = ['aktif', 'pindah', 'meninggal', 'nonaktif'] as const;

export const wgDomains = [
  'seeing',
  'hearing',
  'walking',
  'cognition',
  'self_care',
  'communication',
] as const;
export const assistiveDevices = [
  'kursi_roda',
  'kruk',
  'tongkat',
  'tongkat_netra',
  'walker',
  'kaki_palsu',
  'tangan_palsu',
  'alat_bantu_dengar',
  'kacamata',
  'braille',
  'alat_bantu_lainnya',
  'popok',
] as const;
export const therapies = [
  'fisioterapi',
  'terapi_wicara',
  'terapi_okupasi',
  'psikoterapi',
  'terapi_perilaku',
  'rehabilitasi_sosial',
] as const;
export const onsets = ['sejak_lahir', 'didapat'] as const;
export const causes = [
  'bawaan',
  'penyakit',
  'kecelakaan',
  'bencana',
  'konflik',
  'lainnya',
] as const;
export const consentPurposes = [
  'registration',
  'social_assistance',
  'card',
  'data_sharing',
  'contact',
] as const;

/// A person as GET /api/v1/persons/{id} answers it (src/kapal/http/person_json.cpp).
export interface Person {
  id: string;
  version: number;
  created_at: string;
  updated_at: string;
  created_by: string;
  updated_by: string;
  full_name: string;
  sex: 'L' | 'P';
  birth_place: string;
  birth_date: string;
  nik_masked: string;
  kk_masked: string | null;
  phone: string;
  address: { street: string; rt: string; rw: string; kelurahan_code: string };
  kecamatan_code: string;
  home: { lon: number; lat: number; accuracy_m: number | null; source: string } | null;
  categories: Category[];
  disability_subtype: string;
  severity: string | null;
  wgss: Partial<Record<(typeof wgDomains)[number], number | null>>;
  onset: string | null;
  onset_year: number | null;
  cause: string | null;
  cause_note: string;
  assistive_devices: string[];
  therapies: string[];
  needs_note: string;
  caregiver: { name: string; phone: string; relationship: string } | null;
  dtks: boolean;
  dtks_id: string;
  account: {
    kind: 'bank' | 'ewallet';
    provider: string;
    number_masked: string;
    holder_name: string;
  } | null;
  photo_id: string;
  documents: { id: string; kind: string; name: string }[];
  consent: { given: boolean; date: string | null; given_by: string; purposes: string[] };
  status: string;
  status_date: string | null;
  status_reason: string;
  /// Set when a reviewer merged this record into another (the duplicate review).
  merged_into?: string;
  confirmed_warnings: string[];
  warning_reason: string;
}

export interface PersonVersion extends Person {
  change_reason: string;
  change_source: string;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  source: string;
  action: string;
  subject: string;
  detail: string;
}

export interface AuditVerification {
  intact: boolean;
  entries: number;
  last_seq: number;
  checkpoints_checked: number;
  findings: { seq: number; message: string }[];
  checked_at: string;
  duration_ms: number;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
  truncated?: boolean;
}

export interface Cluster {
  lon: number;
  lat: number;
  count: number;
  categories: Partial<Record<Category, number>>;
  bbox: [number, number, number, number];
  id?: string;
}

export interface Clusters {
  zoom: number;
  total: number;
  clusters: Cluster[];
}

export interface AreaProperties {
  code: string;
  name: string;
  level: string;
  parent: string | null;
  total: number;
  categories: Partial<Record<Category, number>>;
  /// Residents (reference data); null where unknown (kelurahan in Bontang's data).
  population?: number | null;
  /// Persons per 1,000 residents, where the population is known.
  per_1000?: { total: number } | null;
}

export interface FeatureCollection<P> {
  type: 'FeatureCollection';
  features: { type: 'Feature'; geometry: GeoJSON.Geometry; properties: P }[];
}

export interface HazardProperties {
  id: string;
  name: string;
  hazard: string;
  level: string;
}

/// A card as the API answers it (docs/api.md "Cards").
export interface Card {
  number: string;
  number_formatted: string;
  person_id: string;
  kelurahan_code: string;
  status: 'active' | 'revoked';
  state: 'active' | 'revoked' | 'expired';
  stage: 'to_print' | 'to_hand_over' | 'handed_over' | null;
  issued_at: string;
  issued_by: string;
  expires_at: string;
  revoked_at: string | null;
  revoked_by: string;
  revoke_reason: string;
  revoke_note: string;
  replaced_by: string;
  printed_at: string | null;
  printed_by: string;
  handed_over_at: string | null;
  handed_over_by: string;
  key_id: string;
  qr: string;
}

/// One service of the catalogue the card opens (GET /api/v1/services).
export interface Service {
  code: string;
  name: string;
  name_en: string;
  description: string;
  active: boolean;
  position: number;
}

export interface ServiceStep {
  version: number;
  at: string;
  actor: string;
  status: string;
  note: string;
}

/// A person's request for a service, with every step (docs/api.md "Services the card opens").
export interface ServiceRequest {
  id: string;
  person_id: string;
  service: string;
  kelurahan_code: string;
  card_number: string | null;
  status: string;
  note: string;
  version: number;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
  history: ServiceStep[];
}

export type Query = Record<string, string | number | undefined | null>;

let csrfToken: string | null = null;

/// Whether a write can be sent: false after the app opened offline, until the server answered
/// who is signed in (GET /auth/me gives the CSRF token).
export function hasCsrfToken(): boolean {
  return csrfToken !== null && csrfToken !== '';
}
const unauthenticatedListeners = new Set<() => void>();

/// Called when a request answers 401 (the session ended): the router goes to the login page.
export function onUnauthenticated(fn: () => void): void {
  unauthenticatedListeners.add(fn);
}

export function url(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') {
      params.set(k, String(v));
    }
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

export async function request<T>(
  method: string,
  path: string,
  options: {
    query?: Query;
    body?: unknown;
    signal?: AbortSignal;
    quiet401?: boolean;
    headers?: Record<string, string>;
    onResponse?: (response: Response) => void;
  } = {},
): Promise<T> {
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'Accept-Language': languageTag(),
    ...options.headers,
  };
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  if (method !== 'GET' && csrfToken) {
    headers['X-CSRF-Token'] = csrfToken;
  }
  let response: Response;
  try {
    response = await fetch(url(path, options.query), {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') {
      throw e;
    }
    throw new ApiError(0, 'network', '');
  }
  options.onResponse?.(response);
  if (response.status === 204) {
    return undefined as T;
  }
  const text = await response.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!response.ok) {
    const p = (json ?? {}) as { code?: string; title?: string; errors?: FieldIssue[] };
    const retry = Number(response.headers.get('Retry-After'));
    const error = new ApiError(
      response.status,
      p.code ?? `http_${response.status}`,
      p.title ?? response.statusText,
      p.errors ?? [],
      Number.isFinite(retry) && retry > 0 ? retry : null,
    );
    if (response.status === 401 && !options.quiet401) {
      unauthenticatedListeners.forEach((fn) => fn());
    }
    throw error;
  }
  return json as T;
}

/// Downloads a file from the API, reporting the bytes received so far (and the total when the
/// server sends Content-Length), so that a long export shows its progress.
export async function download(
  path: string,
  query: Query,
  onProgress: (received: number, total: number | null) => void,
): Promise<{ blob: Blob; filename: string }> {
  let response: Response;
  try {
    response = await fetch(url(path, query), {
      credentials: 'same-origin',
      headers: { 'Accept-Language': languageTag() },
    });
  } catch {
    throw new ApiError(0, 'network', '');
  }
  if (!response.ok || !response.body) {
    const p = (await response.json().catch(() => ({}))) as { code?: string; title?: string };
    if (response.status === 401) {
      unauthenticatedListeners.forEach((fn) => fn());
    }
    throw new ApiError(response.status, p.code ?? `http_${response.status}`, p.title ?? '');
  }
  const total = Number(response.headers.get('Content-Length')) || null;
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) {
      break;
    }
    chunks.push(value);
    received += value.length;
    onProgress(received, total);
  }
  const disposition = response.headers.get('Content-Disposition') ?? '';
  const filename = /filename="([^"]+)"/.exec(disposition)?.[1] ?? path.split('/').pop() ?? 'data';
  const type = response.headers.get('Content-Type') ?? 'application/octet-stream';
  return { blob: new Blob(chunks as BlobPart[], { type }), filename };
}

/// Sends a file as the body to `path` (POST unless `options.method` says otherwise;
/// XMLHttpRequest, for the upload's progress) and returns the JSON answer; errors as `request`.
export function uploadFile<T>(
  path: string,
  file: Blob,
  contentType: string,
  onProgress: (sent: number, total: number) => void,
  onUploaded: () => void,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(options.method ?? 'POST', url(path));
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('Accept-Language', languageTag());
    xhr.setRequestHeader('Content-Type', contentType);
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      xhr.setRequestHeader(name, value);
    }
    if (csrfToken) {
      xhr.setRequestHeader('X-CSRF-Token', csrfToken);
    }
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.upload.onload = () => onUploaded();
    xhr.onerror = () => reject(new ApiError(0, 'network', ''));
    xhr.onload = () => {
      let json: unknown = null;
      try {
        json = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        json = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(json as T);
        return;
      }
      const p = (json ?? {}) as { code?: string; title?: string; errors?: FieldIssue[] };
      if (xhr.status === 401) {
        unauthenticatedListeners.forEach((fn) => fn());
      }
      reject(
        new ApiError(
          xhr.status,
          p.code ?? `http_${xhr.status}`,
          p.title ?? xhr.statusText,
          p.errors ?? [],
        ),
      );
    };
    xhr.send(file);
  });
}

/// GET /api/v1/stats: the dashboard's figures for the caller's areas.
export interface Stats {
  status: string | null;
  total: number;
  categories: Record<string, number>;
  sex: Record<string, number>;
  age_groups: Record<string, number>;
  severity: Record<string, number>;
  kecamatan: { code: string; name: string; count: number }[];
  monthly: {
    months: string[];
    total: number[];
    kecamatan: { code: string; name: string; counts: number[] }[];
  };
}

/// GET /api/v1/stats/flows/monthly: the registry's changes per month, one series per figure.
export interface FlowSeriesSet {
  start: number[];
  new: number[];
  moved_in: number[];
  reactivated: number[];
  moved_out: number[];
  deceased: number[];
  deactivated: number[];
  end: number[];
}

export interface MonthlyFlows {
  level: string;
  months: string[];
  areas: (FlowSeriesSet & { code: string; name: string })[];
  total: FlowSeriesSet;
}

/// The counts of one area over a period (GET /api/v1/stats/flows).
export interface FlowCounts {
  start: number;
  new: number;
  moved_in: number;
  reactivated: number;
  moved_out: number;
  deceased: number;
  deactivated: number;
  end: number;
  in: number;
  out: number;
}

export interface Flows {
  period: string;
  from: string;
  to: string;
  level: string;
  areas: (FlowCounts & { code: string; name: string })[];
  total: FlowCounts;
}

/// The indicators of one area at one instant (GET /api/v1/stats/indicators).
export interface IndicatorCounts {
  registered: number;
  population: number | null;
  per_1000: number | null;
  with_card: number;
  card_share: number | null;
  reached: number;
  aid_share: number | null;
  located: number;
  in_hazard: number;
  hazard_share: number | null;
  far: number;
  far_share: number | null;
}

export interface Indicators {
  period: string;
  from: string;
  to: string;
  previous: { period: string; from: string; to: string };
  level: string;
  far_m: number;
  facility_kind: string | null;
  facilities: number;
  hazard_zones: number;
  areas: { code: string; name: string; current: IndicatorCounts; previous: IndicatorCounts }[];
  total: { current: IndicatorCounts; previous: IndicatorCounts };
}

/// One row of an import report (POST /api/v1/imports/persons).
export interface ImportRow {
  row: number;
  errors: FieldIssue[];
}

export interface ImportReport {
  filename: string;
  dry_run: boolean;
  header_row: number;
  rows: number;
  created: number;
  unchanged: number;
  changed: number;
  rejected: number;
  warned: number;
  unknown_columns: string[];
  rejects: ImportRow[];
  warnings: ImportRow[];
  changes: ImportRow[];
  rejects_csv: string | null;
}

/// Uploads a CSV or XLSX file to import (or, with `dryRun`, to check). XMLHttpRequest rather
/// than fetch: only it reports the upload's progress. `onUploaded` is called once the server
/// has the whole file and is working on it.
export function uploadImport(
  file: Blob,
  filename: string,
  dryRun: boolean,
  onProgress: (sent: number, total: number) => void,
  onUploaded: () => void,
): Promise<ImportReport> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url('/api/v1/imports/persons', { filename, dry_run: String(dryRun) }));
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('Accept-Language', languageTag());
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    if (csrfToken) {
      xhr.setRequestHeader('X-CSRF-Token', csrfToken);
    }
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.upload.onload = () => onUploaded();
    xhr.onerror = () => reject(new ApiError(0, 'network', ''));
    xhr.onload = () => {
      let json: unknown = null;
      try {
        json = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        json = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(json as ImportReport);
        return;
      }
      const p = (json ?? {}) as {
        code?: string;
        title?: string;
        detail?: string;
        errors?: FieldIssue[];
      };
      if (xhr.status === 401) {
        unauthenticatedListeners.forEach((fn) => fn());
      }
      reject(
        new ApiError(
          xhr.status,
          p.code ?? `http_${xhr.status}`,
          p.title ?? xhr.statusText,
          p.errors ?? [],
        ),
      );
    };
    xhr.send(file);
  });
}

/// A total of a province package: a figure is null when suppressed (fewer than 5 persons).
export type ProvinceCounts = Record<
  'start' | 'new' | 'moved_in' | 'reactivated' | 'moved_out' | 'deceased' | 'deactivated' | 'end',
  number | null
>;

/// GET /api/v1/province/summary (a province instance; docs/province.md).
export interface ProvinceSummary {
  periods: string[];
  kota: {
    code: string;
    name: string;
    enrolled: boolean;
    periods: { period: string; sequence: number; created_at: string; counts: ProvinceCounts }[];
  }[];
}

/// GET /api/v1/province/cross-registered: persons registered in two or more kab/kota.
export interface ProvinceCrossRegistered {
  persons: number;
  groups: { kota: string[]; persons: number }[];
}

export const api = {
  async login(username: string, password: string): Promise<Session> {
    const s = await request<Session>('POST', '/api/v1/auth/login', {
      body: { username, password },
      quiet401: true,
    });
    csrfToken = s.csrf_token;
    return s;
  },
  /// The current session, or null when nobody is signed in.
  async me(): Promise<Session | null> {
    try {
      const s = await request<Session>('GET', '/api/v1/auth/me', { quiet401: true });
      csrfToken = s.csrf_token;
      return s;
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        return null;
      }
      throw e;
    }
  },
  async logout(): Promise<void> {
    try {
      await request<void>('POST', '/api/v1/auth/logout', { quiet401: true });
    } finally {
      csrfToken = null;
    }
  },
  persons(query: Query, signal?: AbortSignal): Promise<Page<Person>> {
    return request('GET', '/api/v1/persons', { query, signal });
  },
  /// A record merged into another (the duplicate review) answers with that one, unless
  /// `follow` is false: then with its own last state (merged_into set).
  person(id: string, follow = true): Promise<Person> {
    return request('GET', `/api/v1/persons/${encodeURIComponent(id)}`, {
      query: follow ? {} : { redirect: 'false' },
    });
  },
  versions(id: string): Promise<{ items: PersonVersion[] }> {
    return request('GET', `/api/v1/persons/${encodeURIComponent(id)}/versions`);
  },
  clusters(query: Query, signal?: AbortSignal): Promise<Clusters> {
    return request('GET', '/api/v1/map/clusters', { query, signal });
  },
  areas(query: Query, signal?: AbortSignal): Promise<FeatureCollection<AreaProperties>> {
    return request('GET', '/api/v1/areas', { query, signal });
  },
  hazards(): Promise<FeatureCollection<HazardProperties>> {
    return request('GET', '/api/v1/hazards');
  },
  /// The audit log, newest first; filters: actor, action, subject, from, to (ISO UTC), before.
  audit(query: Query): Promise<{ items: AuditEntry[]; next_before: number | null }> {
    return request('GET', '/api/v1/audit', { query });
  },
  /// The kab/kota side by side (a province instance; 404 elsewhere).
  provinceSummary(): Promise<ProvinceSummary> {
    return request('GET', '/api/v1/province/summary');
  },
  /// Counts of persons registered in two or more kab/kota (admin of a province instance).
  provinceCrossRegistered(): Promise<ProvinceCrossRegistered> {
    return request('GET', '/api/v1/province/cross-registered');
  },
  /// The check of `kapal audit verify`, run on the server.
  verifyAudit(): Promise<AuditVerification> {
    return request('GET', '/api/v1/audit/verify');
  },
  users(): Promise<{ items: User[] }> {
    return request('GET', '/api/v1/users');
  },
  /// Adds an account; the answer carries its generated password (shown once).
  addUser(body: {
    username: string;
    display_name: string;
    role: string;
    area_codes: string[];
  }): Promise<{ user: User; password: string }> {
    return request('POST', '/api/v1/users', { body });
  },
  setUserDisabled(username: string, disabled: boolean): Promise<{ user: User }> {
    const verb = disabled ? 'disable' : 'enable';
    return request('POST', `/api/v1/users/${encodeURIComponent(username)}/${verb}`);
  },
  resetPassword(username: string): Promise<{ username: string; password: string }> {
    return request('POST', `/api/v1/users/${encodeURIComponent(username)}/password`);
  },
  stats(query: Query, signal?: AbortSignal): Promise<Stats> {
    return request('GET', '/api/v1/stats', { query, signal });
  },
  monthlyFlows(query: Query, signal?: AbortSignal): Promise<MonthlyFlows> {
    return request('GET', '/api/v1/stats/flows/monthly', { query, signal });
  },
  flows(query: Query, signal?: AbortSignal): Promise<Flows> {
    return request('GET', '/api/v1/stats/flows', { query, signal });
  },
  indicators(query: Query, signal?: AbortSignal): Promise<Indicators> {
    return request('GET', '/api/v1/stats/indicators', { query, signal });
  },
  /// Registers a person; the same `idempotencyKey` sent again (a retry after a dropped
  /// connection) answers the first result instead of registering twice.
  createPerson(body: unknown, idempotencyKey: string): Promise<Person> {
    return request('POST', '/api/v1/persons', {
      body,
      headers: { 'Idempotency-Key': idempotencyKey },
    });
  },
  /// The URL of a person's photo (for an img; the session cookie goes with it).
  photoUrl(id: string): string {
    return `/api/v1/persons/${encodeURIComponent(id)}/photo`;
  },
  /// Uploads a person's photo (a JPEG) at `version`; the person with its new photo_id.
  setPhoto(
    id: string,
    version: number,
    jpeg: Blob,
    onProgress: (sent: number, total: number) => void,
  ): Promise<Person> {
    return uploadFile<Person>(
      `/api/v1/persons/${encodeURIComponent(id)}/photo`,
      jpeg,
      'image/jpeg',
      onProgress,
      () => undefined,
      { method: 'PUT', headers: { 'If-Match': `"${version}"` } },
    );
  },
  /// Removes a person's photo at `version`; the person without it.
  removePhoto(id: string, version: number): Promise<Person> {
    return request('DELETE', `/api/v1/persons/${encodeURIComponent(id)}/photo`, {
      headers: { 'If-Match': `"${version}"` },
    });
  },
  /// Replaces a person's content if it is still at `version` (else 412 `precondition_failed`).
  updatePerson(id: string, version: number, body: unknown): Promise<Person> {
    return request('PUT', `/api/v1/persons/${encodeURIComponent(id)}`, {
      body,
      headers: { 'If-Match': `"${version}"` },
    });
  },
  cards(personId: string): Promise<{ items: Card[] }> {
    return request('GET', `/api/v1/persons/${encodeURIComponent(personId)}/cards`);
  },
  /// Issues a card; with `replaceReason` the active card is revoked for it (a reissue).
  issueCard(personId: string, replaceReason?: string): Promise<Card> {
    return request('POST', `/api/v1/persons/${encodeURIComponent(personId)}/cards`, {
      body: replaceReason ? { replace_reason: replaceReason } : undefined,
    });
  },
  revokeCard(number: string, reason: string, note: string): Promise<Card> {
    return request('POST', `/api/v1/cards/${encodeURIComponent(number)}/revoke`, {
      body: { reason, note },
    });
  },
  /// The print queue: cards of the caller's areas at `stage`, optionally of one kelurahan.
  cardQueue(query: Query): Promise<{ items: Card[]; next_after?: string | null }> {
    return request('GET', '/api/v1/cards', { query });
  },
  markCards(step: 'printed' | 'handed-over', numbers: string[]): Promise<{ changed: number }> {
    return request('POST', `/api/v1/cards/${step}`, { body: { numbers } });
  },
  services(): Promise<{ items: Service[] }> {
    return request('GET', '/api/v1/services');
  },
  serviceRequests(personId: string): Promise<{ items: ServiceRequest[] }> {
    return request('GET', `/api/v1/persons/${encodeURIComponent(personId)}/service-requests`);
  },
  /// Opens a request for a person; the same `idempotencyKey` and body sent again (a retry, or
  /// the device's queued op) open it once.
  openServiceRequest(
    personId: string,
    service: string,
    note: string,
    idempotencyKey: string,
  ): Promise<ServiceRequest> {
    return request('POST', `/api/v1/persons/${encodeURIComponent(personId)}/service-requests`, {
      body: { service, note },
      headers: { 'Idempotency-Key': idempotencyKey },
    });
  },
  /// Opens a request by the card's QR (the server verifies the card); `onResponse` sees whether
  /// it was answered as a replay (200) or opened now (201).
  scanServiceRequest(
    body: { qr: string; service: string; note: string },
    idempotencyKey: string,
    onResponse?: (response: Response) => void,
  ): Promise<ServiceRequest> {
    return request('POST', '/api/v1/service-requests/scan', {
      body,
      headers: { 'Idempotency-Key': idempotencyKey },
      onResponse,
    });
  },
  /// Moves a request on if it is still at `version` (else 412 `precondition_failed`).
  setServiceStatus(
    id: string,
    version: number,
    status: string,
    note: string,
  ): Promise<ServiceRequest> {
    return request('POST', `/api/v1/service-requests/${encodeURIComponent(id)}/status`, {
      body: { status, note },
      headers: { 'If-Match': `"${version}"` },
    });
  },
};
