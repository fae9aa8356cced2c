import { expect } from 'chai';
import type { Database } from '@relaypoint/store';
import { describeEachStore } from '@relaypoint/store/testing';
import { WebhookConflictError, type WebhookService } from '../src/index.js';
import { enrolled, makeService, startReceiver, waitFor, type Receiver } from './helpers.js';

/**
 * A manual retry used to answer with the delivery unchanged when an attempt
 * was being made, or when its webhook was deleted: the caller was told
 * "due now" and nothing happened. Both are now refused, and say why.
 */
describeEachStore('a manual retry the delivery cannot take', (target) => {
  let db: Database;
  let svc: WebhookService | undefined;
  let rx: Receiver;
  before(async () => {
    db = await target.open();
    await makeService(db); // migrations
    for (const t of ['webhook_attempts', 'webhook_deliveries', 'webhook_events', 'webhook_subscriptions'])
      await db.execute(`DELETE FROM ${t}`);
  });
  after(async () => db?.close());
  beforeEach(async () => {
    rx = await startReceiver();
  });
  afterEach(async () => {
    await svc?.stop({ graceMs: 1000 });
    svc = undefined;
    await rx.close();
  });

  const conflict = async (p: Promise<unknown>): Promise<string> => {
    try {
      await p;
    } catch (e) {
      expect(e).to.be.instanceOf(WebhookConflictError);
      return String((e as WebhookConflictError).code);
    }
    throw new Error('expected a WebhookConflictError');
  };

  it('is refused with DELIVERY_IN_FLIGHT while an attempt is being made, and taken once the attempt is over', async () => {
    svc = await makeService(db);
    rx.answer = () => ({ status: 200, delayMs: 2000 }); // room for a loaded machine between seeing it in flight and the retry
    const sub = await svc.subscriptions.create('t1', { url: `${rx.url}/slow`, events: ['*'] });
    await svc.publish('t1', { ...enrolled(), id: 'in-flight-1' });
    svc.start();
    const [d] = (await svc.deliveries.list('t1', sub.id))!.items;
    await waitFor(async () => (await svc!.deliveries.get('t1', d.id))?.status === 'in_flight', 5000, 'the attempt in flight');
    expect(await conflict(svc.deliveries.retry('t1', d.id))).to.equal('DELIVERY_IN_FLIGHT');
    await waitFor(async () => (await svc!.deliveries.get('t1', d.id))?.status === 'delivered', 5000, 'delivered');
    // The refused retry changed nothing: one attempt, one request.
    expect((await svc.deliveries.get('t1', d.id))!.attempts).to.have.length(1);
    expect(rx.received).to.have.length(1);
    rx.answer = () => ({ status: 200 });
    expect(await svc.deliveries.retry('t1', d.id)).to.include({ status: 'pending' });
    await waitFor(() => rx.received.length === 2, 5000, 'the retried request');
  });

  it("is refused with SUBSCRIPTION_DELETED for a deleted webhook's delivery, which stays failed", async () => {
    svc = await makeService(db);
    rx.answer = () => ({ status: 500 });
    const sub = await svc.subscriptions.create('t1', { url: `${rx.url}/gone`, events: ['*'] });
    await svc.publish('t1', { ...enrolled(), id: 'deleted-1' });
    const [d] = (await svc.deliveries.list('t1', sub.id))!.items;
    expect(await svc.subscriptions.delete('t1', sub.id)).to.equal(true);
    expect(await conflict(svc.deliveries.retry('t1', d.id))).to.equal('SUBSCRIPTION_DELETED');
    expect(await svc.deliveries.get('t1', d.id)).to.include({ status: 'failed' });
    // Another tenant still gets nothing at all.
    expect(await svc.deliveries.retry('t2', d.id)).to.equal(null);
  });
});
