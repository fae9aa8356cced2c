import { createHmac, timingSafeEqual } from 'node:crypto';

/** Bytes to sign: a string is signed as its UTF-8 bytes (what axios sends for a string body). */
export type SignableBody = string | Buffer | Uint8Array;

/** Hex HMAC (SHA-256 unless `algorithm` says otherwise) of `body` under `secret`. */
export function hmacHex(secret: string | Buffer, body: SignableBody, algorithm = 'sha256'): string {
  return createHmac(algorithm, secret).update(body).digest('hex');
}

/** Base64 HMAC (SHA-256 unless `algorithm` says otherwise) of `body` under `secret`. */
export function hmacBase64(secret: string | Buffer, body: SignableBody, algorithm = 'sha256'): string {
  return createHmac(algorithm, secret).update(body).digest('base64');
}

/** Compares two strings in time independent of where they differ (signature checks). False when lengths differ. */
export function timingSafeEqualStr(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}
