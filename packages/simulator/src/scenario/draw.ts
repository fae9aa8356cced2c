/**
 * A uniform number in [0, 1) that depends only on its inputs: the draw of a
 * request is a pure function of (seed, route, reference, attempt, rule,
 * salt), never of arrival order, so a seed replays the same faults for the
 * same requests under any concurrency. cyrb53 (a fast 53-bit string hash).
 */
export function draw(seed: number, route: string, reference: string, attempt: number, rule: number, salt: number): number {
  const key = `${route}\u0000${reference}\u0000${attempt}\u0000${rule}\u0000${salt}`;
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < key.length; i++) {
    const ch = key.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  const n = 4294967296 * (2097151 & h2) + (h1 >>> 0);
  return n / 9007199254740992;
}
