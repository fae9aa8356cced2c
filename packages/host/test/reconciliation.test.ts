import { createHmac } from 'node:crypto';
import { expect } from 'chai';
import { startSimulator, type Simulator } from '@relaypoint/simulator';
import { describeEachStore, type StoreTarget } from '@relaypoint/store/testing';
import { issuanceMigrations } from '../src/issuance/issuanceMigrations.js';
import { TENANT_A_KEY, airtime, ref, startEnv, waitFor, type TestEnv } from './helpers/harness.js';

async function subscribeSink(env: TestEnv, name: string): Promise<void> {
  const created = await env.call('POST', '/v1/webhooks', { body: { url: `${env.sim.url}/__sim/sink/${name}`, events: ['reward.issued'] } });
  expect(created.status).to.equal(201);
  env.sim.sinks.configure(name, { secret: String(created.body.secret) });
}

/** Writes an issuance row as a process that died right after committing its intent would have left it. */
async function insertOrphan(
  target: StoreTarget,
  reference: string,
  status: 'in_flight' | 'unknown',
  createdAt = Date.now(),
): Promise<void> {
  const db = await target.open();
  try {
    await db.migrate('host', issuanceMigrations);
    const params = { productId: 'AIRTIME_5', customerId: 'cust-1', phoneNumber: '+263771234567', amount: '5.00', currency: 'USD' };
    await db.execute(
      `INSERT INTO issuances (id, tenant_id, reference, connector, request_hash, params, status, sends, checks, lease_owner, lease_until, next_check_at, created_at, updated_at)
       VALUES ($1, 'tenant-a', $2, 'airtime', 'h', $3, $4, 1, 0, 'dead-host', $6, $6, $5, $5)`,
      [
        `iss_orphan_${reference}`,
        reference,
        JSON.stringify(params),
        status,
        createdAt,
        // SQLite has one process, so any in_flight row at start is an orphan; on PostgreSQL a row is only taken over once its lease expired.
        status === 'in_flight' ? (target.dialect === 'sqlite' ? createdAt + 60_000 : createdAt - 1) : Date.now() + 3_600_000,
      ],
    );
  } finally {
    await db.close();
  }
}

/** An airtime issue sent straight to the simulator, signed as a host would send it (a dead process', or another system's). */
async function issueAtProvider(
  sim: Simulator,
  reference: string,
  o: { phoneNumber?: string; customerId?: string; signal?: AbortSignal } = {},
): Promise<Response> {
  const body = JSON.stringify({
    product_id: 'AIRTIME_5',
    phone_number: o.phoneNumber ?? '+263771234567',
    amount: '5.00',
    currency: 'USD',
    reference,
    customer_id: o.customerId ?? 'cust-1',
  });
  return fetch(`${sim.url}/airtime/issue`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-api-key': 'sim-airtime-key',
      'x-signature': createHmac('sha256', 'sim-airtime-secret').update(body).digest('hex'),
    },
    body,
    ...(o.signal ? { signal: o.signal } : {}),
  });
}

