import { expect } from 'chai';
import { startSimulator, type Simulator } from '@relaypoint/simulator';
import { startHost, type RunningHost } from '../../src/index.js';
import { LogCapture, TENANT_A_KEY, airtime, baseConfig, packageDir, ref } from '../helpers/harness.js';
import { findPostgresBin, startThrowawayPostgres, type ThrowawayPostgres } from '../helpers/throwawayPostgres.js';

// Regression: with PostgreSQL stopped under a running host, POST /v1/issuances answered 500 INTERNAL.
describe('regression: store unreachable during POST /v1/issuances is a retryable 503, not a 500', function () {
  this.timeout(60_000);
  const { bin, why } = findPostgresBin();
  let pg: ThrowawayPostgres | undefined;
  let sim: Simulator | undefined;
  let host: RunningHost | undefined;

  before(async function () {
    if (!bin) {
      // CI installs PostgreSQL: there a missing server is a failure, never a suite that passes by not running.
      if (process.env.CI === 'true') throw new Error(`CI=true and no throwaway PostgreSQL can be started: ${why}`);
      this.test!.parent!.pending = true;
      this.skip();
    }
    pg = await startThrowawayPostgres(bin!);
    sim = await startSimulator({ seed: 11 });
    host = await startHost(
      baseConfig(sim, { driver: 'postgres', url: pg.url, poolSize: 2 }, { server: { host: '127.0.0.1', port: 0, shutdownGraceMs: 1000 } }),
      {
        configDir: packageDir,
        logDestination: new LogCapture(),
      },
    );
  });
  after(async () => {
    try {
      pg?.start();
      await host?.close().catch(() => undefined);
      await sim?.close();
    } finally {
      pg?.destroy(); // never leave a server of this test running
    }
  });

  const post = (reference: string) =>
    fetch(`${host!.url}/v1/issuances`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TENANT_A_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(airtime(reference)),
    });

  it(`answers 503 STORE_UNAVAILABLE with Retry-After while PostgreSQL is stopped, and 201 for the same reference once it is back${bin ? '' : ` (pending: ${why})`}`, async () => {
    expect((await post(ref('before'))).status).to.equal(201);
    pg!.stop();
    const reference = ref('down');
    const res = await post(reference);
    const body = (await res.json()) as { code?: string; retryable?: boolean };
    expect(res.status, JSON.stringify(body)).to.equal(503);
    expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect(body.code).to.equal('STORE_UNAVAILABLE');
    expect(body.retryable).to.equal(true);
    expect(Number(res.headers.get('retry-after'))).to.be.greaterThan(0);
    pg!.start();
    let again = await post(reference);
    // The pool may hand out a connection that died with the old server first.
    for (let i = 0; i < 5 && again.status === 503; i++) again = await post(reference);
    expect(again.status).to.be.oneOf([200, 201]);
    expect(((await again.json()) as { status?: string }).status).to.equal('succeeded');
  });
});
