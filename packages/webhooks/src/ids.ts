import { pooledRandomBytes } from '@relaypoint/core';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford base32, as ULID

let lastTime = -1;
let lastRandom: number[] = [];

/**
 * A ULID-like id with a prefix (`msg_01J…`): 10 characters of millisecond
 * time then 16 random ones, so ids sort by creation time, which lets lists
 * page by id alone.
 * Within one process ids are strictly increasing (monotonic, as ULID's
 * monotonic mode), even within one millisecond.
 */
export function newId(prefix: string, now = Date.now()): string {
  let t = Math.max(0, Math.floor(now));
  let digits: number[];
  if (t <= lastTime) {
    // Same (or an earlier) millisecond in this process: keep ids increasing by bumping the random part.
    t = lastTime;
    digits = [...lastRandom];
    for (let i = 15; i >= 0; i--) {
      if (digits[i] < 31) {
        digits[i]++;
        break;
      }
      digits[i] = 0;
    }
  } else {
    const rnd = pooledRandomBytes(16);
    // The first random digit leaves headroom so bumping never overflows in practice.
    digits = Array.from(rnd, (b, i) => (i === 0 ? b & 15 : b & 31));
  }
  lastTime = t;
  lastRandom = digits;
  let time = '';
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const tail = digits.map((d) => ALPHABET[d]).join('');
  return `${prefix}_${time}${tail}`;
}
