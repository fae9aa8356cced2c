import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { Database, StoreConfig } from '@relaypoint/store';
import { describeEachStore } from '@relaypoint/store/testing';
import { enrolled, makeService, startReceiver, waitFor, type Receiver } from './helpers.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/dispatcher.js', import.meta.url));
const CHILD_OPTIONS = {
  ssrf: { allow: ['127.0.0.0/8'] },
  pollIntervalMs: 20,
  requestTimeoutMs: 1000,
  leaseMs: 1500,
  concurrency: 32,
  perSubscriptionConcurrency: 8,
};

function startDispatcher(store: StoreConfig): { child: ChildProcess; ready: Promise<void>; output: Promise<string> } {
  const child = spawn(process.execPath, [FIXTURE], {
    env: { ...process.env, WH_STORE: JSON.stringify(store), WH_OPTIONS: JSON.stringify(CHILD_OPTIONS) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('ready')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`dispatcher exited early (${code})`)));
  });
  const output = new Promise<string>((resolve) => child.on('exit', () => resolve(out)));
  return { child, ready, output };
}

/** 10 subscriptions × `events` events, enqueued in a few transactions. */
async function seed(db: Database, url: string, events: number): Promise<void> {
  const svc = await makeService(db);
  for (let i = 0; i < 10; i++) await svc.subscriptions.create('t1', { url: `${url}/s${i}`, events: ['*'] });
  for (let i = 0; i < events; i += 100) {
    await db.transaction(async (tx) => {
      for (let j = i; j < Math.min(events, i + 100); j++) await svc.publishWith(tx, 't1', { ...enrolled(`c${j}`), id: `e${j}` });
    });
  }
}

function counter(rx: Receiver): Map<string, number> {
  const seen = new Map<string, number>();
  rx.answer = (r) => {
    const id = String(r.headers['webhook-id']);
    seen.set(id, (seen.get(id) ?? 0) + 1);
    return { status: 200 };
  };
  return seen;
}

async function deliveredCount(db: Database): Promise<number> {
  return Number((await db.query<{ n: number }>("SELECT COUNT(*) AS n FROM webhook_deliveries WHERE status = 'delivered'"))[0].n);
}

describeEachStore(
  'dispatcher processes',
  (target) => {
    let db: Database;
    let rx: Receiver;
    const children: ChildProcess[] = [];
    beforeEach(async () => {
      db = await target.open();
      rx = await startReceiver();
      await makeService(db);
      for (const t of ['webhook_attempts', 'webhook_deliveries', 'webhook_events', 'webhook_subscriptions'])
        await db.execute(`DELETE FROM ${t}`);
    });
    afterEach(async () => {
      for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      await rx.close();
      await db.close();
    });

    it('loses nothing when killed with SIGKILL mid-run: every delivery arrives, duplicates are at most the in-flight claims and keep their webhook-id', async function () {
      this.timeout(120_000);
      const seen = counter(rx);
      await seed(db, rx.url, 1000);
      const ids = new Set((await db.query<{ id: string }>('SELECT id FROM webhook_deliveries')).map((r) => r.id));
      expect(ids.size).to.equal(10_000);

      const first = startDispatcher(target.config());
      children.push(first.child);
      await first.ready;
      await waitFor(() => rx.received.length >= 3000, 60_000, '3000 deliveries before the kill');
      first.child.kill('SIGKILL');
      await first.output;
      const inFlightAtKill = Number(
        (await db.query<{ n: number }>("SELECT COUNT(*) AS n FROM webhook_deliveries WHERE status = 'in_flight'"))[0].n,
      );
      const receivedAtKill = rx.received.length;
      expect(receivedAtKill).to.be.lessThan(10_000);
      expect(inFlightAtKill).to.be.greaterThan(0);

      const second = startDispatcher(target.config());
      children.push(second.child);
      await second.ready;
      await waitFor(async () => (await deliveredCount(db)) === 10_000, 90_000, 'all 10,000 delivered after restart');
      second.child.kill('SIGTERM');
      await second.output;

      expect(new Set(seen.keys())).to.deep.equal(ids);
      const duplicates = rx.received.length - ids.size;
      expect(duplicates).to.be.at.most(inFlightAtKill);
      for (const [, n] of seen) expect(n).to.be.at.most(2);
    });

    if (target.dialect === 'postgres') {
      it('two dispatcher processes on one PostgreSQL drain 10,000 deliveries with none sent twice', async function () {
        this.timeout(120_000);
        const seen = counter(rx);
        await seed(db, rx.url, 1000);
        const a = startDispatcher(target.config());
        const b = startDispatcher(target.config());
        children.push(a.child, b.child);
        await Promise.all([a.ready, b.ready]);
        await waitFor(async () => (await deliveredCount(db)) === 10_000, 90_000, 'all 10,000 delivered');
        a.child.kill('SIGTERM');
        b.child.kill('SIGTERM');
        const outs = (await Promise.all([a.output, b.output])).map((o) => JSON.parse(o.trim().split('\n').pop()!) as { delivered: number });
        expect(rx.received.length).to.equal(10_000);
        expect(seen.size).to.equal(10_000);
        expect(outs[0].delivered + outs[1].delivered).to.equal(10_000);
        // Both processes did real work.
        expect(Math.min(outs[0].delivered, outs[1].delivered)).to.be.greaterThan(500);
      });
    }
  },
  { sqliteWorker: true },
);
