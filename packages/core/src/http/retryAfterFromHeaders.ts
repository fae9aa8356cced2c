/** Response headers in any of the shapes axios, fetch or node:http give them. */
export type HeadersLike = { get(name: string): unknown } | Record<string, unknown> | undefined | null;

function header(headers: HeadersLike, name: string): unknown {
  if (!headers) return undefined;
  if (typeof (headers as { get?: unknown }).get === 'function') {
    const v = (headers as { get(n: string): unknown }).get(name);
    if (v !== undefined && v !== null) return v;
  }
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return v;
  return undefined;
}

/**
 * The wait a `Retry-After` header asks for, in ms: delta-seconds
 * (`Retry-After: 120`) or an HTTP date, relative to `now` (ms, defaults to
 * `Date.now()`). `undefined` when absent or unparsable; never negative.
 */
export function retryAfterFromHeaders(headers: HeadersLike, now: number = Date.now()): number | undefined {
  let v = header(headers, 'retry-after');
  if (Array.isArray(v)) v = v[0];
  if (typeof v === 'number') return Math.max(0, Math.round(v * 1000));
  if (typeof v !== 'string' || v.trim() === '') return undefined;
  const s = v.trim();
  // Repeated headers arrive joined ("120, 60"): the first one counts. (An HTTP date has a comma of its own, so
  // only a leading number is split off.)
  const first = s.split(',')[0].trim();
  if (/^\d+(\.\d+)?$/.test(first)) return Math.round(Number(first) * 1000);
  // Neither delta-seconds nor an HTTP date ("-5", "1e3"): Date.parse would read "-5" as the year -5, a date long
  // past, and the retry would go at once.
  if (!/[a-z]/i.test(s)) return undefined;
  const at = Date.parse(s);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
