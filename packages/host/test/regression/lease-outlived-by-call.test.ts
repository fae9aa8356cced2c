import { expect } from 'chai';
import { airtime, ref, startEnv, type TestEnv } from '../helpers/harness.js';

/**
 * A provider call that retries for longer than the row's lease (here a 429
 * with Retry-After 3 s against a 1 s lease) used to let the reconciler claim
 * the row, find nothing at the provider yet, and re-send the reference while
 * the first call was still waiting to retry. When that re-send was refused
 * (rate limited again), the row was recorded `failed` and the first call's
 * success, landing a moment later, was dropped: a voucher issued, the API
 * saying it failed. The owner now renews the lease of every row it is
 * calling for, and the reconciler leaves such rows to their call.
 */
describe('regression: a provider call that outlives its lease is not re-sent behind its back', function () {
  this.timeout(30_000);
  let env: TestEnv;
  before(async () => {
    env = await startEnv({
      patch: (s) => ({
        server: { host: '127.0.0.1', port: 0, issuanceWaitMs: 10_000, shutdownGraceMs: 2000 },
        reconciliation: { intervalMs: 200, maxIntervalMs: 1000, maxAgeMs: 3_600_000, leaseMs: 1000 },
        connectors: [
          {
            name: 'airtime',
            plugin: '@relaypoint/connector-airtime',
            config: { baseUrl: `${s.url}/airtime`, apiKey: 'sim-airtime-key', secret: 'sim-airtime-secret' },
            resilience: {
              timeoutMs: 2000,
              retry: { maxAttempts: 2, initialDelayMs: 20, maxDelayMs: 100 },
              reconcile: { attempts: 2, delayMs: 50 },
            },
          },
        ],
      }),
    });
  });
  after(async () => env.close());

  it('keeps the lease while the call waits out a 3 s Retry-After, sends once, and records the success', async () => {
    const reference = ref('lease');
    const sent = `tenant-a:${reference}`;
    env.sim.setScenario({
      rules: [{ route: 'airtime.issue', reference: sent, attempts: [1], fault: { type: 'rate-limit', retryAfterSeconds: 3 } }],
    });
    const res = await env.call('POST', '/v1/issuances', { body: airtime(reference) });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body).to.include({ status: 'succeeded' });
    // One send (the call's own two attempts), none by the reconciler.
    expect(res.body.sends).to.equal(1);
    expect(env.sim.journal.entries({ route: 'airtime.issue', reference: sent })).to.have.length(2);
    expect(env.sim.ledger.countByReference('airtime', sent)).to.equal(1);
    // The reconciler ran meanwhile (every 200 ms) and found nothing of ours to take over.
    await new Promise((r) => setTimeout(r, 500));
    const got = await env.call('GET', `/v1/issuances/${reference}`);
    expect(got.body).to.include({ status: 'succeeded', sends: 1 });
  });
});
