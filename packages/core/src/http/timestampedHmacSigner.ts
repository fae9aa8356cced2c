import { createHmac } from 'node:crypto';
import type { Clock } from '../plugins/ConnectorPlugin.js';
import type { RequestSigner, SignableRequest } from './RequestSigner.js';

/** Options of {@link timestampedHmacSigner}. */
export interface TimestampedHmacSignerOptions {
  /** The HMAC key. Never logged. */
  secret: string | Buffer;
  /** Header that carries `t=…,v1=…`. Defaults to `Signature`. */
  header?: string;
  /** Clock the timestamp is read from (ms since the epoch; sent as whole seconds). Defaults to `Date.now()`. */
  clock?: Clock;
  /** HMAC hash algorithm. Defaults to `sha256`. */
  algorithm?: string;
}

/**
 * The bytes a {@link timestampedHmacSigner} signs:
 * `<timestamp>.<METHOD>.<path with query>.<body bytes>`. Exported so a
 * provider fake (or a test) can verify a signature the same way.
 */
export function timestampedSigningPayload(timestamp: number, request: Pick<SignableRequest, 'method' | 'path' | 'body'>): Buffer {
  return Buffer.concat([Buffer.from(`${timestamp}.${request.method}.${request.path}.`, 'utf8'), request.body]);
}

/**
 * A Stripe-style {@link RequestSigner}: one header
 * `Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of t.METHOD.path.body>`
 * (see {@link timestampedSigningPayload}). The timestamp lets the provider
 * refuse a replayed or stale request; such a refusal maps to
 * `PROVIDER_CLOCK_SKEW`.
 */
export function timestampedHmacSigner(options: TimestampedHmacSignerOptions): RequestSigner {
  const header = options.header ?? 'Signature';
  const algorithm = options.algorithm ?? 'sha256';
  const now = options.clock ? () => options.clock!.now() : () => Date.now();
  const secret = options.secret;
  return (request) => {
    const t = Math.floor(now() / 1000);
    const v1 = createHmac(algorithm, secret).update(timestampedSigningPayload(t, request)).digest('hex');
    return { [header]: `t=${t},v1=${v1}` };
  };
}
