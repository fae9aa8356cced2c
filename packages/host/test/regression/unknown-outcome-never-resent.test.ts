import { expect } from 'chai';
import { join } from 'node:path';
import { airtime, fixturesDir, ref, startEnv, waitFor, type TestEnv } from '../helpers/harness.js';

interface FakeProvider {
  issueCalls: string[];
  statusCalls: number;
  mode: 'unknown' | 'ok' | 'not_sent';
  known: Map<string, unknown>;
}
const fake = () => (globalThis as { __fakeProvider?: FakeProvider }).__fakeProvider!;

describe('regression: an unknown outcome is never re-sent to a provider that may issue twice', function () {
  this.timeout(30_000);
  let env: TestEnv;
  before(async () => {
    (globalThis as { __fakeProvider?: FakeProvider }).__fakeProvider = {
      issueCalls: [],
      statusCalls: 0,
      mode: 'unknown',
      known: new Map(),
    };
    env = await startEnv({
      patch: () => ({
        server: { port: 0, issuanceWaitMs: 300 },
        connectors: [
          {
            name: 'fake',
            plugin: join(fixturesDir, 'fake-provider'),
            config: {},
            resilience: { retry: { maxAttempts: 3, initialDelayMs: 10 }, reconcile: { attempts: 1, delayMs: 10 } },
          },
        ],
        reconciliation: { intervalMs: 100, maxIntervalMs: 200, maxAgeMs: 3_600_000, leaseMs: 5_000 },
      }),
    });
  });
  after(async () => env.close());

  it('keeps it unknown and only asks by reference until the provider knows, then records the success once', async () => {
    const reference = ref('none');
    const res = await env.call('POST', '/v1/issuances', { body: airtime(reference, { connector: 'fake' }) });
    expect(res.status).to.equal(202);
    expect(res.body.status).to.equal('unknown');
    await waitFor(() => fake().statusCalls >= 6, 10_000, 'several reconciliation lookups');
    expect(fake().issueCalls).to.deep.equal([`tenant-a:${reference}`]);
    expect((await env.call('GET', `/v1/issuances/${reference}`)).body.status).to.equal('unknown');

    // The provider did issue it after all: reconciliation finds it by reference.
    fake().known.set(`tenant-a:${reference}`, {
      status: 'succeeded',
      reference: `tenant-a:${reference}`,
      transactionId: 'tx-late',
      voucher: { code: 'LATE-9876' },
    });
    const done = await waitFor(
      async () => {
        const r = await env.call('GET', `/v1/issuances/${reference}`);
        return r.body.status === ('succeeded' as unknown) ? r : undefined;
      },
      10_000,
      'succeeded',
    );
    expect(done.body.transactionId).to.equal('tx-late');
    expect(fake().issueCalls).to.have.length(1);
  });

  it('records a not_sent failure as failed (503 PROVIDER_NOT_SENT): nothing can have been issued', async () => {
    fake().mode = 'not_sent';
    const before = fake().issueCalls.length;
    const reference = ref('none-unreachable');
    const res = await env.call('POST', '/v1/issuances', { body: airtime(reference, { connector: 'fake' }) });
    expect(res.status).to.equal(503);
    expect(res.body).to.include({ code: 'PROVIDER_NOT_SENT', reason: 'PROVIDER_UNREACHABLE' });
    // The provider never answered, so there is no provider code to report.
    expect(res.body).not.to.have.property('providerCode');
    expect(res.body.issuance.status).to.equal('failed');
    expect(fake().issueCalls.length - before).to.equal(3); // core's retries: not_sent is safe to re-send
    fake().mode = 'ok';
    expect((await env.call('POST', '/v1/issuances', { body: airtime(ref('none-ok'), { connector: 'fake' }) })).status).to.equal(201);
  });
});
