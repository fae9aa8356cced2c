import { expect } from 'chai';
import { REGRESSION_KEY as KEY, useRegressionHost } from './regressionHost.js';

/*
 * Regression (found by the fuzz test): a gift-card amount outside the
 * product's catalogue range (`GC-VISA-USD` takes 1.00–500.00) is refused by
 * the connector before anything is sent (a ValidationError,
 * PROVIDER_INVALID_PRODUCT). The host answered 503 PROVIDER_NOT_SENT, "the
 * provider could not be reached", telling the client to retry a request that
 * can never succeed: a client's mistake must be a 4xx (422, as when the
 * provider itself refuses the product), and nothing may be issued.
 */
describe('regression: gift-card amount outside the catalogue is a 4xx, not a 503', function () {
  this.timeout(30_000);
  const regression = useRegressionHost('giftcard');

  for (const [productId, amount] of [
    ['GC-VISA-USD', '1047388728'],
    ['GC-AMAZON-USD', '26.00'],
  ]) {
    it(`answers 422 problem+json for ${productId} at ${amount} and issues nothing`, async () => {
      const reference = `regress-${productId}-${amount}`;
      const res = await fetch(`${regression.host.url}/v1/issuances`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ connector: 'giftcard', productId, customerId: 'cust-1', amount, currency: 'USD', reference }),
      });
      const body = (await res.json()) as { status?: number; code?: string; providerCode?: string };
      expect(res.status, JSON.stringify(body)).to.equal(422);
      expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
      expect(body).to.include({ status: 422, code: 'PROVIDER_REJECTED', providerCode: 'PROVIDER_INVALID_PRODUCT' });
      expect(regression.sim.ledger.countByReference('giftcard', `regress:${reference}`)).to.equal(0);
    });
  }
});
