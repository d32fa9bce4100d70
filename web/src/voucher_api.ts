// The voucher part of the API client (/api/v1/aid/.../voucher and /api/v1/aid/merchants,
// docs/api.md "Voucher"). A redemption sends its Idempotency-Key: a retry never spends twice.
import { request } from './api';

export interface Merchant {
  id: string;
  name: string;
  user_id: string;
  kelurahan_code: string;
  lon: number;
  lat: number;
  address?: string;
  active: boolean;
  version: number;
}

export interface VoucherPerson {
  person_id: string;
  name: string;
  kelurahan_code?: string;
  card_number?: string | null;
  on_list?: boolean;
}

export interface VoucherBalance {
  cycle_id: string;
  person_id: string;
  entitled: number;
  spent: number;
  balance: number;
  issued: boolean;
}

export interface VoucherTransaction {
  id: string;
  kind: 'issue' | 'redeem';
  person_id: string;
  merchant_id: string | null;
  amount: number;
  note: string;
  at: string;
  postings: { account: string; amount: number }[];
}

export interface VoucherWho {
  qr?: string;
  card_number?: string;
  person_id?: string;
  search_reason?: string;
}

export interface VoucherOutcome {
  transaction: VoucherTransaction;
  balance: VoucherBalance;
  replayed: boolean;
}

const enc = encodeURIComponent;

export const voucherApi = {
  merchants(): Promise<{ items: Merchant[] }> {
    return request('GET', '/api/v1/aid/merchants');
  },
  holder(
    cycleId: string,
    who: VoucherWho,
  ): Promise<{ person: VoucherPerson; balance: VoucherBalance }> {
    return request('POST', `/api/v1/aid/cycles/${enc(cycleId)}/voucher/holder`, { body: who });
  },
  search(cycleId: string, q: string): Promise<{ items: VoucherPerson[] }> {
    return request('GET', `/api/v1/aid/cycles/${enc(cycleId)}/voucher/holders`, { query: { q } });
  },
  redeem(
    cycleId: string,
    body: VoucherWho & { amount: number; note?: string; merchant_id?: string },
    key: string,
  ): Promise<VoucherOutcome> {
    return request('POST', `/api/v1/aid/cycles/${enc(cycleId)}/voucher/redemptions`, {
      body,
      headers: { 'Idempotency-Key': key },
    });
  },
};
