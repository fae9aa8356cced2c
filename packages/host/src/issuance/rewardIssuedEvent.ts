import type { IssuanceRow, StoredParams, StoredResult } from './IssuanceRecord.js';

/**
 * The `reward.issued` event for a row just recorded `succeeded`. Its id is
 * derived from the issuance, so publishing it twice can only deduplicate.
 * The voucher code travels masked (last four characters); the full code is
 * on `GET /v1/issuances/:reference` for the tenant.
 */
export function buildRewardIssuedEvent(
  row: IssuanceRow,
  now: number,
): { id: string; type: 'reward.issued'; data: Record<string, unknown> } {
  const params = JSON.parse(row.params) as StoredParams;
  const result = row.result ? (JSON.parse(row.result) as StoredResult) : {};
  const voucher: Record<string, string> = {};
  if (result.voucher?.code) voucher.codeLast4 = result.voucher.code.slice(-4);
  if (result.voucher?.redemptionUrl) voucher.redemptionUrl = result.voucher.redemptionUrl;
  return {
    id: `evt_${row.id}`,
    type: 'reward.issued',
    data: {
      issuanceId: row.id,
      reference: row.reference,
      connector: row.connector,
      productId: params.productId,
      customerId: params.customerId,
      amount: params.amount,
      currency: params.currency,
      status: 'succeeded',
      ...(row.transaction_id ? { transactionId: row.transaction_id } : {}),
      ...(Object.keys(voucher).length > 0 ? { voucher } : {}),
      issuedAt: new Date(Number(row.completed_at ?? now)).toISOString(),
    },
  };
}
