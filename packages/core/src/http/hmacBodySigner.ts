import { createHmac } from 'node:crypto';
import type { RequestSigner } from './RequestSigner.js';

/** Options of {@link hmacBodySigner} (also `createHttpClient`'s `signing` option). */
export interface HmacBodySignerOptions {
  /** The HMAC key. Never logged. */
  secret: string | Buffer;
  /** Header that carries the signature. Defaults to `X-Signature`. */
  header?: string;
  /** HMAC hash algorithm. Defaults to `sha256`. */
  algorithm?: string;
  /** Signature encoding. Defaults to `hex`. */
  encoding?: 'hex' | 'base64';
}

/**
 * A {@link RequestSigner} that puts an HMAC of the body bytes alone into one
 * header (`X-Signature: <hex HMAC-SHA256 of the body>` by default). An empty
 * body is signed as zero bytes.
 */
export function hmacBodySigner(options: HmacBodySignerOptions): RequestSigner {
  const header = options.header ?? 'X-Signature';
  const algorithm = options.algorithm ?? 'sha256';
  const encoding = options.encoding ?? 'hex';
  const secret = options.secret;
  return (request) => ({ [header]: createHmac(algorithm, secret).update(request.body).digest(encoding) });
}
