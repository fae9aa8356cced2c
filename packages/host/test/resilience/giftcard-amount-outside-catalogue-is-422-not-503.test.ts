import { expect } from 'chai';
import { startSimulator, type Simulator } from '@relaypoint/simulator';
import { tempSqlitePath } from '@relaypoint/store/testing';
import { startHost, type HostConfig, type RunningHost } from '../../src/index.js';
import { packageDir } from './hostProcess.js';

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
  const KEY = 'regress-tenant-key-0123456789abc';
  let sim: Simulator;
  let host: RunningHost;
  let tmp: ReturnType<typeof tempSqlitePath>;

  before(async () => {
    sim = await startSimulator({ seed: 1 });
    tmp = tempSqlitePath('relaypoint-regress-');
    host = await startHost(
      {
        server: { host: '127.0.0.1', port: 0 },
        storage: { driver: 'sqlite', path: tmp.path },
        tenants: [{ id: 'regress', apiKeys: [KEY] }],
        connectors: [{ name: 'giftcard', plugin: '@relaypoint/connector-giftcard', config: { baseUrl: `${sim.url}/giftcard`, apiKey: 'sim-giftcard-key' } }],
        logging: { level: 'silent' },
      } as HostConfig,
      { configDir: packageDir },
    );
  });

  after(async () => {
    await host?.close();
    await sim?.close();
    tmp?.cleanup();
  });

  for (const [productId, amount] of [
    ['GC-VISA-USD', '1047388728'],
    ['GC-AMAZON-USD', '26.00'],
  ]) {
    it(`answers 422 problem+json for ${productId} at ${amount} and issues nothing`, async () => {
      const reference = `regress-${productId}-${amount}`;
      const res = await fetch(`${host.url}/v1/issuances`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ connector: 'giftcard', productId, customerId: 'cust-1', amount, currency: 'USD', reference }),
      });
      const body = (await res.json()) as { status?: number; code?: string; providerCode?: string };
      expect(res.status, JSON.stringify(body)).to.equal(422);
      expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
      expect(body).to.include({ status: 422, code: 'PROVIDER_REJECTED', providerCode: 'PROVIDER_INVALID_PRODUCT' });
      expect(sim.ledger.countByReference('giftcard', `regress:${reference}`)).to.equal(0);
    });
  }
});
