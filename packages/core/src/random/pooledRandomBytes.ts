import { randomBytes } from 'node:crypto';

const POOL_SIZE = 1024;
let pool = Buffer.alloc(0);
let at = 0;

/**
 * `n` cryptographically random bytes (at most 1 KiB), drawn from a pool that
 * is refilled 1 KiB at a time: a `randomBytes` call per id on a hot path
 * (one per issuance, event and delivery) costs more than the id is worth.
 * The result is a view of the pool; a refill replaces the pool instead of
 * overwriting it, so views stay valid and are never handed out twice.
 */
export function pooledRandomBytes(n: number): Buffer {
  if (!Number.isInteger(n) || n < 1 || n > POOL_SIZE)
    throw new RangeError(`pooledRandomBytes: n must be an integer from 1 to ${POOL_SIZE}, got ${n}`);
  if (at + n > pool.length) {
    pool = randomBytes(POOL_SIZE);
    at = 0;
  }
  at += n;
  return pool.subarray(at - n, at);
}
