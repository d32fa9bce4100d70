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

/// What an admin sends to register or change a merchant.
export interface MerchantInput {
  name: string;
  user_id: string;
  kelurahan_code: string;
  lon: number;
  lat: number;
  address: string;
  active: boolean;
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
  /// A cycle's ledger, oldest first, a page at a time (admin, auditor; a merchant its own).
  ledger(
    cycleId: string,
    after = '',
    limit = 50,
  ): Promise<{ items: VoucherTransaction[]; next_after?: string }> {
    return request('GET', `/api/v1/aid/cycles/${enc(cycleId)}/voucher/ledger`, {
      query: { after, limit: String(limit) },
    });
  },
  /// What the Dinas owes each e-warong for a cycle.
  merchantTotals(cycleId: string): Promise<{
    items: { merchant_id: string; name: string; transactions: number; amount: number }[];
    total: { transactions: number; amount: number };
  }> {
    return request('GET', `/api/v1/aid/cycles/${enc(cycleId)}/voucher/merchant-totals`);
  },
  createMerchant(body: MerchantInput): Promise<Merchant> {
    return request('POST', '/api/v1/aid/merchants', { body });
  },
  /// 412 when someone changed the merchant since `version`.
  updateMerchant(id: string, body: MerchantInput, version: number): Promise<Merchant> {
    return request('PUT', `/api/v1/aid/merchants/${enc(id)}`, {
      body,
      headers: { 'If-Match': `"${version}"` },
    });
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
