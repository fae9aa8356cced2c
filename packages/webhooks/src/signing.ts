import { createHmac, randomBytes } from 'node:crypto';

/** Prefix of every subscription secret. */
export const SECRET_PREFIX = 'whsec_';

/** A new subscription secret: `whsec_` + base64 of 32 random bytes. */
export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64');
}

/** The HMAC key a Standard Webhooks secret stands for: the base64 after `whsec_`, decoded. */
export function secretKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
}

/**
 * One Standard Webhooks signature, `v1,<base64 HMAC-SHA256>` over
 * `${msgId}.${timestampSec}.${body}`, keyed with the decoded secret.
 */
export function signPayload(secret: string, msgId: string, timestampSec: number, body: string): string {
  const mac = createHmac('sha256', secretKey(secret)).update(`${msgId}.${timestampSec}.`).update(body).digest('base64');
  return `v1,${mac}`;
}

/**
 * The legacy `X-Signature`: hex HMAC-SHA256 of the raw body, keyed with the
 * full secret string as UTF-8 bytes (`whsec_…` included), as receivers built
 * on the original notes compute it.
 */
export function legacySignature(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

/** The user agent every delivery carries. */
export const USER_AGENT = 'Relaypoint-Webhooks/0.1';

/** Inputs of {@link buildHeaders}. */
export interface BuildHeadersInput {
  /** The message id (`webhook-id`), stable across retries and replays. */
  msgId: string;
  /** Event type, sent as `X-Event`. */
  eventType: string;
  /** The exact body bytes that will be sent. */
  body: string;
  /** Signing time, seconds since the epoch. */
  timestampSec: number;
  /** The current secret. */
  secret: string;
  /** Secrets still within their rotation overlap; each adds a signature to `webhook-signature`. */
  previousSecrets?: readonly string[];
}

/**
 * Every header of a delivery: Standard Webhooks (`webhook-id`,
 * `webhook-timestamp`, `webhook-signature` — space-separated while a rotated
 * secret overlaps), `X-Event`, `X-Signature` (signed with the current secret
 * only), `Content-Type` and `User-Agent`.
 */
export function buildHeaders(input: BuildHeadersInput): Record<string, string> {
  const sigs = [input.secret, ...(input.previousSecrets ?? [])].map((s) => signPayload(s, input.msgId, input.timestampSec, input.body));
  return {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    'webhook-id': input.msgId,
    'webhook-timestamp': String(input.timestampSec),
    'webhook-signature': sigs.join(' '),
    'x-event': input.eventType,
    'x-signature': legacySignature(input.secret, input.body),
  };
}
