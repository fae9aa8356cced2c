import { expect } from 'chai';
import { describeEachStore, type StoreTarget } from '@relaypoint/store/testing';
import { airtime, ref, startEnv, waitFor, type J, type TestEnv } from '../helpers/harness.js';

/** The first request is processed this long after it arrived; the re-sends come well before. */
const LATE_MS = 3000;
const SETTLE_MS = 4000;

/** A host with only the airtime connector, answering fresh requests at once (202 while open). */
function airtimeOnly(target: StoreTarget, resilience: object, settleMs?: number): Promise<TestEnv> {
  return startEnv({
    target,
    patch: (s) => ({
      server: { host: '127.0.0.1', port: 0, issuanceWaitMs: 0, shutdownGraceMs: 2000 },
      ...(settleMs !== undefined
        ? { reconciliation: { intervalMs: 200, maxIntervalMs: 1000, maxAgeMs: 3_600_000, leaseMs: 10_000, settleMs } }
        : {}),
      connectors: [
        {
          name: 'airtime',
          plugin: '@relaypoint/connector-airtime',
          config: { baseUrl: `${s.url}/airtime`, apiKey: 'sim-airtime-key', secret: 'sim-airtime-secret' },
          resilience,
        },
      ],
    }),
  });
}

/**
 * A send that timed out after the request left may still be processed by the
 * provider later (real providers keep working on a request whose client gave
 * up). The reconciler used to ask by reference, find nothing yet, re-send, and
 * record `failed` when that re-send was refused (here the operator was
 * briefly unavailable), and the first request then issued its voucher: the
 * ledger had a voucher, the API said the issuance failed, and a tenant
 * acting on that would issue a second one. A send's failure is now final only
 * once no earlier send can still take effect (`reconciliation.settleMs`).
 */
describeEachStore('regression: a re-send refused while the first send may still land', (target) =>
  describe('with the real simulator', function () {
    this.timeout(30_000);
    let env: TestEnv;
    before(async () => {
      // One attempt per call and one lookup after a timeout: the re-send is the reconciler's.
      env = await airtimeOnly(target, { timeoutMs: 300, retry: { maxAttempts: 1 }, reconcile: { attempts: 1, delayMs: 50 } }, SETTLE_MS);
    });
    afterEach(() => env.sim.reset());
    after(async () => env.close());

    const get = async (reference: string): Promise<J> => (await env.call('GET', `/v1/issuances/${reference}`)).body;

    it('keeps the issuance unknown while the first send is still being processed, then records its success', async () => {
      const reference = ref('late');
      const sent = `tenant-a:${reference}`;
      env.sim.setScenario({
        rules: [
          // The first request is processed 3 s after it arrived, long after the host's 300 ms timeout.
          { route: 'airtime.issue', reference: sent, attempts: [1], fault: { type: 'late-commit', ms: LATE_MS } },
          // Every re-send meanwhile is refused, before anything is recorded.
          {
            route: 'airtime.issue',
            reference: sent,
            attempts: [2, 3, 4, 5, 6, 7, 8, 9, 10],
            fault: { type: 'status-before-commit', status: 503, code: 'OPERATOR_UNAVAILABLE' },
          },
        ],
      });
      const started = Date.now();
      const res = await env.call('POST', '/v1/issuances', { body: airtime(reference) });
      expect(res.status, JSON.stringify(res.body)).to.equal(202);

      // The reconciler found nothing at the provider, re-sent, and was refused: not a final answer yet.
      const refused = await waitFor(
        async () => {
          const b = await get(reference);
          return Number(b.sends) >= 2 && String(b.error?.code) === 'PROVIDER_UNAVAILABLE' ? b : undefined;
        },
        5000,
        'the refused re-send',
      );
      expect(Date.now() - started, 'the re-send came before the first request was processed').to.be.below(LATE_MS);
      expect(refused.status).to.equal('unknown');
      expect(String(refused.error.message)).to.contain('not final');

      const done = await waitFor(
        async () => {
          const b = await get(reference);
          return ['succeeded', 'failed'].includes(String(b.status)) ? b : undefined;
        },
        15_000,
        'a terminal status',
      );
      expect(done.status).to.equal('succeeded');
      expect(Date.now() - started, 'decided after the settle time').to.be.at.least(SETTLE_MS);
      expect(env.sim.ledger.countByReference('airtime', sent)).to.equal(1);
    });

    it('ends failed with the refusal once the settle time has passed and the provider still has nothing', async () => {
      const reference = ref('never');
      const sent = `tenant-a:${reference}`;
      env.sim.setScenario({
        rules: [
          // The first request is never answered and never processed.
          { route: 'airtime.issue', reference: sent, attempts: [1], fault: { type: 'hang' } },
          {
            route: 'airtime.issue',
            reference: sent,
            attempts: [2, 3, 4, 5, 6, 7, 8, 9, 10],
            fault: { type: 'status-before-commit', status: 503, code: 'OPERATOR_UNAVAILABLE' },
          },
        ],
      });
      const started = Date.now();
      expect((await env.call('POST', '/v1/issuances', { body: airtime(reference) })).status).to.equal(202);
      const done = await waitFor(
        async () => {
          const b = await get(reference);
          return ['succeeded', 'failed'].includes(String(b.status)) ? b : undefined;
        },
        15_000,
        'a terminal status',
      );
      expect(Date.now() - started, 'not before the settle time').to.be.at.least(SETTLE_MS);
      expect(done.status).to.equal('failed');
      expect(done.error.code).to.equal('PROVIDER_UNAVAILABLE');
      // At least one re-send after the settle time gave the final answer.
      expect(Number(done.sends)).to.be.at.least(3);
      expect(env.sim.ledger.countByReference('airtime', sent)).to.equal(0);
    });

    it('records a refusal of a first send at once (nothing earlier can land)', async () => {
      const reference = ref('first');
      const sent = `tenant-a:${reference}`;
      env.sim.setScenario({
        rules: [
          { route: 'airtime.issue', reference: sent, fault: { type: 'status-before-commit', status: 503, code: 'OPERATOR_UNAVAILABLE' } },
        ],
      });
      const res = await env.call('POST', '/v1/issuances', { body: airtime(reference) });
      expect(res.status, JSON.stringify(res.body)).to.equal(422);
      const b = await get(reference);
      expect(b.status).to.equal('failed');
      expect(Number(b.sends)).to.equal(1);
    });
  }),
);

