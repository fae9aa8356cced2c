import { expect } from 'chai';
import { newId } from '../src/ids.js';

describe('newId', () => {
  it('gives every millisecond fresh randomness, across many refills of the entropy pool', () => {
    // 1 KiB of pooled entropy covers 64 ids; 500 distinct milliseconds draw from it 8 times over.
    const base = Date.UTC(2031, 0, 1);
    const ids = Array.from({ length: 500 }, (_, i) => newId('msg', base + i * 1000));
    const tails = ids.map((id) => id.slice(-16));
    expect(new Set(tails).size).to.equal(ids.length);
    for (const id of ids) expect(id).to.match(/^msg_[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it('sorts by creation time and stays increasing within one millisecond', () => {
    const base = Date.UTC(2032, 0, 1);
    const ids = [newId('evt', base), newId('evt', base), newId('evt', base), newId('evt', base + 1), newId('evt', base + 1)];
    expect([...ids].sort()).to.deep.equal(ids);
    expect(new Set(ids).size).to.equal(ids.length);
    // A clock that steps back does not break the order either.
    const back = newId('evt', base - 5000);
    expect(back > ids[ids.length - 1]).to.equal(true);
  });
});
