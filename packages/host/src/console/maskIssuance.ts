import type { IssuanceRecord } from '../issuance/IssuanceRecord.js';

/**
 * An issuance as the console shows it: the voucher code cut to its last four
 * characters and the PIN hidden, as the `reward.issued` event carries them.
 * The full code stays on `GET /v1/issuances/:reference` for the tenant's own
 * systems; a screen is shared, screenshotted and looked over.
 */
export function maskIssuance(record: IssuanceRecord): IssuanceRecord {
  if (!record.voucher) return record;
  const { code, pin, ...rest } = record.voucher;
  return {
    ...record,
    voucher: { ...rest, code: code.length > 4 ? `••••${code.slice(-4)}` : '••••', ...(pin !== undefined ? { pin: '••••' } : {}) },
  };
}
