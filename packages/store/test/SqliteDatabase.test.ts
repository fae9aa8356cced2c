import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqliteDatabase, SqliteWorkerDatabase, type Database, type SqliteOptions } from '../src/index.js';

const CREATE = 'CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)';

/** WAL syncs the test releases by hand, counting calls. */
const gates: { openForever(): void }[] = [];
function gatedSync() {
  const pending: (() => void)[] = [];
  let holding = true;
  const gate = {
    calls: 0,
    syncWal: async (wal: FileHandle) => {
      gate.calls++;
      if (holding) await new Promise<void>((r) => pending.push(r));
      await wal.datasync();
    },
    releaseAll() {
      for (const r of pending.splice(0)) r();
    },
    /** Lets every later sync through (cleanup after a failed assertion). */
    openForever() {
      holding = false;
      gate.releaseAll();
    },
    waiting: () => pending.length,
  };
  gates.push(gate);
  return gate;
}

const tick = () => new Promise((r) => setImmediate(r));

/** Waits (up to 5 s: the first sync also waits for the thread pool to open the WAL) until the gate holds a sync; fails the test otherwise. */
async function untilSyncStarted(gate: { waiting(): number }): Promise<void> {
  const end = Date.now() + 5000;
  while (gate.waiting() === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 1));
  expect(gate.waiting(), 'a WAL sync was started').to.be.greaterThan(0);
}

