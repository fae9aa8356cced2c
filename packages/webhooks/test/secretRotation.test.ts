import { expect } from 'chai';
import { Webhook } from 'standardwebhooks';
import type { Database } from '@relaypoint/store';
import { describeEachStore } from '@relaypoint/store/testing';
import { generateSecret, signPayload, webhookMigrations, type WebhookService } from '../src/index.js';
import { newId } from '../src/ids.js';
import { enrolled, makeService, ManualClock, startReceiver, waitFor, type Received, type Receiver } from './helpers.js';

async function clean(db: Database): Promise<void> {
  for (const t of ['webhook_attempts', 'webhook_deliveries', 'webhook_events', 'webhook_subscriptions'])
    await db.execute(`DELETE FROM ${t}`);
}

/** The `v1,…` entries of a request's `webhook-signature`, in order. */
function signatures(r: Received): string[] {
  return String(r.headers['webhook-signature']).split(' ');
}

/** What `secret` signs for this request (compare with {@link signatures}). */
function signedBy(secret: string, r: Received): string {
  return signPayload(secret, String(r.headers['webhook-id']), Number(r.headers['webhook-timestamp']), r.body);
}

/** Whether a receiver holding only `secret` accepts the request (the `standardwebhooks` verifier; needs a real-time timestamp). */
function verifies(secret: string, r: Received): boolean {
  try {
    new Webhook(secret).verify(r.body, r.headers as Record<string, string>);
    return true;
  } catch {
    return false;
  }
}

async function storedPrevious(db: Database, id: string): Promise<{ secret: string; expiresAt: number }[] | null> {
  const [row] = await db.query<{ previous_secrets: string | null }>('SELECT previous_secrets FROM webhook_subscriptions WHERE id = $1', [
    id,
  ]);
  return row.previous_secrets === null ? null : (JSON.parse(row.previous_secrets) as { secret: string; expiresAt: number }[]);
}

