import { expect } from 'chai';
import { startSimulator, type Simulator } from '@relaypoint/simulator';
import { tempSqlitePath } from '@relaypoint/store/testing';
import { startHost, type HostConfig, type RunningHost } from '../../src/index.js';
import { packageDir } from './hostProcess.js';

/*
 * Regression (found by the fuzz test): a request whose headers exceed Node's
 * 16 KB limit (a long URL plus a long Authorization header) is refused by
 * Node's HTTP parser before express sees it, and the client got a bare
 * `431` with no body and no content type, where every error of this API is
 * application/problem+json. The same goes for any request line the parser
 * refuses (answered 400 with no body).
 */
describe('regression: oversized request headers are answered as problem+json', function () {
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

  it('answers 431 with a problem document when the headers are over the limit', async () => {
    const res = await fetch(`${host.url}/v1/issuances?x=${'a'.repeat(9000)}`, { headers: { authorization: `Bearer ${'k'.repeat(8000)}` } });
    const text = await res.text();
    expect(res.status).to.equal(431);
    expect(res.headers.get('content-type'), `body: ${JSON.stringify(text)}`).to.match(/^application\/problem\+json/);
    const body = JSON.parse(text) as { status?: number; code?: unknown };
    expect(body.status).to.equal(431);
    expect(body.code).to.be.a('string');
  });
});
