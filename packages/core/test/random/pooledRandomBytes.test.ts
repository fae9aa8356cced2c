import { expect } from 'chai';
import { pooledRandomBytes } from '../../src/index.js';

describe('pooledRandomBytes', () => {
  it('hands out n bytes at a time, never the same bytes twice, and earlier views survive a refill', () => {
    const first = pooledRandomBytes(16);
    const copy = Buffer.from(first);
    const seen = new Set<string>([copy.toString('hex')]);
    // 300 × 16 bytes: several refills of the 1 KiB pool.
    for (let i = 0; i < 300; i++) {
      const b = pooledRandomBytes(16);
      expect(b.length).to.equal(16);
      seen.add(b.toString('hex'));
    }
    expect(seen.size).to.equal(301);
    expect(first.equals(copy), 'a refill must replace the pool, not overwrite bytes already handed out').to.equal(true);
  });

  it('refuses a size outside 1..1024', () => {
    for (const n of [0, -1, 1.5, 1025, Number.NaN]) expect(() => pooledRandomBytes(n), String(n)).to.throw(RangeError);
    expect(pooledRandomBytes(1024)).to.have.length(1024);
  });
});