describeEachStore('secret rotation', (target) => {
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

  it('rotated twice within the overlap, signs with the new, the second and the first secret; each verifies on its own', async () => {
    svc = await makeService(db); // real clock: the standardwebhooks verifier checks the timestamp against now
    const sub = await svc.subscriptions.create('t1', { url: `${rx.url}/hook`, events: ['*'] });
    const second = await svc.subscriptions.rotateSecret('t1', sub.id);
    const third = await svc.subscriptions.rotateSecret('t1', sub.id);
    await svc.publish('t1', { ...enrolled(), id: 'e1' });
    svc.start();
    await waitFor(() => rx.received.length === 1);
    const r = rx.received[0];
    expect(signatures(r)).to.deep.equal([signedBy(third!.secret, r), signedBy(second!.secret, r), signedBy(sub.secret, r)]);
    for (const secret of [third!.secret, second!.secret, sub.secret])
      expect(verifies(secret, r), 'each secret alone verifies').to.equal(true);
    expect(verifies(generateSecret(), r)).to.equal(false);
  });

  it('keeps every replaced secret when rotations run at once', async () => {
    svc = await makeService(db);
    const sub = await svc.subscriptions.create('t1', { url: `${rx.url}/hook`, events: ['*'] });
    // PostgreSQL: open pool connections first, so the rotations' transactions really overlap (each read sees the same secret unless the row is locked).
    await Promise.all(Array.from({ length: 4 }, () => db.transaction((tx) => tx.query('SELECT 1'))));
    const rotated = await Promise.all(Array.from({ length: 4 }, () => svc!.subscriptions.rotateSecret('t1', sub.id)));
    await svc.publish('t1', { ...enrolled(), id: 'e1' });
    svc.start();
    await waitFor(() => rx.received.length === 1);
    const r = rx.received[0];
    expect(signatures(r)).to.have.length(5);
    for (const secret of [sub.secret, ...rotated.map((x) => x!.secret)]) expect(verifies(secret, r)).to.equal(true);
  });

  it('drops each previous secret at its own expiry, and prunes expired ones on the next rotation', async () => {
    const clock = new ManualClock();
    const t0 = clock.now();
    svc = await makeService(db, { clock });
    const sub = await svc.subscriptions.create('t1', { url: `${rx.url}/hook`, events: ['*'] });
    const second = await svc.subscriptions.rotateSecret('t1', sub.id, { overlapMs: 60_000 }); // the first signs until t0 + 60 s
    expect(second?.previousExpiresAt).to.equal(t0 + 60_000);
    clock.advance(30_000);
    const third = await svc.subscriptions.rotateSecret('t1', sub.id, { overlapMs: 60_000 }); // the second signs until t0 + 90 s
    expect(third?.previousExpiresAt).to.equal(t0 + 90_000);
    svc.start();
    const deliver = async (id: string): Promise<Received> => {
      const n = rx.received.length;
      await svc!.publish('t1', { ...enrolled(), id });
      await waitFor(() => rx.received.length === n + 1, 10_000, id);
      return rx.received[n];
    };

    const both = await deliver('both');
    expect(signatures(both)).to.deep.equal([signedBy(third!.secret, both), signedBy(second!.secret, both), signedBy(sub.secret, both)]);

    clock.advance(30_001); // t0 + 60.001 s: the first has expired, the second has not
    const one = await deliver('one');
    expect(signatures(one)).to.deep.equal([signedBy(third!.secret, one), signedBy(second!.secret, one)]);

    clock.advance(30_000); // t0 + 90.001 s: the second has expired too
    const none = await deliver('none');
    expect(signatures(none)).to.deep.equal([signedBy(third!.secret, none)]);

    expect((await storedPrevious(db, sub.id))!.map((p) => p.secret)).to.deep.equal([second!.secret, sub.secret]);
    await svc.subscriptions.rotateSecret('t1', sub.id, { overlapMs: 60_000 });
    expect(await storedPrevious(db, sub.id)).to.deep.equal([{ secret: third!.secret, expiresAt: clock.now() + 60_000 }]);
  });

  it('keeps the 10 newest previous secrets when rotated more than 10 times within the overlap', async () => {
    svc = await makeService(db);
    const sub = await svc.subscriptions.create('t1', { url: `${rx.url}/hook`, events: ['*'] });
    const secrets = [sub.secret];
    for (let i = 0; i < 12; i++) secrets.push((await svc.subscriptions.rotateSecret('t1', sub.id))!.secret);
    const newestFirst = [...secrets].reverse(); // current, then the 12 rotated out, newest first
    expect((await storedPrevious(db, sub.id))!.map((p) => p.secret)).to.deep.equal(newestFirst.slice(1, 11));
    await svc.publish('t1', { ...enrolled(), id: 'e1' });
    svc.start();
    await waitFor(() => rx.received.length === 1);
    const r = rx.received[0];
    expect(signatures(r)).to.deep.equal(newestFirst.slice(0, 11).map((s) => signedBy(s, r)));
    for (const s of newestFirst.slice(0, 11)) expect(verifies(s, r)).to.equal(true);
    for (const s of newestFirst.slice(11)) expect(verifies(s, r), 'the two oldest were dropped').to.equal(false);
  });

  it('during a rolling deploy: writes the previous secret where the previous version reads it, and signs with one that version rotated out', async () => {
    svc = await makeService(db);
    const sub = await svc.subscriptions.create('t1', { url: `${rx.url}/hook`, events: ['*'] });
    const rotated = await svc.subscriptions.rotateSecret('t1', sub.id);
    // What a process on the previous version reads to sign: the secret this rotation replaced.
    const [legacy] = await db.query<{ previous_secret: string | null; previous_expires_at: number | string | null }>(
      'SELECT previous_secret, previous_expires_at FROM webhook_subscriptions WHERE id = $1',
      [sub.id],
    );
    expect([legacy.previous_secret, Number(legacy.previous_expires_at)]).to.deep.equal([sub.secret, rotated!.previousExpiresAt]);
    // A process on the previous version rotates: it writes only secret and previous_secret.
    const older = generateSecret();
    await db.execute('UPDATE webhook_subscriptions SET secret = $2, previous_secret = $3, previous_expires_at = $4 WHERE id = $1', [
      sub.id,
      older,
      rotated!.secret,
      Date.now() + 3_600_000,
    ]);
    await svc.publish('t1', { ...enrolled(), id: 'e1' });
    svc.start();
    await waitFor(() => rx.received.length === 1);
    const r = rx.received[0];
    // The secret that version replaced, then the list this version keeps (the first secret), each once.
    expect(signatures(r)).to.deep.equal([signedBy(older, r), signedBy(rotated!.secret, r), signedBy(sub.secret, r)]);
    for (const secret of [older, rotated!.secret, sub.secret]) expect(verifies(secret, r)).to.equal(true);
  });

  it('an unknown or deleted subscription rotates nothing', async () => {
    svc = await makeService(db);
    const sub = await svc.subscriptions.create('t1', { url: `${rx.url}/hook`, events: ['*'] });
    expect(await svc.subscriptions.rotateSecret('t2', sub.id)).to.equal(null);
    expect(await svc.subscriptions.rotateSecret('t1', newId('sub', Date.now()))).to.equal(null);
    expect(await storedPrevious(db, sub.id)).to.equal(null);
    await svc.subscriptions.delete('t1', sub.id);
    expect(await svc.subscriptions.rotateSecret('t1', sub.id)).to.equal(null);
    expect(await storedPrevious(db, sub.id)).to.equal(null);
  });
});

