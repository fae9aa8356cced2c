import { expect } from 'chai';
import { deriveConnectorId } from '../src/index.js';

describe('deriveConnectorId', () => {
  const cases: Array<[string, string | undefined]> = [
    ['topup', 'topup'],
    ['@acme/relaypoint-connector-topup', 'topup'],
    ['relaypoint-plugin-mpesa', 'mpesa'],
    ['connector-gift.cards', 'gift-cards'],
    ['acme_topup-connector', 'acme-topup'],
    ['@acme/42-topup', 'topup'],
    ['connector-', 'connector'],
    ['@acme/123', undefined],
    ['---', undefined],
  ];
  for (const [name, id] of cases) {
    it(`derives ${JSON.stringify(id)} from ${name}`, () => {
      expect(deriveConnectorId(name)).to.equal(id);
    });
  }
  it('keeps ids within 63 characters', () => {
    const id = deriveConnectorId('a'.repeat(200));
    expect(id).to.have.length(63);
  });
});
