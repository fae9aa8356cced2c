import { createHmac, timingSafeEqual } from 'node:crypto';

/** Why a Standard Webhooks delivery did not verify. */
export type SinkVerifyReason = 'NO_SECRET' | 'MISSING_HEADERS' | 'TIMESTAMP_OUT_OF_RANGE' | 'BAD_SIGNATURE';

/** Accepted clock skew between sender and sink, in seconds (the Standard Webhooks default). */
export const TIMESTAMP_TOLERANCE_S = 5 * 60;

/** The HMAC key of a `whsec_<base64>` secret (a bare base64 secret is accepted too). */
export function webhookKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
}

/**
 * Verifies a Standard Webhooks delivery: `webhook-signature` holds one or
 * more space-separated `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`
 * (several during a secret rotation); any match passes, compared in constant
 * time. The timestamp must be within ±5 minutes of `nowMs`.
 */
export function verifyStandardWebhook(
  secret: string | undefined,
  headers: { id?: string; timestamp?: string; signature?: string },
  body: Buffer,
  nowMs: number,
): { verified: true } | { verified: false; reason: SinkVerifyReason } {
  if (!secret) return { verified: false, reason: 'NO_SECRET' };
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature) return { verified: false, reason: 'MISSING_HEADERS' };
  const ts = Number(timestamp);
  if (!/^\d+$/.test(timestamp) || Math.abs(nowMs / 1000 - ts) > TIMESTAMP_TOLERANCE_S)
    return { verified: false, reason: 'TIMESTAMP_OUT_OF_RANGE' };
  const expected = createHmac('sha256', webhookKey(secret)).update(`${id}.${timestamp}.`).update(body).digest();
  for (const part of signature.split(' ')) {
    const comma = part.indexOf(',');
    if (comma === -1 || part.slice(0, comma) !== 'v1') continue;
    const given = Buffer.from(part.slice(comma + 1), 'base64');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return { verified: true };
  }
  return { verified: false, reason: 'BAD_SIGNATURE' };
}

/** Verifies the notes' `X-Signature`: hex HMAC-SHA256 of the body with the secret's UTF-8 bytes. */
export function verifyLegacySignature(secret: string, signature: string | undefined, body: Buffer): boolean {
  if (!signature || !/^[0-9a-fA-F]{64}$/.test(signature)) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}
