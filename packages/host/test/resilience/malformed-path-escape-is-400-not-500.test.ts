import { expect } from 'chai';
import { startSimulator, type Simulator } from '@relaypoint/simulator';
import { tempSqlitePath } from '@relaypoint/store/testing';
import { startHost, type HostConfig, type RunningHost } from '../../src/index.js';
import { packageDir } from './hostProcess.js';

/*
 * Regression (found by the fuzz test): a route parameter with a broken
 * percent-escape (`/v1/issuances/%ZZ`) made the router throw a URIError with
 * status 400 but no `expose`, and the problem handler answered 500 INTERNAL
 * for a client's mistake.
 */
describe('regression: malformed percent-escape in a path parameter', function () {
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
        connectors: [{ name: 'airtime', plugin: '@relaypoint/connector-airtime', config: { baseUrl: `${sim.url}/airtime`, apiKey: 'sim-airtime-key', secret: 'sim-airtime-secret' } }],
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

  for (const path of ['/v1/issuances/%ZZ', '/v1/webhooks/%E0%A4%A', '/v1/webhooks/%/rotate-secret', '/v1/deliveries/%C0/retry']) {
    it(`answers 400 problem+json for ${path}, not 500`, async () => {
      const res = await fetch(`${host.url}${path}`, { method: path.endsWith('retry') || path.endsWith('secret') ? 'POST' : 'GET', headers: { authorization: `Bearer ${KEY}` } });
      const body = (await res.json()) as { status?: number; code?: string };
      expect(res.status, JSON.stringify(body)).to.equal(400);
      expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
      expect(body).to.include({ status: 400, code: 'VALIDATION_FAILED' });
    });
  }
});
