import { expect } from 'chai';
import { Webhook } from 'standardwebhooks';
import type { Database } from '@relaypoint/store';
import { describeEachStore } from '@relaypoint/store/testing';
import { EventValidationError, signPayload, WebhookInputError, type WebhookService } from '../src/index.js';
import { enrolled, makeService, ManualClock, startReceiver, waitFor, type Receiver } from './helpers.js';

async function clean(db: Database): Promise<void> {
  for (const t of ['webhook_attempts', 'webhook_deliveries', 'webhook_events', 'webhook_subscriptions'])
    await db.execute(`DELETE FROM ${t}`);
}

async function count(db: Database, table: string): Promise<number> {
  return Number((await db.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);
}

describeEachStore(
  'WebhookService',
  (target) => {
    let db: Database;
    let svc: WebhookService | undefined;
    let rx: Receiver;
    before(async () => {
      db = await target.open();
      await makeService(db); // migrations
    });
    after(async () => db?.close());
    beforeEach(async () => {
      await clean(db);
      rx = await startReceiver();
    });
    afterEach(async () => {
      await svc?.stop({ graceMs: 1000 });
      svc = undefined;
      await rx.close();
    });

    describe('subscriptions', () => {
      it('creates with a whsec_ secret shown once, scoped to its tenant', async () => {
        svc = await makeService(db);
        const s = await svc.subscriptions.create('t1', { url: `${rx.url}/a`, events: ['reward.issued'], description: 'orders' });
        expect(s.secret).to.match(/^whsec_/);
        expect(s).to.include({ tenantId: 't1', active: true, status: 'active', description: 'orders' });
        const got = await svc.subscriptions.get('t1', s.id);
        expect(got).to.not.have.property('secret');
        expect(got?.events).to.deep.equal(['reward.issued']);
        expect(await svc.subscriptions.get('t2', s.id)).to.equal(null);
        expect(await svc.subscriptions.update('t2', s.id, { active: false })).to.equal(null);
        expect(await svc.subscriptions.delete('t2', s.id)).to.equal(false);
        expect(await svc.subscriptions.rotateSecret('t2', s.id)).to.equal(null);
      });

      it('refuses literal private addresses and unknown event types at creation', async () => {
        svc = await makeService(db, { ssrf: { allow: [] } });
        for (const url of ['https://10.0.0.1/x', 'https://[::1]/x', 'https://localhost/x', 'https://2130706433/']) {
          await svc.subscriptions.create('t1', { url, events: ['*'] }).then(
            () => expect.fail(`accepted ${url}`),
            (e: WebhookInputError) => expect(e.code).to.equal('WEBHOOK_URL_FORBIDDEN'),
          );
        }
        await svc.subscriptions.create('t1', { url: 'https://hooks.example.com/', events: ['reward.nope'] }).then(
          () => expect.fail('accepted'),
          (e: WebhookInputError) => expect(e.code).to.equal('WEBHOOK_INPUT_INVALID'),
        );
        expect(await count(db, 'webhook_subscriptions')).to.equal(0);
      });

      it('lists in pages, updates, and soft-deletes keeping the deliveries in the log', async () => {
        svc = await makeService(db);
        const ids: string[] = [];
        for (let i = 0; i < 5; i++) ids.push((await svc.subscriptions.create('t1', { url: `${rx.url}/${i}`, events: ['*'] })).id);
        const p1 = await svc.subscriptions.list('t1', { limit: 3 });
        const p2 = await svc.subscriptions.list('t1', { limit: 3, cursor: p1.nextCursor });
        expect([...p1.items, ...p2.items].map((s) => s.id)).to.deep.equal(ids);
        expect(p2.nextCursor).to.equal(undefined);
        const u = await svc.subscriptions.update('t1', ids[0], { events: ['reward.issued', 'reward.expired'], description: 'd' });
        expect(u).to.include({ description: 'd' });
        expect(u?.events).to.deep.equal(['reward.issued', 'reward.expired']);
        await svc.publish('t1', { ...enrolled(), id: 'e1' });
        expect(await svc.subscriptions.delete('t1', ids[1])).to.equal(true);
        expect(await svc.subscriptions.get('t1', ids[1])).to.equal(null);
        const log = await svc.deliveries.list('t1', ids[1]);
        expect(log?.items).to.have.length(1);
        expect(log?.items[0]).to.include({ status: 'failed', lastError: 'subscription deleted' });
      });
    });

    describe('publish', () => {
      it('creates one delivery per active matching subscription of the tenant, in one go', async () => {
        svc = await makeService(db);
        await svc.subscriptions.create('t1', { url: `${rx.url}/all`, events: ['*'] });
        await svc.subscriptions.create('t1', { url: `${rx.url}/enrol`, events: ['customer.enrolled'] });
        await svc.subscriptions.create('t1', { url: `${rx.url}/other`, events: ['reward.issued'] });
        await svc.subscriptions.create('t1', { url: `${rx.url}/off`, events: ['*'], active: false });
        await svc.subscriptions.create('t2', { url: `${rx.url}/t2`, events: ['*'] });
        const r = await svc.publish('t1', enrolled());
        expect(r).to.include({ deliveries: 2, duplicate: false });
        expect(r.id).to.match(/^evt_/);
      });

      it('creates one set of deliveries for the same event id published twice', async () => {
        svc = await makeService(db);
        await svc.subscriptions.create('t1', { url: `${rx.url}/all`, events: ['*'] });
        const a = await svc.publish('t1', { ...enrolled(), id: 'order-1' });
        const b = await svc.publish('t1', { ...enrolled('other'), id: 'order-1' });
        const c = await svc.publish('t2', { ...enrolled(), id: 'order-1' }); // another tenant's id space
        expect(a).to.deep.equal({ id: 'order-1', deliveries: 1, duplicate: false });
        expect(b).to.deep.equal({ id: 'order-1', deliveries: 1, duplicate: true });
        expect(c.duplicate).to.equal(false);
        expect(await count(db, 'webhook_deliveries')).to.equal(1);
      });

      it('refuses an invalid payload with path: message errors and stores nothing', async () => {
        svc = await makeService(db);
        await svc.subscriptions.create('t1', { url: `${rx.url}/all`, events: ['*'] });
        try {
          await svc.publish('t1', { type: 'customer.enrolled', data: { enrolledAt: 'soon' } });
          expect.fail('published');
        } catch (e) {
          expect(e).to.be.instanceOf(EventValidationError);
          expect((e as EventValidationError).code).to.equal('EVENT_INVALID');
          expect((e as EventValidationError).errors).to.have.members([
            'data.customerId: is required',
            'data.enrolledAt: must be a date-time (RFC 3339)',
          ]);
        }
        expect(await count(db, 'webhook_events')).to.equal(0);
        expect(await count(db, 'webhook_deliveries')).to.equal(0);
      });

      it('joins the caller transaction: rolled back with it, committed with it', async () => {
        svc = await makeService(db);
        await svc.subscriptions.create('t1', { url: `${rx.url}/all`, events: ['*'] });
        await db.execute('CREATE TABLE IF NOT EXISTS host_orders (id TEXT PRIMARY KEY)');
        await db.execute('DELETE FROM host_orders');
        await db
          .transaction(async (tx) => {
            await tx.execute("INSERT INTO host_orders (id) VALUES ('o1')");
            await svc!.publishWith(tx, 't1', { ...enrolled(), id: 'o1' });
            throw new Error('host failed after publishing');
          })
          .catch(() => {});
        expect(await count(db, 'host_orders')).to.equal(0);
        expect(await count(db, 'webhook_events')).to.equal(0);
        expect(await count(db, 'webhook_deliveries')).to.equal(0);
        const r = await db.transaction(async (tx) => {
          await tx.execute("INSERT INTO host_orders (id) VALUES ('o2')");
          return svc!.publishWith(tx, 't1', { ...enrolled(), id: 'o2' });
        });
        expect(r.deliveries).to.equal(1);
        expect(await count(db, 'host_orders')).to.equal(1);
        expect(await count(db, 'webhook_deliveries')).to.equal(1);
      });
    });

    describe('delivery', () => {
      it('delivers bodies that a standardwebhooks receiver verifies, with a stable webhook-id per delivery', async () => {
        svc = await makeService(db);
        const sub = await svc.subscriptions.create('t1', { url: `${rx.url}/hook?x=1`, events: ['*'] });
        for (let i = 0; i < 20; i++) await svc.publish('t1', { ...enrolled(`c${i}`), id: `e${i}` });
        svc.start();
        await waitFor(() => rx.received.length >= 20, 10_000, '20 deliveries');
        const wh = new Webhook(sub.secret);
        const ids = new Set<string>();
        for (const r of rx.received) {
          const payload = wh.verify(r.body, r.headers as Record<string, string>) as {
            type: string;
            timestamp: string;
            data: { customerId: string };
          };
          expect(payload.type).to.equal('customer.enrolled');
          expect(Object.keys(payload)).to.deep.equal(['type', 'timestamp', 'data']);
          expect(r.headers['x-event']).to.equal('customer.enrolled');
          expect(r.headers['content-type']).to.equal('application/json');
          expect(r.path).to.equal('/hook?x=1');
          ids.add(String(r.headers['webhook-id']));
        }
        expect(ids.size).to.equal(20);
        await waitFor(
          async () => (await svc!.deliveries.list('t1', sub.id, { status: 'delivered' }))!.items.length === 20,
          5000,
          'recorded',
        );
      });

      it('signs with both secrets during the rotation overlap, then with the new one only', async () => {
        const clock = new ManualClock();
        svc = await makeService(db, { clock });
        const sub = await svc.subscriptions.create('t1', { url: `${rx.url}/hook`, events: ['*'] });
        const rot = await svc.subscriptions.rotateSecret('t1', sub.id, { overlapMs: 60_000 });
        expect(rot?.previousExpiresAt).to.equal(clock.now() + 60_000);
        await svc.publish('t1', { ...enrolled(), id: 'during' });
        svc.start();
        await waitFor(() => rx.received.length === 1);
        const first = rx.received[0];
        const ts = Number(first.headers['webhook-timestamp']);
        expect(String(first.headers['webhook-signature']).split(' ')).to.deep.equal([
          signPayload(rot!.secret, String(first.headers['webhook-id']), ts, first.body),
          signPayload(sub.secret, String(first.headers['webhook-id']), ts, first.body),
        ]);
        clock.advance(60_001);
        await svc.publish('t1', { ...enrolled(), id: 'after' });
        await waitFor(() => rx.received.length === 2);
        const second = rx.received[1];
        expect(String(second.headers['webhook-signature'])).to.equal(
          signPayload(rot!.secret, String(second.headers['webhook-id']), Number(second.headers['webhook-timestamp']), second.body),
        );
      });

      it('disables the subscription on 410, keeping its deliveries visible, and sends them once re-enabled', async () => {
        svc = await makeService(db);
        rx.answer = () => ({ status: 410, body: 'gone' });
        const sub = await svc.subscriptions.create('t1', { url: `${rx.url}/hook`, events: ['*'] });
        await svc.publish('t1', { ...enrolled(), id: 'a' });
        svc.start();
        await waitFor(async () => (await svc!.subscriptions.get('t1', sub.id))?.status === 'disabled', 5000, 'disabled');
        const s = await svc.subscriptions.get('t1', sub.id);
        expect(s).to.include({ active: false, status: 'disabled', disabledReason: 'endpoint answered 410 Gone' });
        expect((await svc.publish('t1', { ...enrolled(), id: 'b' })).deliveries).to.equal(0);
        const [d] = (await svc.deliveries.list('t1', sub.id))!.items;
        expect(d).to.include({ status: 'pending', attempts: 1, lastStatus: 410 });
        rx.answer = () => ({ status: 204 });
        await svc.subscriptions.update('t1', sub.id, { active: true });
        await waitFor(async () => (await svc!.deliveries.get('t1', d.id))?.status === 'delivered', 5000, 'delivered after re-enable');
        expect(rx.received.map((r) => r.headers['webhook-id'])).to.deep.equal([d.id, d.id]);
      });

      it('retries on the schedule, honours Retry-After within its bound, and fails when exhausted; a manual retry sends once more', async () => {
        const clock = new ManualClock();
        svc = await makeService(db, { clock, retrySchedule: [0, 1000, 2000], maxRetryAfterMs: 60_000 });
        let n = 0;
        rx.answer = () => {
          n++;
          if (n === 1) return { status: 503, headers: { 'retry-after': '30' } };
          if (n === 2) return { status: 429, headers: { 'retry-after': '7200' } };
          return { status: 500, body: 'still broken' };
        };
        const sub = await svc.subscriptions.create('t1', { url: `${rx.url}/hook`, events: ['*'] });
        await svc.publish('t1', { ...enrolled(), id: 'r' });
        const [{ id }] = (await svc.deliveries.list('t1', sub.id))!.items;
        const t0 = clock.now();
        svc.start();
        await waitFor(async () => (await svc!.deliveries.get('t1', id))!.attempts.length === 1);
        // Retry-After 30 s beats the 1 s the schedule asks for.
        expect(await svc.deliveries.get('t1', id)).to.include({ status: 'pending', nextAttemptAt: t0 + 30_000, lastStatus: 503 });
        clock.advance(30_000);
        await waitFor(async () => (await svc!.deliveries.get('t1', id))!.attempts.length === 2);
        // Retry-After 2 h is capped at maxRetryAfterMs (60 s).
        expect(await svc.deliveries.get('t1', id)).to.include({ status: 'pending', nextAttemptAt: t0 + 90_000, lastStatus: 429 });
        clock.advance(60_000);
        await waitFor(async () => (await svc!.deliveries.get('t1', id))!.status === 'failed');
        const failed = await svc.deliveries.get('t1', id);
        expect(failed!.attempts.map((a) => a.statusCode)).to.deep.equal([503, 429, 500]);
        expect(failed).to.include({ lastError: 'http_status: 500' });
        expect(await svc.stats()).to.include({ failed: 1, pending: 0 });
        rx.answer = () => ({ status: 200 });
        const retried = await svc.deliveries.retry('t1', id);
        expect(retried).to.include({ status: 'pending', attempts: 3 });
        await waitFor(async () => (await svc!.deliveries.get('t1', id))!.status === 'delivered');
        expect((await svc.deliveries.get('t1', id))!.attempts).to.have.length(4);
        expect(await svc.deliveries.retry('t2', id)).to.equal(null);
      });

      it('spreads retry delays by the configured jitter', async () => {
        const clock = new ManualClock();
        svc = await makeService(db, { clock, retrySchedule: [0, 100_000], jitter: 0.2 });
        rx.answer = () => ({ status: 500 });
        const sub = await svc.subscriptions.create('t1', { url: `${rx.url}/hook`, events: ['*'] });
        for (let i = 0; i < 20; i++) await svc.publish('t1', { ...enrolled(), id: `j${i}` });
        svc.start();
        await waitFor(
          async () =>
            (await svc!.deliveries.list('t1', sub.id, { status: 'pending' }))!.items.filter((d) => d.attempts === 1).length === 20,
        );
        const delays = (await svc.deliveries.list('t1', sub.id))!.items.map((d) => d.nextAttemptAt - clock.now());
        for (const d of delays) expect(d).to.be.within(80_000, 120_000);
        expect(new Set(delays).size).to.be.greaterThan(1);
      });

      it('replays a time range with the same webhook-ids', async () => {
        const clock = new ManualClock();
        svc = await makeService(db, { clock });
        const sub = await svc.subscriptions.create('t1', { url: `${rx.url}/hook`, events: ['*'] });
        const from = clock.now();
        for (const id of ['a', 'b', 'c']) {
          await svc.publish('t1', { ...enrolled(), id });
          clock.advance(1000);
        }
        svc.start();
        await waitFor(async () => (await svc!.deliveries.list('t1', sub.id, { status: 'delivered' }))!.items.length === 3);
        const first = (await svc.deliveries.list('t1', sub.id))!.items.filter((d) => d.eventId !== 'c').map((d) => d.id);
        expect(await svc.deliveries.replay('t1', sub.id, { from, to: from + 2000 })).to.deep.equal({ scheduled: 2 });
        await waitFor(() => rx.received.length === 5);
        await waitFor(async () => (await svc!.deliveries.list('t1', sub.id, { status: 'delivered' }))!.items.length === 3);
        expect(
          rx.received
            .slice(3)
            .map((r) => r.headers['webhook-id'])
            .sort(),
        ).to.deep.equal(first.sort());
        expect(await svc.deliveries.replay('t2', sub.id, { from, to: from + 2000 })).to.equal(null);
      });

      it('pauses an endpoint that only fails, queues while paused, and drains at the throttled rate once resumed', async () => {
        const clock = new ManualClock();
        svc = await makeService(db, {
          clock,
          retrySchedule: [0, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000],
          health: { pauseAfterMs: 3000, minFailures: 3, drainRatePerSecond: 5 },
        });
        rx.answer = () => ({ status: 500 });
        const sub = await svc.subscriptions.create('t1', { url: `${rx.url}/hook`, events: ['*'] });
        await svc.publish('t1', { ...enrolled(), id: 'p0' });
        svc.start();
        for (let i = 1; i <= 4; i++) {
          await waitFor(() => rx.received.length === i, 5000, `attempt ${i}`);
          await waitFor(async () => (await svc!.deliveries.list('t1', sub.id))!.items[0].attempts === i);
          clock.advance(1000);
        }
        await waitFor(async () => (await svc!.subscriptions.get('t1', sub.id))?.status === 'paused', 5000, 'paused');
        expect((await svc.subscriptions.get('t1', sub.id))!.active).to.equal(true);
        for (let i = 1; i <= 11; i++) await svc.publish('t1', { ...enrolled(), id: `p${i}` });
        clock.advance(5000);
        expect(await svc.stats()).to.include({ pending: 12 });
        rx.answer = () => ({ status: 200 });
        const before = rx.received.length;
        await svc.subscriptions.update('t1', sub.id, { active: true });
        await waitFor(() => rx.received.length === before + 5, 5000, 'first drain step');
        // The next step waits for the clock: a second of drain releases 5 more.
        await waitFor(async () => (await svc!.stats()).inFlight === 0);
        expect(rx.received.length).to.equal(before + 5);
        clock.advance(1000);
        await waitFor(() => rx.received.length === before + 10, 5000, 'second drain step');
        clock.advance(1000);
        await waitFor(() => rx.received.length === before + 12, 5000, 'drained');
        await waitFor(async () => (await svc!.stats()).pending === 0);
      });

      it('sends a delivery claimed while its subscription was disabled once the subscription is re-enabled', async () => {
        const clock = new ManualClock();
        const slow = await startReceiver(() => ({ status: 200, delayMs: 1500 }));
        try {
          svc = await makeService(db, { clock, concurrency: 1, perSubscriptionConcurrency: 1, retrySchedule: [0, 1000, 1000, 1000] });
          rx.answer = () => ({ status: 500, delayMs: 300 });
          const sub = await svc.subscriptions.create('t1', { url: `${rx.url}/hook`, events: ['customer.enrolled'] });
          await svc.subscriptions.create('t1', { url: `${slow.url}/slow`, events: ['reward.expired'] });
          await svc.publish('t1', { ...enrolled(), id: 'e1' });
          svc.start();
          await waitFor(() => rx.received.length === 1, 5000, 'first attempt');
          // Disabled while its attempt is in flight; the attempt comes back as a retry.
          await svc.subscriptions.update('t1', sub.id, { active: false });
          const [{ id }] = (await svc.deliveries.list('t1', sub.id))!.items;
          await waitFor(async () => (await svc!.deliveries.get('t1', id))!.attempts.length === 1, 5000, 'attempt recorded');
          // Not held, as another worker that read the subscription before the disable committed records it.
          await db.execute('UPDATE webhook_deliveries SET held = 0 WHERE id = $1', [id]);
          // The only slot is busy: the retry is claimed with the subscription disabled and waits in the local queue.
          await svc.publish('t1', {
            type: 'reward.expired',
            data: { customerId: 'c', rewardId: 'r1', expiredAt: '2030-01-01T00:00:00Z' },
            id: 'x1',
          });
          await waitFor(() => slow.received.length === 1, 5000, 'slow request started');
          clock.advance(1000);
          await waitFor(
            async () =>
              (await db.query<{ status: string }>('SELECT status FROM webhook_deliveries WHERE id = $1', [id]))[0].status === 'in_flight',
            5000,
            'retry claimed',
          );
          rx.answer = () => ({ status: 200 });
          await svc.subscriptions.update('t1', sub.id, { active: true });
          await waitFor(async () => (await svc!.deliveries.get('t1', id))!.status === 'delivered', 6000, 'delivered after re-enable');
          expect(rx.received).to.have.length(2);
        } finally {
          await svc?.stop({ graceMs: 2000 });
          svc = undefined;
          await slow.close();
        }
      });

      it('caps requests per subscription so a slow endpoint does not starve the others', async () => {
        const slow = await startReceiver();
        let inflight = 0;
        let maxInflight = 0;
        slow.answer = () => {
          inflight++;
          maxInflight = Math.max(maxInflight, inflight);
          setTimeout(() => inflight--, 300);
          return { status: 200, delayMs: 300 };
        };
        try {
          svc = await makeService(db, { concurrency: 4, perSubscriptionConcurrency: 2, batchSize: 10 });
          await svc.subscriptions.create('t1', { url: `${slow.url}/slow`, events: ['reward.expired'] });
          await svc.subscriptions.create('t1', { url: `${rx.url}/fast`, events: ['customer.enrolled'] });
          for (let i = 0; i < 20; i++)
            await svc.publish('t1', {
              type: 'reward.expired',
              data: { customerId: 'c', rewardId: `r${i}`, expiredAt: '2030-01-01T00:00:00Z' },
            });
          for (let i = 0; i < 20; i++) await svc.publish('t1', enrolled(`c${i}`));
          svc.start();
          await waitFor(() => rx.received.length === 20, 10_000, 'fast endpoint');
          expect(slow.received.length).to.be.lessThan(10);
          expect(maxInflight).to.be.at.most(2);
        } finally {
          await svc?.stop({ graceMs: 2000 });
          svc = undefined;
          await slow.close();
        }
      });

      it("delivers another tenant's fresh event promptly while one subscription works through a large backlog", async () => {
        // The backlog answers at normal speed, so its subscription is always a
        // place or two short of full when a claim runs (claims follow results;
        // the slow poll keeps empty ones out): every due-order read of the
        // outbox is all its rows, older than the fresh event.
        const backlog = await startReceiver(() => ({ status: 200, delayMs: 100 }));
        try {
          svc = await makeService(db, { concurrency: 4, perSubscriptionConcurrency: 2, batchSize: 10, pollIntervalMs: 1000 });
          await svc.subscriptions.create('tA', { url: `${backlog.url}/busy`, events: ['*'] });
          await svc.subscriptions.create('tB', { url: `${rx.url}/quiet`, events: ['*'] });
          await db.transaction(async (tx) => {
            for (let i = 0; i < 300; i++) await svc!.publishWith(tx, 'tA', { ...enrolled(`c${i}`), id: `e${i}` });
          });
          svc.start();
          await waitFor(() => backlog.received.length >= 4, 5000, 'backlog started');
          await svc.publish('tB', { ...enrolled(), id: 'fresh' });
          await waitFor(() => rx.received.length === 1, 5000, 'fresh event delivered');
          // 2 requests at a time of 100 ms each: the backlog takes 15 s; the fresh event waited for about one claim.
          expect(backlog.received.length).to.be.lessThan(60);
        } finally {
          await svc?.stop({ graceMs: 2000 });
          svc = undefined;
          await backlog.close();
        }
      });

      for (const change of ['disable', 'delete'] as const) {
        it(`sends nothing it had queued for a subscription once a ${change} has returned`, async () => {
          // Before, every row already claimed into this process' queue was still sent, to the URL and with the
          // secret the subscription had when they were claimed (12 requests after a disable, 16 after a delete).
          // From the change on, the receiver fails: the requests in flight then come back as retries, which must end
          // held (disabled) or failed (deleted), never pending and claimable or pending and stuck.
          let failing = false;
          const slow = await startReceiver(() => ({ status: failing ? 503 : 200, delayMs: 20 }));
          try {
            svc = await makeService(db, { pollIntervalMs: 250, retrySchedule: [0, 0, 0, 0, 0] });
            const sub = await svc.subscriptions.create('t1', { url: `${slow.url}/s`, events: ['*'] });
            await db.transaction(async (tx) => {
              for (let i = 0; i < 400; i++) await svc!.publishWith(tx, 't1', { ...enrolled(`c${i}`), id: `e${i}` });
            });
            svc.start();
            await waitFor(() => slow.received.length >= 40, 10_000, 'some delivered');
            failing = true;
            if (change === 'delete') await svc.subscriptions.delete('t1', sub.id);
            else await svc.subscriptions.update('t1', sub.id, { active: false });
            const at = slow.received.length;
            await new Promise((r) => setTimeout(r, 600));
            // Only requests already on their way when it returned (at most perSubscriptionConcurrency, 4) may arrive.
            expect(slow.received.length - at).to.be.at.most(4);
            await svc.stop({ graceMs: 2000 });
            const counts = await db.query<{ status: string; n: number }>(
              "SELECT status, COUNT(*) AS n FROM webhook_deliveries WHERE event_type = 'customer.enrolled' GROUP BY status",
            );
            const left = Object.fromEntries(counts.map((c) => [c.status, Number(c.n)]));
            // Nothing is lost: every row not delivered is still pending (disabled) or visibly failed (deleted).
            expect(left.in_flight ?? 0).to.equal(0);
            expect((left.delivered ?? 0) + (change === 'delete' ? (left.failed ?? 0) : (left.pending ?? 0))).to.equal(400);
          } finally {
            await svc?.stop({ graceMs: 2000 });
            svc = undefined;
            await slow.close();
          }
        });
      }

      for (const change of ['disable', 'delete', 'new URL'] as const) {
        it(`stops sending what another process had queued for a subscription within pollIntervalMs of a ${change} made elsewhere`, async () => {
          // Another host (a second service on the same store) makes the change, so this process is not told. Before,
          // it still sent every row it had claimed into its queue (here 16 in flight and at least 32 queued behind a
          // slow endpoint), to the URL and with the secret of claim time. It now compares its queued claims with the
          // store every pollIntervalMs (50 ms here), so only what started before that check reaches the old URL.
          const slow = await startReceiver(() => ({ status: 200, delayMs: 500 }));
          const moved = await startReceiver();
          const elsewhere = await makeService(db);
          try {
            svc = await makeService(db, { pollIntervalMs: 50, perSubscriptionConcurrency: 16 });
            const sub = await svc.subscriptions.create('t1', { url: `${slow.url}/s`, events: ['*'] });
            await db.transaction(async (tx) => {
              for (let i = 0; i < 300; i++) await svc!.publishWith(tx, 't1', { ...enrolled(`c${i}`), id: `e${i}` });
            });
            svc.start();
            await waitFor(
              async () => slow.received.length >= 16 && (await svc!.stats()).inFlight >= 48,
              10_000,
              'a full queue behind the slow endpoint',
            );
            if (change === 'delete') await elsewhere.subscriptions.delete('t1', sub.id);
            else if (change === 'disable') await elsewhere.subscriptions.update('t1', sub.id, { active: false });
            else await elsewhere.subscriptions.update('t1', sub.id, { url: `${moved.url}/s` });
            const at = slow.received.length;
            await new Promise((r) => setTimeout(r, 1500));
            // Without the check: the 32 or more queued rows, over the next second. With it: the few that a freed slot
            // started in the 50 ms before the check.
            expect(slow.received.length - at, 'requests that reached the old URL after the change').to.be.at.most(8);
            if (change === 'new URL') await waitFor(() => moved.received.length > 0, 5_000, 'deliveries at the new URL');
            await svc.stop({ graceMs: 2000 });
            const counts = await db.query<{ status: string; n: number }>(
              "SELECT status, COUNT(*) AS n FROM webhook_deliveries WHERE event_type = 'customer.enrolled' GROUP BY status",
            );
            const left = Object.fromEntries(counts.map((c) => [c.status, Number(c.n)]));
            // Nothing lost: every row is delivered, visibly failed (deleted) or still pending (disabled, or not yet sent).
            expect(left.in_flight ?? 0).to.equal(0);
            expect((left.delivered ?? 0) + (left.failed ?? 0) + (left.pending ?? 0)).to.equal(300);
            if (change === 'delete') expect(left.pending ?? 0, 'a deleted subscription leaves nothing pending').to.equal(0);
          } finally {
            await svc?.stop({ graceMs: 2000 });
            svc = undefined;
            await slow.close();
            await moved.close();
          }
        });
      }

      it('logs each attempt: time, status, latency, the first 4 KiB of the body, and the error kind', async () => {
        svc = await makeService(db, { requestTimeoutMs: 300, retrySchedule: [0, 0, 0, 0, 0] });
        let n = 0;
        rx.answer = () => {
          n++;
          if (n === 1) return { status: 500, body: 'x'.repeat(5000) };
          if (n === 2) return 'hang';
          if (n === 3) return 'reset';
          return { status: 201, body: 'created' };
        };
        const sub = await svc.subscriptions.create('t1', { url: `${rx.url}/hook`, events: ['*'] });
        await svc.publish('t1', enrolled());
        const start = Date.now();
        svc.start();
        const [{ id }] = (await svc.deliveries.list('t1', sub.id))!.items;
        await waitFor(async () => (await svc!.deliveries.get('t1', id))!.status === 'delivered', 10_000);
        const d = (await svc.deliveries.get('t1', id))!;
        expect(d.attempts.map((a) => [a.statusCode, a.errorKind])).to.deep.equal([
          [500, 'http_status'],
          [undefined, 'timeout'],
          [undefined, 'reset'],
          [201, undefined],
        ]);
        expect(d.attempts[0].responseBody).to.have.length(4096);
        expect(d.attempts[3].responseBody).to.equal('created');
        expect(d.attempts[1].latencyMs).to.be.within(250, 2000);
        for (const a of d.attempts) expect(a.at).to.be.within(start - 1000, Date.now());
        expect(d).to.include({ lastStatus: 201 });
      });

      it('gives up on an answer that keeps dripping past the request timeout (a total deadline, not only idle timeouts) and retries', async () => {
        svc = await makeService(db, { requestTimeoutMs: 400, retrySchedule: [0, 0, 0] });
        let n = 0;
        rx.answer = () => (++n === 1 ? 'drip' : { status: 200, body: 'ok' });
        const sub = await svc.subscriptions.create('t1', { url: `${rx.url}/hook`, events: ['*'] });
        await svc.publish('t1', enrolled());
        svc.start();
        const [{ id }] = (await svc.deliveries.list('t1', sub.id))!.items;
        await waitFor(async () => (await svc!.deliveries.get('t1', id))!.status === 'delivered', 10_000, 'delivered after the drip');
        const d = (await svc.deliveries.get('t1', id))!;
        expect(d.attempts.map((a) => a.errorKind ?? 'ok')).to.deep.equal(['timeout', 'ok']);
        expect(d.attempts[0].latencyMs).to.be.within(350, 3000);
      });

      it('records an answer whose body holds a NUL byte (PostgreSQL text cannot store one) and marks the delivery delivered', async () => {
        svc = await makeService(db);
        rx.answer = () => ({ status: 200, body: 'ok\u0000bin' });
        const sub = await svc.subscriptions.create('t1', { url: `${rx.url}/hook`, events: ['*'] });
        await svc.publish('t1', enrolled());
        svc.start();
        const [{ id }] = (await svc.deliveries.list('t1', sub.id))!.items;
        await waitFor(async () => (await svc!.deliveries.get('t1', id))!.status === 'delivered', 5000, 'delivered');
        const d = (await svc.deliveries.get('t1', id))!;
        expect(d.attempts.map((a) => a.responseBody)).to.deep.equal(['ok\uFFFDbin']);
      });

      it('records refused connections and DNS failures as retryable kinds', async () => {
        svc = await makeService(db, {
          retrySchedule: [0, 60_000],
          ssrf: { allowHttp: true, resolver: async () => Promise.reject(Object.assign(new Error('x'), { code: 'ENOTFOUND' })) },
        });
        const closed = await startReceiver();
        await closed.close();
        const a = await svc.subscriptions.create('t1', { url: `${closed.url}/gone`, events: ['*'] });
        const b = await svc.subscriptions.create('t1', { url: 'http://nowhere.example/x', events: ['*'] });
        await svc.publish('t1', enrolled());
        svc.start();
        const kinds = async (subId: string) => {
          const [d] = (await svc!.deliveries.list('t1', subId))!.items;
          return (await svc!.deliveries.get('t1', d.id))!;
        };
        await waitFor(async () => (await kinds(a.id)).attempts.length === 1 && (await kinds(b.id)).attempts.length === 1);
        expect((await kinds(a.id)).attempts[0].errorKind).to.equal('refused');
        expect((await kinds(b.id)).attempts[0].errorKind).to.equal('dns');
        expect((await kinds(b.id)).status).to.equal('pending');
      });

      it('blocks at delivery time a name resolving to a private address (terminal), and never follows a redirect', async () => {
        const target2 = await startReceiver();
        try {
          svc = await makeService(db, {
            ssrf: {
              allow: ['127.0.0.0/8'],
              allowHttp: true,
              resolver: async (h) => [{ address: h === 'metadata.example' ? '169.254.169.254' : '10.1.2.3', family: 4 }],
            },
          });
          rx.answer = () => ({ status: 302, headers: { location: `${target2.url}/internal` } });
          const evil = await svc.subscriptions.create('t1', { url: 'http://metadata.example/latest', events: ['*'] });
          const redirect = await svc.subscriptions.create('t1', { url: `${rx.url}/hook`, events: ['*'] });
          await svc.publish('t1', enrolled());
          svc.start();
          const one = async (subId: string) => svc!.deliveries.get('t1', (await svc!.deliveries.list('t1', subId))!.items[0].id);
          await waitFor(async () => (await one(evil.id))!.status === 'failed' && (await one(redirect.id))!.attempts.length >= 1);
          const e = (await one(evil.id))!;
          expect(e.attempts).to.have.length(1);
          expect(e.attempts[0].errorKind).to.equal('ssrf_blocked');
          const r = (await one(redirect.id))!;
          expect(r.attempts[0]).to.include({ statusCode: 302, errorKind: 'http_status' });
          expect(target2.received).to.have.length(0);
        } finally {
          await target2.close();
        }
      });

      it("tells the tenant a blocked delivery's destination is not allowed, not what the host's DNS answered; operators get the detail in the log", async () => {
        const warnings: Record<string, unknown>[] = [];
        const logger = {
          debug: () => {},
          info: () => {},
          warn: (obj: object) => void warnings.push(obj as Record<string, unknown>),
          error: () => {},
          child: () => logger,
        };
        svc = await makeService(db, { logger, ssrf: { resolver: async () => [{ address: '10.20.30.40', family: 4 }] } });
        const sub = await svc.subscriptions.create('t1', { url: 'https://vault.corp.internal/hook', events: ['*'] });
        await svc.publish('t1', enrolled());
        svc.start();
        const [{ id }] = (await svc.deliveries.list('t1', sub.id))!.items;
        await waitFor(async () => (await svc!.deliveries.get('t1', id))!.status === 'failed', 5000, 'failed');
        const d = (await svc.deliveries.get('t1', id))!;
        expect(d.lastError).to.equal("ssrf_blocked: the destination address is not allowed (see the host's webhooks.ssrf.allow)");
        expect(d.attempts.map((a) => a.errorKind)).to.deep.equal(['ssrf_blocked']);
        const stored = await db.query<{ error_message: string }>('SELECT error_message FROM webhook_attempts WHERE delivery_id = $1', [id]);
        for (const text of [JSON.stringify(d), JSON.stringify(stored)]) {
          expect(text).to.not.include('10.20.30.40');
          expect(text).to.not.include('10.0.0.0/8');
        }
        const logged = warnings.find((w) => w.deliveryId === id);
        expect(logged).to.include({ subscriptionId: sub.id });
        expect(String(logged!.detail)).to.include('vault.corp.internal').and.include('10.20.30.40');
      });

      it('on stop, hands unsent claims back and waits for the request in flight', async () => {
        svc = await makeService(db, { concurrency: 1, perSubscriptionConcurrency: 1 });
        rx.answer = () => ({ status: 200, delayMs: 200 });
        const sub = await svc.subscriptions.create('t1', { url: `${rx.url}/hook`, events: ['*'] });
        for (let i = 0; i < 5; i++) await svc.publish('t1', enrolled());
        svc.start();
        await waitFor(() => rx.received.length === 1);
        await svc.stop({ graceMs: 2000 });
        svc = undefined;
        const items = (await (await makeService(db)).deliveries.list('t1', sub.id))!.items;
        expect(items.filter((d) => d.status === 'delivered')).to.have.length(1);
        expect(items.filter((d) => d.status === 'pending')).to.have.length(4);
        const leased = await db.query("SELECT id FROM webhook_deliveries WHERE status = 'in_flight' OR worker IS NOT NULL");
        expect(leased).to.have.length(0);
      });

      it('reports queue stats', async () => {
        const clock = new ManualClock();
        svc = await makeService(db, { clock });
        await svc.subscriptions.create('t1', { url: `${rx.url}/hook`, events: ['*'] });
        expect(await svc.stats()).to.deep.equal({ pending: 0, oldestPendingAgeMs: null, inFlight: 0, failed: 0 });
        await svc.publish('t1', enrolled());
        clock.advance(1500);
        await svc.publish('t1', enrolled());
        expect(await svc.stats()).to.deep.equal({ pending: 2, oldestPendingAgeMs: 1500, inFlight: 0, failed: 0 });
      });
    });
  },
  { sqliteWorker: true },
);