describeEachStore('a provider success for an issuance already recorded failed', (target) =>
  describe('with the real simulator', function () {
    this.timeout(30_000);
    let env: TestEnv;
    before(async () => {
      env = await airtimeOnly(target, { timeoutMs: 5000, retry: { maxAttempts: 1 } });
    });
    after(async () => env.close());

    it('is flagged (metric and error log), and the record is left alone', async () => {
      const reference = ref('conflict');
      const sent = `tenant-a:${reference}`;
      env.sim.setScenario({
        rules: [{ route: 'airtime.issue', reference: sent, attempts: [1], fault: { type: 'late-commit', ms: 2000 } }],
      });
      const posted = env.call('POST', '/v1/issuances', { body: airtime(reference) });
      await waitFor(
        () => env.sim.journal.entries({ route: 'airtime.issue', reference: sent }).length === 1,
        5000,
        'the request at the provider',
      );
      // While the host's call waits, the journal says failed, as a host that took the row over and was refused
      // would have written it.
      const db = await target.open();
      try {
        const n = await db.execute(
          `UPDATE issuances SET status = 'failed', error_code = 'PROVIDER_UNAVAILABLE', completed_at = 1 WHERE tenant_id = 'tenant-a' AND reference = $1`,
          [reference],
        );
        expect(n.rowCount).to.equal(1);
      } finally {
        await db.close();
      }
      // The answer and the record stay what the journal says; the operator is told instead.
      expect((await posted).status).to.equal(422);
      expect((await env.call('GET', `/v1/issuances/${reference}`)).body.status).to.equal('failed');
      expect(env.sim.ledger.countByReference('airtime', sent)).to.equal(1);
      const metrics = await env.call('GET', '/metrics', { key: null });
      expect(metrics.text).to.match(/^relaypoint_issuance_outcome_conflicts_total\{connector="airtime"\} 1$/m);
      expect(env.logs.text).to.contain('the provider reported a success for an issuance recorded failed');
    });
  }),
);

describe('reconciliation.settleMs shorter than a connector can keep sending', () => {
  it('is warned about at start, naming the connector and both times', async () => {
    const env = await startEnv({
      patch: () => ({ reconciliation: { intervalMs: 200, maxIntervalMs: 1000, maxAgeMs: 3_600_000, leaseMs: 10_000, settleMs: 1000 } }),
    });
    try {
      const warned = env.logs
        .json()
        .filter((l) => String(l.msg).startsWith('reconciliation.settleMs: ') && String(l.msg).includes('is shorter than the longest call'));
      // The harness' connectors: 3 attempts of 2 s, Retry-After honoured up to the default 60 s between them.
      expect(warned.map((l) => [l.connector, l.settleMs, l.longestCallMs])).to.deep.equal([
        ['airtime', 1000, 126_000],
        ['giftcard', 1000, 126_000],
      ]);
    } finally {
      await env.close();
    }
  });

  it('is not warned about with the default settleMs', async () => {
    const env = await startEnv();
    try {
      expect(env.logs.text).to.not.contain('is shorter than the longest call');
    } finally {
      await env.close();
    }
  });
});
