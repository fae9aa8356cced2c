import type { InternalAxiosRequestConfig } from 'axios';
import { AxiosHeaders } from 'axios';
import type { RequestSigner, SignableRequest } from './RequestSigner.js';

const ABSOLUTE_URL = /^([a-z][a-z\d+\-.]*:)?\/\//i;

/** `base` and `url` joined as axios joins them (one slash between), unless `url` is absolute. */
function joinUrl(base: string | undefined, url: string): string {
  if (!base || ABSOLUTE_URL.test(url)) return url;
  return url ? `${base.replace(/\/?\/$/, '')}/${url.replace(/^\/+/, '')}` : base;
}

function appendParams(url: URL, params: unknown): void {
  if (params === undefined || params === null) return;
  const entries: [string, string][] = [];
  if (params instanceof URLSearchParams) {
    params.forEach((v, k) => entries.push([k, v]));
  } else if (typeof params === 'object') {
    for (const [key, value] of Object.entries(params as Record<string, unknown>)) {
      for (const v of Array.isArray(value) ? value : [value]) {
        if (v === undefined || v === null) continue;
        entries.push([key, v instanceof Date ? v.toISOString() : typeof v === 'object' ? JSON.stringify(v) : String(v)]);
      }
    }
  } else {
    throw new TypeError('request params must be an object or URLSearchParams');
  }
  for (const [k, v] of entries) url.searchParams.append(k, v);
}

/** The body as the bytes that go on the wire, and the content type it implies when none is set. */
function serialiseBody(data: unknown): { body: Buffer | undefined; contentType?: string } {
  if (data === undefined || data === null) return { body: undefined };
  if (Buffer.isBuffer(data)) return { body: data, contentType: 'application/octet-stream' };
  // A string is sent as its UTF-8 bytes, untouched: never trimmed, re-quoted or re-serialised.
  if (typeof data === 'string') return { body: Buffer.from(data, 'utf8'), contentType: 'text/plain; charset=utf-8' };
  if (data instanceof Uint8Array)
    return { body: Buffer.from(data.buffer, data.byteOffset, data.byteLength), contentType: 'application/octet-stream' };
  if (data instanceof ArrayBuffer) return { body: Buffer.from(data), contentType: 'application/octet-stream' };
  if (data instanceof URLSearchParams)
    return { body: Buffer.from(data.toString(), 'utf8'), contentType: 'application/x-www-form-urlencoded' };
  if (typeof (data as { pipe?: unknown }).pipe === 'function' || (typeof FormData !== 'undefined' && data instanceof FormData)) {
    // Streams and form data are produced lazily: their bytes cannot be frozen (or signed) up front.
    throw new TypeError('a provider request body must be a JSON value, a string or a Buffer, not a stream or form data');
  }
  return { body: Buffer.from(JSON.stringify(data), 'utf8'), contentType: 'application/json' };
}

function headerRecord(headers: AxiosHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers.toJSON())) {
    if (value === undefined || value === null || (value as unknown) === false) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

/**
 * Freezes a request before it is sent: the body serialised once (JSON for
 * a value; a string or Buffer as is), the URL resolved to the exact path
 * and query of the request line, `Content-Type` and `Content-Length` set,
 * then the signer's headers added. Axios then sends those bytes untouched
 * (the client's `transformRequest` passes a Buffer through). Idempotent, so
 * a retried config is frozen (and signed) again to the same bytes.
 * @internal
 */
export async function freezeRequest(
  config: InternalAxiosRequestConfig,
  signer: RequestSigner | undefined,
): Promise<InternalAxiosRequestConfig> {
  const method = (config.method ?? 'get').toUpperCase();
  const url = new URL(joinUrl(config.baseURL, config.url ?? ''));
  appendParams(url, config.params);
  const headers = AxiosHeaders.from(config.headers);
  const { body, contentType } = serialiseBody(config.data);
  if (body !== undefined) {
    if (!headers.has('Content-Type')) headers.set('Content-Type', contentType);
    headers.set('Content-Length', String(body.length));
  }
  // Axios re-parses the URL it is given; a URL already parsed and printed parses to itself, so the request line
  // is `url.pathname + url.search`, as the signer is told.
  config.url = url.href;
  config.baseURL = undefined;
  config.params = undefined;
  config.allowAbsoluteUrls = true;
  config.data = body;
  config.headers = headers;
  if (signer) {
    const request: SignableRequest = Object.freeze({
      method,
      path: url.pathname + url.search,
      url: url.href,
      headers: Object.freeze(headerRecord(headers)),
      body: body ? Buffer.from(body) : Buffer.alloc(0),
    });
    const added = await signer(request);
    if (added === null || typeof added !== 'object') throw new TypeError('a request signer must return an object of headers');
    for (const [name, value] of Object.entries(added)) headers.set(name, String(value));
  }
  return config;
}
