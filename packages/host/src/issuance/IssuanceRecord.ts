/** Where an issuance stands. `in_flight`, `pending` and `unknown` are not terminal. */
export type IssuanceStatus = 'in_flight' | 'pending' | 'unknown' | 'succeeded' | 'failed';

/** Statuses the reconciler keeps working on. */
export const OPEN_STATUSES: readonly IssuanceStatus[] = ['in_flight', 'pending', 'unknown'];

/** An issuance as the API returns it. */
export interface IssuanceRecord {
  /** Host-assigned id (`iss_…`). */
  id: string;
  /** The caller's idempotency key. */
  reference: string;
  /** Owning tenant. */
  tenantId: string;
  /** The reference the provider sees: `<tenantId>:<reference>` (unique across tenants sharing a provider account). */
  providerReference: string;
  /** Connector instance name. */
  connector: string;
  /** Where it stands. */
  status: IssuanceStatus;
  productId: string;
  customerId: string;
  phoneNumber?: string;
  /** Decimal string in the currency's major unit, with its exact decimals (`"5.00"`). */
  amount: string;
  currency: string;
  metadata?: Record<string, string>;
  /** The provider's transaction id, when known. */
  transactionId?: string;
  /** The value issued, when succeeded and the provider returned it. */
  voucher?: { code: string; pin?: string; redemptionUrl?: string; expiresAt?: string };
  /** The provider's own status or error code. */
  providerCode?: string;
  /** The provider's own message. */
  providerMessage?: string;
  /** Why it failed, or the last error seen while it is unknown. */
  error?: { code: string; message: string };
  /** Not terminal and older than `reconciliation.maxAgeMs`: a person should look. */
  needsAttention: boolean;
  /** Provider issue calls made for it (all hosts). */
  sends: number;
  /** Status lookups made by reconciliation. */
  checks: number;
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601. */
  updatedAt: string;
  /** ISO 8601, when terminal. */
  completedAt?: string;
  /** ISO 8601, when the next reconciliation check is due (non-terminal only). */
  nextCheckAt?: string;
}

/** A journal row as stored. */
export interface IssuanceRow {
  id: string;
  tenant_id: string;
  reference: string;
  connector: string;
  request_hash: string;
  params: string;
  status: IssuanceStatus;
  transaction_id: string | null;
  result: string | null;
  error_code: string | null;
  error_message: string | null;
  sends: number | string;
  checks: number | string;
  lease_owner: string | null;
  lease_until: number | string;
  next_check_at: number | string;
  created_at: number | string;
  updated_at: number | string;
  completed_at: number | string | null;
  /** Until then an earlier send may still take effect at the provider (ms since the epoch; 0: none). */
  settle_until: number | string;
}

/** The normalised request stored with the intent (and hashed for idempotency). */
export interface StoredParams {
  productId: string;
  customerId: string;
  phoneNumber?: string;
  amount: string;
  currency: string;
  metadata?: Record<string, string>;
}

/** What the provider returned, stored as JSON. */
export interface StoredResult {
  voucher?: IssuanceRecord['voucher'];
  providerCode?: string;
  providerMessage?: string;
}

const iso = (ms: number | string) => new Date(Number(ms)).toISOString();

/** Maps a row to the API shape; `maxAgeMs` decides `needsAttention`. */
export function toRecord(row: IssuanceRow, now: number, maxAgeMs: number): IssuanceRecord {
  const params = JSON.parse(row.params) as StoredParams;
  const result = row.result ? (JSON.parse(row.result) as StoredResult) : {};
  const open = OPEN_STATUSES.includes(row.status);
  const rec: IssuanceRecord = {
    id: row.id,
    reference: row.reference,
    tenantId: row.tenant_id,
    providerReference: `${row.tenant_id}:${row.reference}`,
    connector: row.connector,
    status: row.status,
    productId: params.productId,
    customerId: params.customerId,
    ...(params.phoneNumber !== undefined ? { phoneNumber: params.phoneNumber } : {}),
    amount: params.amount,
    currency: params.currency,
    ...(params.metadata ? { metadata: params.metadata } : {}),
    ...(row.transaction_id ? { transactionId: row.transaction_id } : {}),
    ...(result.voucher ? { voucher: result.voucher } : {}),
    ...(result.providerCode ? { providerCode: result.providerCode } : {}),
    ...(result.providerMessage ? { providerMessage: result.providerMessage } : {}),
    ...(row.error_code ? { error: { code: row.error_code, message: row.error_message ?? '' } } : {}),
    needsAttention: open && now - Number(row.created_at) >= maxAgeMs,
    sends: Number(row.sends),
    checks: Number(row.checks),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    ...(row.completed_at !== null && row.completed_at !== undefined ? { completedAt: iso(row.completed_at) } : {}),
    ...(open ? { nextCheckAt: iso(row.next_check_at) } : {}),
  };
  return rec;
}
