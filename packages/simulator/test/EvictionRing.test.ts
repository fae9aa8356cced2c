import { expect } from 'chai';
import { EvictionRing } from '../src/ledger/EvictionRing.js';

describe('EvictionRing', () => {
  it('returns nothing until full, then the oldest item on each push, in order', () => {
    const ring = new EvictionRing<string>(3);
    expect([ring.push('a'), ring.push('b'), ring.push('c')]).to.deep.equal([undefined, undefined, undefined]);
    expect([ring.push('d'), ring.push('e'), ring.push('f'), ring.push('g')]).to.deep.equal(['a', 'b', 'c', 'd']);
  });

  it('forgets everything on clear', () => {
    const ring = new EvictionRing<number>(2);
    ring.push(1);
    ring.push(2);
    ring.clear();
    expect([ring.push(3), ring.push(4), ring.push(5)]).to.deep.equal([undefined, undefined, 3]);
  });

  it('stores nothing and evicts nothing with an infinite capacity', () => {
    const ring = new EvictionRing<number>(Infinity);
    for (let i = 0; i < 1000; i++) expect(ring.push(i)).to.equal(undefined);
  });
});
