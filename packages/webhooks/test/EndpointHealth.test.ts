import { expect } from 'chai';
import type { Database } from '@relaypoint/store';
import { describeEachStore } from '@relaypoint/store/testing';
import type { DispatchResult } from '../src/dispatch/DispatchResult.js';
import { EndpointHealth } from '../src/dispatch/EndpointHealth.js';
import type { WebhookService } from '../src/index.js';
import { enrolled, makeService, ManualClock } from './helpers.js';

const SETTINGS = { pauseAfterMs: 3000, minFailures: 3, drainRatePerSecond: 2 };

/** A result of one attempt at `at`: delivered, failed with a 500, or a 410. */
function attempt(subscriptionId: string, at: number, answer: 'ok' | 500 | 410): DispatchResult {
  const delivered = answer === 'ok';
  return {
    id: `msg_${at}`,
    subscriptionId,
    status: delivered ? 'delivered' : 'pending',
    held: answer === 410 ? 1 : 0,
    attempted: 1,
    nextAttemptAt: at,
    lastStatus: delivered ? 200 : answer,
    lastError: delivered ? null : `http_status: ${answer}`,
    deliveredAt: delivered ? at : null,
    attempt: {
      at,
      latencyMs: 1,
      responseBody: '',
      ...(delivered ? { statusCode: 200 } : { statusCode: answer, errorKind: 'http_status' as const }),
    },
    ...(answer === 410 ? { gone: true } : {}),
  };
}

describeEachStore('EndpointHealth', (target) => {
  let db: Database;
  let clock: ManualClock;
  let service: WebhookService;
  let health: EndpointHealth;
  let subscriptionId: string;
  before(async () => {
    db = await target.open();
  });
  after(async () => db?.close());
  beforeEach(async () => {
    clock = new ManualClock();
    service = await makeService(db, { clock });
    for (const table of ['webhook_attempts', 'webhook_deliveries', 'webhook_events', 'webhook_subscriptions'])
      await db.execute(`DELETE FROM ${table}`);
    subscriptionId = (await service.subscriptions.create('t1', { url: 'http://127.0.0.1:9/hook', events: ['*'] })).id;
    health = new EndpointHealth(db, clock, SETTINGS, undefined);
  });

  const record = (batch: DispatchResult[]) => db.transaction((tx) => health.record(tx, batch));
  const status = async () => (await service.subscriptions.get('t1', subscriptionId))!.status;
  const heldCount = async () =>
    Number((await db.query<{ n: number }>("SELECT COUNT(*) AS n FROM webhook_deliveries WHERE status = 'pending' AND held = 1"))[0].n);

  it('pauses only when failures have lasted pauseAfterMs and number at least minFailures, holding the queued deliveries', async () => {
    await service.publish('t1', enrolled());
    const start = clock.now();
    expect(await record([attempt(subscriptionId, start, 500), attempt(subscriptionId, start + 1, 500)])).to.deep.equal([]);
    clock.advance(3000);
    // Long enough, but only two failures.
    expect(await record([])).to.deep.equal([]);
    expect(await status()).to.equal('active');
    expect(await record([attempt(subscriptionId, clock.now(), 500)])).to.deep.equal([{ id: subscriptionId, status: 'paused' }]);
    expect(await status()).to.equal('paused');
    expect(await heldCount()).to.equal(1);
  });

  it('starts the failure run again after a success, so failures before it do not count', async () => {
    const start = clock.now();
    await record([attempt(subscriptionId, start, 500), attempt(subscriptionId, start + 1, 500), attempt(subscriptionId, start + 2, 500)]);
    await record([attempt(subscriptionId, start + 10, 'ok'), attempt(subscriptionId, start + 11, 500)]);
    clock.advance(3000);
    // Three failures in all, but the run since the success is two long and began at start + 11.
    expect(await record([attempt(subscriptionId, clock.now(), 500)])).to.deep.equal([]);
    expect(await status()).to.equal('active');
  });

  it('disables on 410 Gone at once and holds the queued deliveries; a second 410 stops nothing more', async () => {
    await service.publish('t1', enrolled());
    expect(await record([attempt(subscriptionId, clock.now(), 410)])).to.deep.equal([{ id: subscriptionId, status: 'disabled' }]);
    expect(await service.subscriptions.get('t1', subscriptionId)).to.include({
      status: 'disabled',
      active: false,
      disabledReason: 'endpoint answered 410 Gone',
    });
    expect(await heldCount()).to.equal(1);
    expect(await record([attempt(subscriptionId, clock.now(), 410)])).to.deep.equal([]);
  });

  it('drains a re-enabled backlog at drainRatePerSecond, once per second across callers, then stops draining', async () => {
    // Paused (as endpoint health leaves it): new events queue for it, held.
    await db.execute("UPDATE webhook_subscriptions SET status = 'paused' WHERE id = $1", [subscriptionId]);
    for (let i = 0; i < 5; i++) await service.publish('t1', enrolled(`c${i}`));
    expect(await heldCount()).to.equal(5);
    await service.subscriptions.update('t1', subscriptionId, { active: true });
    const other = new EndpointHealth(db, clock, SETTINGS, undefined);
    expect(await health.drainTick()).to.equal(true);
    // Another process in the same second wins nothing.
    expect(await other.drainTick()).to.equal(false);
    expect(await heldCount()).to.equal(3);
    clock.advance(1000);
    expect(await other.drainTick()).to.equal(true);
    expect(await heldCount()).to.equal(1);
    clock.advance(1000);
    expect(await health.drainTick()).to.equal(true);
    expect(await heldCount()).to.equal(0);
    const [{ draining }] = await db.query<{ draining: number }>('SELECT draining FROM webhook_subscriptions WHERE id = $1', [
      subscriptionId,
    ]);
    expect(Number(draining)).to.equal(0);
  });
});