describe('SqliteDatabase durability off the event loop', () => {
  let dir: string;
  const opened: SqliteDatabase[] = [];
  const open = (name: string, options: SqliteOptions = {}) => {
    const db = SqliteDatabase.open(join(dir, name), options);
    opened.push(db);
    return db;
  };
  /** A store whose WAL syncs the test releases by hand, with table t created (its sync let through). */
  const openWithTable = async (name: string) => {
    const gate = gatedSync();
    const db = open(name, { syncWal: gate.syncWal });
    const ddl = db.execute(CREATE);
    await untilSyncStarted(gate);
    gate.releaseAll();
    await ddl;
    return { gate, db };
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rp-sqlite-'));
  });
  afterEach(async () => {
    for (const g of gates.splice(0)) g.openForever();
    await Promise.all(opened.splice(0).map((d) => d.close().catch(() => {})));
    rmSync(dir, { recursive: true, force: true });
  });

  it('resolves a commit only after its WAL sync, while the event loop and the next transaction keep running', async () => {
    const { gate, db } = await openWithTable('a.db');

    let firstDone = false;
    const first = db
      .transaction(async (tx) => tx.execute('INSERT INTO t (id, v) VALUES ($1, $2)', [1, 'a']))
      .then(() => (firstDone = true));
    await untilSyncStarted(gate);
    // The sync is pending: the loop turns, and a second transaction takes the lock and commits meanwhile.
    let secondCommitted = false;
    const second = db.transaction(async (tx) => {
      await tx.execute('INSERT INTO t (id, v) VALUES ($1, $2)', [2, 'b']);
      secondCommitted = true;
    });
    const end = Date.now() + 5000;
    while (!secondCommitted && Date.now() < end) await new Promise((r) => setTimeout(r, 1));
    expect(secondCommitted, 'second transaction ran while the first waited for its sync').to.equal(true);
    expect(firstDone, 'first commit resolved before its sync').to.equal(false);
    gate.releaseAll();
    await first;
    await untilSyncStarted(gate);
    gate.releaseAll();
    await second;
    expect((await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM t'))[0].n).to.equal(2);
  });

  it('covers many concurrent commits with few syncs (group commit)', async () => {
    let syncs = 0;
    const db = open('b.db', {
      syncWal: async (wal) => {
        syncs++;
        await new Promise((r) => setTimeout(r, 5));
        await wal.datasync();
      },
    });
    await db.execute(CREATE);
    syncs = 0;
    await Promise.all(Array.from({ length: 200 }, (_, i) => db.execute('INSERT INTO t (id, v) VALUES ($1, $2)', [i, 'x'])));
    expect(syncs).to.be.greaterThan(0);
    expect(syncs).to.be.lessThan(20);
    expect((await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM t'))[0].n).to.equal(200);
  });

  it('holds back a read that could see a commit not yet durable', async () => {
    const { gate, db } = await openWithTable('c.db');
    const write = db.execute('INSERT INTO t (id, v) VALUES ($1, $2)', [1, 'a']);
    await untilSyncStarted(gate);
    let readDone = false;
    const read = db.query<{ v: string }>('SELECT v FROM t WHERE id = 1').then((rows) => {
      readDone = true;
      return rows;
    });
    for (let i = 0; i < 10; i++) await tick();
    expect(readDone).to.equal(false);
    gate.releaseAll();
    await write;
    expect(await read).to.deep.equal([{ v: 'a' }]);
  });

  it('refuses every call after a failed WAL sync instead of reporting a commit durable', async () => {
    let fail = false;
    const db = open('d.db', {
      syncWal: async (wal) => {
        if (fail) throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
        await wal.datasync();
      },
    });
    await db.execute(CREATE);
    fail = true;
    await db.execute('INSERT INTO t (id, v) VALUES (1, $1)', ['a']).then(
      () => expect.fail('should reject'),
      (e: Error) => expect(e.message).to.match(/WAL sync failed.*EIO/),
    );
    fail = false;
    await db.query('SELECT 1').then(
      () => expect.fail('should reject'),
      (e: Error) => expect(e.message).to.match(/WAL sync failed/),
    );
    await db
      .transaction(async () => undefined)
      .then(
        () => expect.fail('should reject'),
        (e: Error) => expect(e.message).to.match(/WAL sync failed/),
      );
  });

  for (const thread of ['main', 'worker'] as const) {
    it(`refuses the statements of a transaction SQLite rolled back by itself (disk full), so none of them commits alone (thread: ${thread})`, async () => {
      const db: Database = thread === 'main' ? open('full.db') : await SqliteWorkerDatabase.open(join(dir, 'full-worker.db'));
      if (thread === 'worker') opened.push(db as unknown as SqliteDatabase);
      await db.execute(CREATE);
      const [{ page_count: pages }] = await db.query<{ page_count: number }>('PRAGMA page_count');
      await db.query(`PRAGMA max_page_count = ${pages + 2}`);
      let caught: unknown;
      let after: unknown;
      const outcome = db.transaction(async (tx) => {
        await tx.execute('INSERT INTO t (v) VALUES ($1)', ['before']);
        try {
          await tx.execute('INSERT INTO t (v) VALUES ($1)', ['x'.repeat(100_000)]); // SQLITE_FULL: SQLite rolls the whole transaction back
        } catch (e) {
          caught = e; // a caller that carries on, as a savepoint-per-unit batch does
        }
        try {
          await tx.execute('INSERT INTO t (v) VALUES ($1)', ['after']); // would commit alone, outside any transaction
        } catch (e) {
          after = e;
        }
      });
      const error = await outcome.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((caught as { code?: string }).code).to.equal('SQLITE_FULL');
      expect((after as { code?: string }).code).to.equal('SQLITE_TRANSACTION_ROLLED_BACK');
      expect(error, 'the transaction must fail, not commit nothing and succeed').to.be.instanceOf(Error);
      expect((error as Error).message).to.match(/rolled back by SQLite after/);
      expect(await db.query('SELECT v FROM t')).to.deep.equal([]);
    });
  }

  it('closes an in-memory store after writes (there is no WAL file to sync)', async () => {
    const db = SqliteDatabase.open(':memory:');
    await db.execute(CREATE);
    await db.transaction(async (tx) => tx.execute('INSERT INTO t (v) VALUES ($1)', ['x']));
    expect(await db.query('SELECT v FROM t')).to.deep.equal([{ v: 'x' }]);
    await db.close();
  });

  it('reports each WAL sync: how long the disk took and how many commits it made durable', async () => {
    const gate = gatedSync();
    const syncs: { seconds: number; commits: number }[] = [];
    const db = open('s.db', { syncWal: gate.syncWal, onSync: (r) => syncs.push(r) });
    const ddl = db.execute(CREATE);
    await untilSyncStarted(gate);
    gate.releaseAll();
    await ddl;
    expect(syncs.map((r) => r.commits)).to.deep.equal([1]);
    // Three commits written while the next sync is held: one sync makes them durable, and its time includes the wait.
    const first = db.execute('INSERT INTO t (id, v) VALUES (1, $1)', ['a']);
    await untilSyncStarted(gate);
    const held = Date.now();
    const rest = [2, 3, 4].map((id) => db.transaction(async (tx) => tx.execute('INSERT INTO t (id, v) VALUES ($1, $2)', [id, 'b'])));
    await new Promise((r) => setTimeout(r, 30));
    gate.releaseAll();
    await first;
    await untilSyncStarted(gate);
    gate.releaseAll();
    await Promise.all(rest);
    expect(syncs.map((r) => r.commits)).to.deep.equal([1, 1, 3]);
    expect(syncs[1].seconds)
      .to.be.at.least(0.025)
      .and.below((Date.now() - held) / 1000 + 0.01);
  });

  it('commits even when the sync and checkpoint observers throw', async () => {
    let checkpoints = 0;
    const db = open('h.db', {
      checkpointDelayMs: 5,
      onSync: () => {
        throw new Error('metrics bug');
      },
      onCheckpoint: () => {
        checkpoints++;
        throw new Error('metrics bug');
      },
    });
    await db.execute(CREATE);
    await db.transaction(async (tx) => tx.execute('INSERT INTO t (id, v) VALUES (1, $1)', ['a']));
    expect(await db.query('SELECT v FROM t')).to.deep.equal([{ v: 'a' }]);
    const end = Date.now() + 5000;
    while (checkpoints === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    expect(checkpoints).to.be.above(0);
    await db.execute('INSERT INTO t (id, v) VALUES (2, $1)', ['b']);
  });

  it('does not wait for a sync with synchronous NORMAL', async () => {
    let syncs = 0;
    const db = open('e.db', { synchronous: 'NORMAL', syncWal: async () => void syncs++ });
    await db.execute(CREATE);
    await db.transaction(async (tx) => tx.execute('INSERT INTO t (id, v) VALUES (1, $1)', ['a']));
    expect(syncs).to.equal(0);
  });

  it('checkpoints the WAL into the database file from its worker thread', async () => {
    const results: { log: number; checkpointed: number; seconds: number }[] = [];
    const db = open('f.db', { checkpointDelayMs: 10, onCheckpoint: (r) => results.push(r) });
    await db.execute(CREATE);
    for (let i = 0; i < 50; i++) await db.execute('INSERT INTO t (id, v) VALUES ($1, $2)', [i, 'x'.repeat(500)]);
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && !results.some((r) => r.log > 0 && r.checkpointed === r.log))
      await new Promise((r) => setTimeout(r, 20));
    const full = results.find((r) => r.log > 0 && r.checkpointed === r.log);
    expect(full, `checkpoints seen: ${JSON.stringify(results)}`).to.not.equal(undefined);
    // Its duration travels with it (for the host's metrics): two fsyncs and the page copies take some time.
    expect(full?.seconds).to.be.a('number').above(0).and.below(5);
  });

  it('keeps the WAL small under writes that never pause (RESTART checkpoints)', async function () {
    // Passive checkpoints copy every frame, but SQLite starts the WAL over only when a write transaction begins while
    // all is copied and no reader uses the WAL, which back-to-back commits never allow: without RESTART the file
    // grows for as long as the writes go on (here to the whole 12 MB written).
    this.timeout(30_000);
    const results: { restarted: boolean }[] = [];
    const db = open('g.db', { checkpointDelayMs: 5, walRestartFrames: 200, onCheckpoint: (r) => results.push(r) });
    await db.execute(CREATE);
    // About 12 MB of WAL frames: each commit writes the row's two overflow pages and the table's page (4 KB each).
    const v = 'x'.repeat(8000);
    for (let i = 0; i < 1000; i++) await db.transaction(async (tx) => tx.execute('INSERT INTO t (id, v) VALUES ($1, $2)', [i, v]));
    const walMb = statSync(join(dir, 'g.db-wal')).size / 1e6;
    expect(results.filter((r) => r.restarted).length, `checkpoints: ${JSON.stringify(results.slice(0, 20))}`).to.be.above(0);
    expect(walMb, 'WAL file size, MB').to.be.below(4);
  });

  it('keeps every acknowledged commit when the process is killed with SIGKILL', async function () {
    this.timeout(30_000);
    const path = join(dir, 'kill.db');
    const child = spawn(process.execPath, [fileURLToPath(new URL('./fixtures/writeUntilKilled.js', import.meta.url)), path], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let acked = 0;
    let buf = '';
    await new Promise<void>((resolveKilled, reject) => {
      child.on('error', reject);
      child.stdout.on('data', (chunk: Buffer) => {
        buf += chunk.toString();
        const lines = buf.split('\n');
        buf = lines.pop() ?? '';
        for (const line of lines) if (line) acked = Math.max(acked, Number(line));
        if (acked >= 300 && child.exitCode === null && !child.killed) child.kill('SIGKILL');
      });
      child.on('exit', () => resolveKilled());
    });
    expect(acked).to.be.at.least(300);
    const db = open('kill.db');
    const [row] = await db.query<{ n: number; hi: number }>('SELECT COUNT(*) AS n, MAX(id) AS hi FROM t');
    expect(row.hi, 'highest acknowledged id').to.be.at.least(acked);
    expect(row.n).to.equal(row.hi);
  });

  it('finishes close() in a process that has nothing else to wait for (the checkpoint worker is released)', async function () {
    this.timeout(20_000);
    // stdout not piped: an open pipe would keep the process alive and hide the bug.
    const child = spawn(process.execPath, [fileURLToPath(new URL('./fixtures/closeWhenIdle.js', import.meta.url)), join(dir, 'idle.db')], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code, 'exit code (13: close() never resolved)').to.equal(0);
  });
});
