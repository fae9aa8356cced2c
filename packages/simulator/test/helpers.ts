import { createHmac } from 'node:crypto';
import { request } from 'node:http';

/** What a raw HTTP exchange produced. */
export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
}

/** Options of {@link raw}. */
export interface RawOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Client-side timeout, in ms. Defaults to 5000. */
  timeoutMs?: number;
}

/**
 * One request on a fresh connection with node:http, so a test sees exactly
 * what the wire did: resets reject with ECONNRESET, a short body rejects
 * with `aborted`, a hang with a `TIMEOUT` error.
 */
export function raw(url: string, options: RawOptions = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : Buffer.isBuffer(options.body) ? options.body : Buffer.from(options.body);
    const req = request(url, {
      method: options.method ?? (body ? 'POST' : 'GET'),
      agent: false,
      headers: { ...(body ? { 'content-type': 'application/json', 'content-length': String(body.length) } : {}), ...options.headers },
    });
    req.setTimeout(options.timeoutMs ?? 5000, () => {
      const e = Object.assign(new Error('client timeout'), { code: 'TIMEOUT' });
      req.destroy(e);
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('aborted', () =>
        reject(Object.assign(new Error('response aborted'), { code: 'ABORTED', received: Buffer.concat(chunks), headers: res.headers })),
      );
      res.on('error', (e) => reject(Object.assign(e, { received: Buffer.concat(chunks), headers: res.headers })));
      res.on('end', () => {
        if (!res.complete) return;
        const b = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: b, text: b.toString('utf8') });
      });
    });
    req.end(body);
  });
}

/** Parses a JSON answer body. */
export function json<T = Record<string, unknown>>(r: RawResponse): T {
  return JSON.parse(r.text) as T;
}

/** The default airtime test credentials. */
export const AIRTIME_KEY = 'sim-airtime-key';
export const AIRTIME_SECRET = 'sim-airtime-secret';
export const GIFTCARD_KEY = 'sim-giftcard-key';

/** Hex HMAC-SHA256 of a body (the airtime X-Signature). */
export function sign(body: string | Buffer, secret = AIRTIME_SECRET): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

/** An airtime issue body in the notes' wire format. */
export function issueBody(reference: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ product_id: 'DATA_200MB', phone_number: '+263771234567', amount: '5.00', reference, ...extra });
}

/** A correctly signed `POST /airtime/issue`. */
export function issue(
  base: string,
  reference: string,
  extra: Record<string, unknown> = {},
  options: RawOptions = {},
): Promise<RawResponse> {
  const body = issueBody(reference, extra);
  return raw(`${base}/airtime/issue`, { body, headers: { 'x-api-key': AIRTIME_KEY, 'x-signature': sign(body) }, ...options });
}

/** A `POST /giftcard/orders` with the default key. */
export function order(
  base: string,
  externalRef: string,
  extra: Record<string, unknown> = {},
  options: RawOptions = {},
): Promise<RawResponse> {
  const body = JSON.stringify({ product_id: 'GC-AMAZON-USD', amount: '25.00', currency: 'USD', external_ref: externalRef, ...extra });
  return raw(`${base}/giftcard/orders`, { body, headers: { 'x-api-key': GIFTCARD_KEY }, ...options });
}

/** Resolves to the error a request failed with (fails the test if it succeeded). */
export async function failure(
  p: Promise<unknown>,
): Promise<NodeJS.ErrnoException & { received?: Buffer; headers?: Record<string, unknown> }> {
  try {
    await p;
  } catch (e) {
    return e as NodeJS.ErrnoException;
  }
  throw new Error('expected the request to fail on the wire, but it succeeded');
}