describeEachStore('issuance reconciliation', (target) =>
  describe('with the real simulator', function () {
    this.timeout(30_000);
    let sim: Simulator;
    let env: TestEnv | undefined;
    before(async () => {
      sim = await startSimulator({ seed: 11 });
    });
    afterEach(async () => {
      await env?.close();
      env = undefined;
      sim.reset();
    });
    after(async () => sim.close());

    it('answers 202 for a pending airtime (AIRTIME_ASYNC), reconciles it to succeeded, and delivers a verified reward.issued', async () => {
      env = await startEnv({ target, sim, patch: () => ({ server: { port: 0, issuanceWaitMs: 0 } }) });
      await subscribeSink(env, 'async');
      const reference = ref('async');
      const res = await env.call('POST', '/v1/issuances', { body: airtime(reference, { productId: 'AIRTIME_ASYNC' }) });
      expect(res.status).to.equal(202);
      expect(res.body.status).to.equal('pending');
      const done = await waitFor(
        async () => {
          const r = await env!.call('GET', `/v1/issuances/${reference}`);
          return r.body.status === ('succeeded' as unknown) ? r : undefined;
        },
        15_000,
        'the reconciler to settle the issuance',
      );
      expect(done.body.checks).to.be.greaterThan(0);
      expect(done.body.voucher.code).to.be.a('string');
      const [delivery] = await waitFor(
        () => {
          const ds = sim.sinks.deliveries('async');
          return ds.length > 0 ? ds : undefined;
        },
        15_000,
        'reward.issued at the sink',
      );
      expect(delivery.verified).to.equal(true);
      expect((delivery.json as { data: { reference: string } }).data.reference).to.equal(reference);
      expect(sim.ledger.countByReference('airtime', `tenant-a:${reference}`)).to.equal(1);
    });

    // 408: a gateway in front of the provider, giving up on a request the provider goes on with.
    for (const status of [500, 408]) {
      it(`ends succeeded with exactly one ledger entry when the provider (or a gateway) answers ${status} after committing`, async () => {
        env = await startEnv({ target, sim });
        const reference = ref(`after-commit-${status}`);
        sim.setScenario({
          rules: [
            { route: 'airtime.issue', reference: `tenant-a:${reference}`, attempts: [1], fault: { type: 'status-after-commit', status } },
          ],
        });
        const res = await env.call('POST', '/v1/issuances', { body: airtime(reference) });
        expect([201, 202]).to.include(res.status);
        const done = await waitFor(
          async () => {
            const r = await env!.call('GET', `/v1/issuances/${reference}`);
            return r.body.status === ('succeeded' as unknown) ? r : undefined;
          },
          15_000,
          'succeeded',
        );
        expect(done.body.transactionId).to.be.a('string');
        expect(sim.ledger.countByReference('airtime', `tenant-a:${reference}`)).to.equal(1);
        expect(sim.journal.entries({ route: 'airtime.issue', reference: `tenant-a:${reference}` })[0].fault).to.include(
          'status-after-commit',
        );
      });
    }

    it('on start, settles an in_flight row a dead process left after the provider committed, without sending again', async () => {
      const reference = ref('orphan-committed');
      // The dead process' call reached the provider...
      await insertOrphan(target, reference, 'in_flight');
      const issued = await issueAtProvider(sim, `tenant-a:${reference}`);
      expect(issued.status).to.equal(200);
      // ...and the new process finds it by reference before serving.
      env = await startEnv({ target, sim });
      const got = await env.call('GET', `/v1/issuances/${reference}`);
      expect(got.body.status).to.equal('succeeded');
      expect(sim.ledger.countByReference('airtime', `tenant-a:${reference}`)).to.equal(1);
      expect(sim.journal.entries({ route: 'airtime.issue', reference: `tenant-a:${reference}` })).to.have.length(1);
    });

    it('on start, re-sends an in_flight row the provider never saw (the airtime provider refuses duplicates, so a repeat is safe)', async () => {
      const reference = ref('orphan-unsent');
      await insertOrphan(target, reference, 'in_flight');
      env = await startEnv({ target, sim });
      const got = await env.call('GET', `/v1/issuances/${reference}`);
      expect(got.body.status).to.equal('succeeded');
      expect(got.body.sends).to.equal(2);
      expect(sim.ledger.countByReference('airtime', `tenant-a:${reference}`)).to.equal(1);
      // A client repeating the request now gets the settled record, no second issuance.
      const again = await env.call('POST', '/v1/issuances', { key: TENANT_A_KEY, body: airtime(reference) });
      expect(again.status).to.equal(409); // the orphan's stored hash is a placeholder: a different body is a conflict, never a re-send
      expect(sim.ledger.countByReference('airtime', `tenant-a:${reference}`)).to.equal(1);
    });

    it("on start, a re-send refused while the dead process' request is still being processed does not end the issuance failed", async () => {
      const reference = ref('orphan-late');
      const sent = `tenant-a:${reference}`;
      sim.setScenario({
        rules: [
          // The dead process' request reaches the provider, which processes it 3 s later.
          { route: 'airtime.issue', reference: sent, attempts: [1], fault: { type: 'late-commit', ms: 3000 } },
          // The new process' re-sends meanwhile are refused, before anything is recorded.
          {
            route: 'airtime.issue',
            reference: sent,
            attempts: [2, 3, 4, 5, 6, 7, 8, 9, 10],
            fault: { type: 'status-before-commit', status: 503, code: 'OPERATOR_UNAVAILABLE' },
          },
        ],
      });
      await insertOrphan(target, reference, 'in_flight');
      const dying = issueAtProvider(sim, sent, { signal: AbortSignal.timeout(100) });
      await dying.then(
        () => expect.fail('the held request answered before the process died'),
        () => undefined,
      );
      const started = Date.now();
      env = await startEnv({
        target,
        sim,
        patch: () => ({ reconciliation: { intervalMs: 200, maxIntervalMs: 1000, maxAgeMs: 3_600_000, leaseMs: 10_000, settleMs: 4500 } }),
      });
      const first = await env.call('GET', `/v1/issuances/${reference}`);
      expect(Date.now() - started, 'the re-send was refused before the held request was processed').to.be.below(2900);
      expect(first.body.status).to.equal('unknown');
      expect(Number(first.body.sends)).to.equal(2);
      const done = await waitFor(
        async () => {
          const r = await env!.call('GET', `/v1/issuances/${reference}`);
          return ['succeeded', 'failed'].includes(String(r.body.status)) ? r.body : undefined;
        },
        15_000,
        'a terminal status',
      );
      expect(done.status).to.equal('succeeded');
      expect(sim.ledger.countByReference('airtime', sent)).to.equal(1);
    });

    it("on start, never takes another issuance's transaction holding the reference as its own success", async () => {
      const reference = ref('orphan-taken');
      const sent = `tenant-a:${reference}`;
      await insertOrphan(target, reference, 'in_flight');
      // Another system on the same provider account (a staging host with the same tenant id, say) issued under
      // the same reference, to another phone.
      const other = await issueAtProvider(sim, sent, { phoneNumber: '+263771999999', customerId: 'someone-else' });
      expect(other.status).to.equal(200);
      env = await startEnv({ target, sim });
      const got = await env.call('GET', `/v1/issuances/${reference}`);
      expect(got.body.status).to.equal('failed');
      expect(String(got.body.error?.code)).to.equal('PROVIDER_REFERENCE_CONFLICT');
      expect(got.body).to.not.have.property('transactionId');
      // Nothing was sent for ours: the reference is taken, a send could only be refused or return the other's.
      expect(Number(got.body.sends)).to.equal(1);
      expect(sim.journal.entries({ route: 'airtime.issue', reference: sent })).to.have.length(1);
    });

    it('surfaces an issuance still open past maxAgeMs as needs_attention (list filter and metric)', async () => {
      const reference = ref('old');
      await insertOrphan(target, reference, 'unknown', Date.now() - 7_200_000);
      env = await startEnv({ target, sim });
      const list = await env.call('GET', '/v1/issuances?needs_attention=true');
      const items = list.body.items as unknown as Array<{ reference: string; needsAttention: boolean; status: string }>;
      expect(items.map((i) => i.reference)).to.include(reference);
      expect(items.find((i) => i.reference === reference)).to.include({ needsAttention: true, status: 'unknown' });
      const metrics = await env.call('GET', '/metrics', { key: null });
      expect(metrics.text).to.match(/^relaypoint_issuances_needs_attention [1-9]/m);
    });
  }),
);