describeEachStore('secret rotation: upgrade from one previous secret', (target) => {
  it('moves an unexpired previous secret of the old columns into the list; deliveries carry it until it expires', async () => {
    const db = await target.open();
    const rx = await startReceiver();
    let svc: WebhookService | undefined;
    try {
      // The schema as it was before the list: one previous_secret / previous_expires_at.
      const before = webhookMigrations.filter((m) => m.id <= 3);
      expect(before.map((m) => m.id)).to.deep.equal([1, 2, 3]);
      await db.migrate('webhooks', before);
      const clock = new ManualClock();
      const now = clock.now();
      const insert = (id: string, secret: string, previous: string, previousExpiresAt: number) =>
        db.execute(
          `INSERT INTO webhook_subscriptions (id, tenant_id, url, events, description, active, status, disabled_reason, secret, previous_secret, previous_expires_at, created_at, updated_at)
           VALUES ($1, 't1', $2, '["*"]', NULL, 1, 'active', NULL, $3, $4, $5, $6, $6)`,
          [id, `${rx.url}/${id}`, secret, previous, previousExpiresAt, now],
        );
      const live = { id: newId('sub', now), secret: generateSecret(), previous: generateSecret() };
      const stale = { id: newId('sub', now + 1), secret: generateSecret(), previous: generateSecret() };
      await insert(live.id, live.secret, live.previous, now + 60_000);
      await insert(stale.id, stale.secret, stale.previous, Date.now() - 60_000); // expired before the upgrade

      svc = await makeService(db, { clock }); // applies the rest
      expect(await storedPrevious(db, live.id)).to.deep.equal([{ secret: live.previous, expiresAt: now + 60_000 }]);
      expect(await storedPrevious(db, stale.id)).to.equal(null);

      svc.start();
      await svc.publish('t1', { ...enrolled(), id: 'during' });
      await waitFor(() => rx.received.length === 2);
      const during = rx.received.find((r) => r.path === `/${live.id}`)!;
      expect(signatures(during)).to.deep.equal([signedBy(live.secret, during), signedBy(live.previous, during)]);
      const staleReq = rx.received.find((r) => r.path === `/${stale.id}`)!;
      expect(signatures(staleReq)).to.deep.equal([signedBy(stale.secret, staleReq)]);

      // Rotating again keeps it, next to the secret just replaced.
      clock.advance(10_000);
      const rot = await svc.subscriptions.rotateSecret('t1', live.id, { overlapMs: 60_000 });
      await svc.publish('t1', { ...enrolled(), id: 'rotated' });
      await waitFor(() => rx.received.length === 4);
      const rotated = rx.received.slice(2).find((r) => r.path === `/${live.id}`)!;
      expect(signatures(rotated)).to.deep.equal([
        signedBy(rot!.secret, rotated),
        signedBy(live.secret, rotated),
        signedBy(live.previous, rotated),
      ]);

      clock.advance(50_001); // past the migrated secret's expiry, not the one rotated out since
      await svc.publish('t1', { ...enrolled(), id: 'after' });
      await waitFor(() => rx.received.length === 6);
      const after = rx.received.slice(4).find((r) => r.path === `/${live.id}`)!;
      expect(signatures(after)).to.deep.equal([signedBy(rot!.secret, after), signedBy(live.secret, after)]);
    } finally {
      await svc?.stop({ graceMs: 1000 });
      await rx.close();
      await db.close();
    }
  });
});
