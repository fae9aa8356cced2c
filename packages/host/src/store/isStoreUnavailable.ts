/**
 * Error codes of a store that cannot be reached or is going away: socket
 * errors, and PostgreSQL's connection-exception class (08xxx), operator
 * intervention (57P01–57P03: shutdown, crash, cannot connect now) and "too
 * many connections" (53300).
 */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);

/** Messages node-postgres uses for a connection it lost or could not make (these errors carry no code). */
const UNAVAILABLE_MESSAGES = [
  /^Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /Client has encountered a connection error/i,
  /the database system is (shutting down|starting up)/i,
];

/**
 * True when `err` (or an error in its `cause` chain, or an AggregateError's
 * members) says the store is unreachable rather than that a statement was
 * wrong: the request may be retried, with the same reference, once the
 * store is back.
 */
export function isStoreUnavailable(err: unknown, depth = 0): boolean {
  if (depth > 5 || err === null || typeof err !== 'object') return false;
  const e = err as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && (UNAVAILABLE_CODES.has(e.code) || e.code.startsWith('08'))) return true;
  if (typeof e.message === 'string' && UNAVAILABLE_MESSAGES.some((m) => m.test(e.message as string))) return true;
  if (Array.isArray(e.errors) && e.errors.some((inner) => isStoreUnavailable(inner, depth + 1))) return true;
  return isStoreUnavailable(e.cause, depth + 1);
}
