import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford base32, as ULID

/**
 * A ULID-like id with a prefix (`msg_01J…`): 10 characters of millisecond
 * time then 16 random ones, so ids sort by creation time, which lets lists
 * page by id alone.
 */
export function newId(prefix: string, now = Date.now()): string {
  let time = '';
  let t = Math.max(0, Math.floor(now));
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const rnd = randomBytes(16);
  let tail = '';
  for (let i = 0; i < 16; i++) tail += ALPHABET[rnd[i] & 31];
  return `${prefix}_${time}${tail}`;
}
