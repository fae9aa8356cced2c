import { expect } from 'chai';
import { airtime, ref, startEnv, type TestEnv } from '../helpers/harness.js';

/**
 * A client that repeats its POST while the issuance is open (the normal
 * idempotent retry while it gets 202) used to keep the row from ever being
 * re-sent: each repeat waited by checking the provider, and each check moved
 * the row's next reconciliation out by the growing backoff, so the
 * reconciler, the only path that re-sends, never found it due. Checks made
 * for a waiting request now leave the schedule to the reconciler.
 */
describe('regression: repeated requests for an open issuance do not starve its reconciliation', function () {
  this.timeout(30_000);
  let env: TestEnv;
  before(async () => {
    env = await startEnv({
      patch: () => ({
        server: { host: '127.0.0.1', port: 0, issuanceWaitMs: 600, shutdownGraceMs: 2000 },
        reconciliation: { intervalMs: 200, maxIntervalMs: 5000, maxAgeMs: 3_600_000, leaseMs: 2000 },
      }),
    });
  });
  after(async () => env.close());

  it('re-sends a reference the provider never received while the client keeps repeating its POST', async () => {
    const reference = ref('repeat');
    const sent = `tenant-a:${reference}`;
    // Every attempt of the first call is reset before the provider commits anything: the outcome is unknown.
    const attempts = Array.from({ length: 20 }, (_, i) => i + 1) as [number, ...number[]];
    env.sim.setScenario({ rules: [{ route: 'airtime.issue', reference: sent, attempts, fault: { type: 'reset' } }] });
    const first = await env.call('POST', '/v1/issuances', { body: airtime(reference) });
    expect(first.status, JSON.stringify(first.body)).to.equal(202);
    expect(first.body.status).to.equal('unknown');
    // The provider is reachable again; only a re-send by the reconciler can issue it now.
    env.sim.setScenario({});
    const started = Date.now();
    let last = first.body;
    while (Date.now() - started < 10_000 && last.status !== ('succeeded' as unknown)) {
      last = (await env.call('POST', '/v1/issuances', { body: airtime(reference) })).body;
    }
    expect(last.status, JSON.stringify(last)).to.equal('succeeded');
    expect(env.sim.ledger.countByReference('airtime', sent)).to.equal(1);
  });
});
