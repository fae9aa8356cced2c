import { expect } from 'chai';
import { Webhook } from 'standardwebhooks';
import type { Database } from '@relaypoint/store';
import { describeEachStore } from '@relaypoint/store/testing';
import { EventValidationError, WebhookConflictError, WebhookInputError, type WebhookService } from '../src/index.js';
import { makeService, startReceiver, waitFor, type Receiver } from './helpers.js';

async function clean(db: Database): Promise<void> {
  for (const t of ['webhook_attempts', 'webhook_deliveries', 'webhook_events', 'webhook_subscriptions'])
    await db.execute(`DELETE FROM ${t}`);
}

async function count(db: Database, table: string): Promise<number> {
  return Number((await db.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);
}

async function refusal(promise: Promise<unknown>): Promise<{ code?: string }> {
  try {
    await promise;
  } catch (e) {
    return e as { code?: string };
  }
  throw new Error('expected a refusal');
}

describeEachStore('sendTestEvent', (target) => {
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

  it('sends one signed webhook.test to that subscription alone, whatever its event filter, logged with its attempt', async () => {
    svc = await makeService(db);
    const target = await svc.subscriptions.create('t1', { url: `${rx.url}/target`, events: ['reward.issued'] });
    await svc.subscriptions.create('t1', { url: `${rx.url}/other-all`, events: ['*'] });
    await svc.subscriptions.create('t2', { url: `${rx.url}/other-tenant`, events: ['*'] });
    const sent = await svc.sendTestEvent('t1', target.id);
    expect(sent).to.include({ subscriptionId: target.id });
    expect(sent!.deliveryId).to.match(/^msg_/);
    expect(sent!.eventId).to.match(/^evt_/);
    svc.start();
    await waitFor(
      async () => (await svc!.deliveries.get('t1', sent!.deliveryId))?.status === 'delivered',
      10_000,
      'test delivery recorded',
    );
    expect(rx.received.map((r) => r.path)).to.deep.equal(['/target']);
    const [request] = rx.received;
    const payload = new Webhook(target.secret).verify(request.body, request.headers as Record<string, string>) as {
      type: string;
      data: unknown;
    };
    expect(payload.type).to.equal('webhook.test');
    expect(payload.data).to.deep.include({ subscriptionId: target.id });
    expect(request.headers['webhook-id']).to.equal(sent!.deliveryId);
    const delivery = await svc.deliveries.get('t1', sent!.deliveryId);
    expect(delivery).to.include({ eventType: 'webhook.test', eventId: sent!.eventId, subscriptionId: target.id });
    expect(delivery!.attempts).to.have.length(1);
    expect(delivery!.attempts[0].statusCode).to.equal(200);
    const listed = await svc.deliveries.list('t1', target.id);
    expect(listed!.items.map((d) => d.id)).to.deep.equal([sent!.deliveryId]);
  });

  it('refuses a deleted subscription (SUBSCRIPTION_DELETED) and a paused or disabled one (SUBSCRIPTION_INACTIVE), storing nothing', async () => {
    svc = await makeService(db);
    const deleted = await svc.subscriptions.create('t1', { url: `${rx.url}/deleted`, events: ['*'] });
    await svc.subscriptions.delete('t1', deleted.id);
    const disabled = await svc.subscriptions.create('t1', { url: `${rx.url}/disabled`, events: ['*'], active: false });
    const paused = await svc.subscriptions.create('t1', { url: `${rx.url}/paused`, events: ['*'] });
    await db.execute("UPDATE webhook_subscriptions SET status = 'paused', disabled_reason = 'failing' WHERE id = $1", [paused.id]);
    const events = await count(db, 'webhook_events');
    const deletedError = await refusal(svc.sendTestEvent('t1', deleted.id));
    expect(deletedError).to.be.instanceOf(WebhookConflictError);
    expect(deletedError.code).to.equal('SUBSCRIPTION_DELETED');
    for (const id of [disabled.id, paused.id]) {
      const error = await refusal(svc.sendTestEvent('t1', id));
      expect(error).to.be.instanceOf(WebhookConflictError);
      expect(error.code).to.equal('SUBSCRIPTION_INACTIVE');
    }
    expect(await count(db, 'webhook_events')).to.equal(events);
    expect(await count(db, 'webhook_deliveries')).to.equal(0);
  });

  it("answers null for an unknown or another tenant's subscription", async () => {
    svc = await makeService(db);
    const theirs = await svc.subscriptions.create('t2', { url: `${rx.url}/theirs`, events: ['*'] });
    expect(await svc.sendTestEvent('t1', theirs.id)).to.equal(null);
    expect(await svc.sendTestEvent('t1', 'sub_nope')).to.equal(null);
    expect(await count(db, 'webhook_deliveries')).to.equal(0);
  });

  it('keeps webhook.test out of subscriptions and publishing', async () => {
    svc = await makeService(db);
    const subscribe = await refusal(svc.subscriptions.create('t1', { url: `${rx.url}/x`, events: ['webhook.test'] }));
    expect(subscribe).to.be.instanceOf(WebhookInputError);
    const publish = await refusal(svc.publish('t1', { type: 'webhook.test', data: { subscriptionId: 'sub_x', message: 'hi' } }));
    expect(publish).to.be.instanceOf(EventValidationError);
  });
});
