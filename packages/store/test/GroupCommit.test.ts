import { expect } from 'chai';
import { describeEachStore } from '../src/testing/index.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteDatabase } from '../src/SqliteDatabase.js';
import { GroupCommit } from '../src/GroupCommit.js';
import type { Database, SqlExecutor } from '../src/Database.js';

describeEachStore('GroupCommit', (target) =>
  describe('units of work', () => {
    let db: Database;
    before(async () => {
      db = await target.open();
      await db.execute('CREATE TABLE gc_t (id TEXT PRIMARY KEY, n INTEGER NOT NULL)');
    });
    after(async () => db?.close());

    it('commits concurrent units together, and a unit that throws is rolled back alone', async () => {
      const group = new GroupCommit(db);
      const results = await Promise.allSettled([
        group.run(async (tx) => (await tx.execute('INSERT INTO gc_t (id, n) VALUES ($1, $2)', ['a', 1])).rowCount),
        group.run(async (tx) => {
          // Two writes, then a failure: neither write may survive.
          await tx.execute('INSERT INTO gc_t (id, n) VALUES ($1, $2)', ['b', 2]);
          await tx.execute('UPDATE gc_t SET n = 100 WHERE id = $1', ['a']);
          throw new Error('unit failed');
        }),
        group.run(async (tx) => (await tx.execute('INSERT INTO gc_t (id, n) VALUES ($1, $2)', ['c', 3])).rowCount),
        group.run(async (tx) => tx.execute('INSERT INTO gc_t (id, n) VALUES ($1, $2)', ['a', 9])), // duplicate key
      ]);
      expect(results.map((r) => r.status)).to.deep.equal(['fulfilled', 'rejected', 'fulfilled', 'rejected']);
      expect((results[1] as PromiseRejectedResult).reason.message).to.equal('unit failed');
      const rows = await db.query<{ id: string; n: number | string }>('SELECT id, n FROM gc_t ORDER BY id');
      expect(rows.map((r) => [r.id, Number(r.n)])).to.deep.equal([
        ['a', 1],
        ['c', 3],
      ]);
    });

    it('runs one-statement units without savepoints: a failing statement is undone alone, the batch commits', async () => {
      const group = new GroupCommit(db);
      await db.execute('INSERT INTO gc_t (id, n) VALUES ($1, $2)', ['s0', 0]);
      const results = await Promise.allSettled([
        group.query('INSERT INTO gc_t (id, n) VALUES ($1, $2) RETURNING id', ['s1', 1]),
        group.query('INSERT INTO gc_t (id, n) VALUES ($1, $2), ($3, $4)', ['s2', 2, 's0', 9]), // second row collides: the whole statement is undone
        group.run(async (tx) => tx.execute('INSERT INTO gc_t (id, n) VALUES ($1, $2)', ['s3', 3])),
      ]);
      expect(results.map((r) => r.status)).to.deep.equal(['fulfilled', 'rejected', 'fulfilled']);
      expect((results[0] as PromiseFulfilledResult<unknown>).value).to.deep.equal([{ id: 's1' }]);
      const rows = await db.query<{ id: string; n: number | string }>("SELECT id, n FROM gc_t WHERE id LIKE 's%' ORDER BY id");
      expect(rows.map((r) => [r.id, Number(r.n)])).to.deep.equal([
        ['s0', 0],
        ['s1', 1],
        ['s3', 3],
      ]);
    });

    it('rolls back a lone unit that throws after writing', async () => {
      const group = new GroupCommit(db);
      let error: unknown;
      await group
        .run(async (tx) => {
          await tx.execute('INSERT INTO gc_t (id, n) VALUES ($1, $2)', ['lone', 1]);
          throw new Error('lone failed');
        })
        .catch((e: unknown) => (error = e));
      expect((error as Error).message).to.equal('lone failed');
      expect(await db.query('SELECT id FROM gc_t WHERE id = $1', ['lone'])).to.deep.equal([]);
    });

    it('resolves a unit only once its work is committed and visible to other connections', async () => {
      const group = new GroupCommit(db);
      const other = await target.open();
      try {
        await group.run((tx) => tx.execute('INSERT INTO gc_t (id, n) VALUES ($1, $2)', ['d', 4]));
        const seen = await other.query<{ n: number | string }>('SELECT n FROM gc_t WHERE id = $1', ['d']);
        expect(seen.map((r) => Number(r.n))).to.deep.equal([4]);
      } finally {
        await other.close();
      }
    });
  }),
);

describe('GroupCommit on SQLite, with the WAL sync', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rp-gc-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A store whose WAL syncs are held until released, and a helper that waits for a condition (bounded by time). */
  function heldStore() {
    const held: (() => void)[] = [];
    let holding = true;
    let transactions = 0;
    const db = SqliteDatabase.open(join(dir, 'gc.db'), {
      syncWal: async (wal) => {
        if (holding) await new Promise<void>((r) => held.push(r));
        await wal.datasync();
      },
    });
    const counting = new Proxy(db, {
      get(target, prop, receiver) {
        if (prop === 'transaction') {
          return (fn: (tx: SqlExecutor) => Promise<unknown>) =>
            target.transaction(async (tx) => {
              transactions++;
              return fn(tx);
            });
        }
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const releaseAll = () => held.splice(0).forEach((r) => r());
    // Bounded by time, not by loop turns: a sync may first wait for the thread pool to open the WAL file.
    const until = async (cond: () => boolean, what: string) => {
      const end = Date.now() + 5000;
      while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 1));
      expect(cond(), what).to.equal(true);
    };
    return {
      db,
      counting: counting as Database,
      held,
      releaseAll,
      until,
      transactions: () => transactions,
      async close() {
        // Never leave close() waiting on a held sync, even after a failed assertion.
        holding = false;
        releaseAll();
        await db.close();
      },
      async setUp() {
        const ddl = db.execute('CREATE TABLE p (id TEXT PRIMARY KEY)');
        await until(() => held.length > 0, 'the DDL sync started');
        releaseAll();
        await ddl;
      },
    };
  }

  it('holds work that arrives during a sync, then commits it in one transaction that settles after its own sync', async () => {
    const s = heldStore();
    try {
      await s.setUp();
      const group = new GroupCommit(s.counting);
      let aDone = false;
      const a = group.run((tx) => tx.execute('INSERT INTO p (id) VALUES ($1)', ['a'])).then(() => (aDone = true));
      await s.until(() => s.held.length > 0, "a's sync started");
      expect(s.transactions()).to.equal(1);
      const ran: string[] = [];
      const later = ['b', 'c', 'd'].map((id) =>
        group.run(async (tx) => {
          ran.push(id);
          return tx.execute('INSERT INTO p (id) VALUES ($1)', [id]);
        }),
      );
      await new Promise((r) => setTimeout(r, 20));
      expect(ran, 'nothing ran during a sync').to.deep.equal([]);
      expect(aDone, 'a settled before its sync').to.equal(false);
      s.releaseAll();
      await a;
      await s.until(() => s.held.length > 0, "b-d's sync started");
      expect(ran).to.deep.equal(['b', 'c', 'd']);
      expect(s.transactions(), 'b, c and d in one transaction').to.equal(2);
      let laterDone = false;
      const all = Promise.all(later).then(() => (laterDone = true));
      await new Promise((r) => setTimeout(r, 20));
      expect(laterDone, 'b-d settled before their sync').to.equal(false);
      s.releaseAll();
      await all;
      expect((await s.db.query<{ id: string }>('SELECT id FROM p ORDER BY id')).map((r) => r.id)).to.deep.equal(['a', 'b', 'c', 'd']);
    } finally {
      await s.close();
    }
  });

  it('takes into its transaction the work queued on the next turn of the event loop', async () => {
    const s = heldStore();
    try {
      await s.setUp();
      const group = new GroupCommit(s.counting);
      const a = group.run((tx) => tx.execute('INSERT INTO p (id) VALUES ($1)', ['a']));
      // Queued one turn later, as a provider answer or a request arriving in the next poll phase would be.
      const b = new Promise((resolve, reject) =>
        setImmediate(() => group.run((tx) => tx.execute('INSERT INTO p (id) VALUES ($1)', ['b'])).then(resolve, reject)),
      );
      let settled = false;
      const both = Promise.all([a, b]).finally(() => (settled = true));
      // Let every sync through (however many transactions there are) until both have settled.
      await s.until(() => {
        s.releaseAll();
        return settled;
      }, 'a and b settled');
      await both;
      expect(s.transactions(), 'a and b in one transaction').to.equal(1);
      expect((await s.db.query<{ id: string }>('SELECT id FROM p ORDER BY id')).map((r) => r.id)).to.deep.equal(['a', 'b']);
    } finally {
      await s.close();
    }
  });

  it('runs the next batch during the sync once pipelineAt units are waiting, and settles each only after its own sync', async () => {
    const s = heldStore();
    try {
      await s.setUp();
      const group = new GroupCommit(s.counting, 256, 2);
      let aDone = false;
      const a = group.run((tx) => tx.execute('INSERT INTO p (id) VALUES ($1)', ['a'])).then(() => (aDone = true));
      await s.until(() => s.held.length > 0, "a's sync started");
      const ran: string[] = [];
      const insert = (id: string) =>
        group.run(async (tx) => {
          ran.push(id);
          return tx.execute('INSERT INTO p (id) VALUES ($1)', [id]);
        });
      const b = insert('b');
      await new Promise((r) => setTimeout(r, 20));
      expect(ran, 'one waiting unit is held').to.deep.equal([]);
      const c = insert('c');
      await s.until(() => ran.length === 2, "b and c ran during a's sync");
      expect(aDone, 'a settled before its sync').to.equal(false);
      s.releaseAll();
      await a;
      await s.until(() => s.held.length > 0, "b and c's sync started");
      s.releaseAll();
      await Promise.all([b, c]);
      expect(s.transactions()).to.equal(2);
      expect((await s.db.query<{ id: string }>('SELECT id FROM p ORDER BY id')).map((r) => r.id)).to.deep.equal(['a', 'b', 'c']);
    } finally {
      await s.close();
    }
  });

  it('fails the waiting work, instead of leaving it waiting, when the store cannot begin a transaction', async () => {
    const broken = {
      dialect: 'sqlite',
      transaction: async () => {
        throw new Error('SQLite WAL sync failed earlier');
      },
    } as unknown as Database;
    const group = new GroupCommit(broken);
    const results = await Promise.allSettled([group.run(async () => 1), group.query('SELECT 1', [])]);
    expect(results.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : 'fulfilled'))).to.deep.equal([
      'SQLite WAL sync failed earlier',
      'SQLite WAL sync failed earlier',
    ]);
  });
});

describe('GroupCommit batches', () => {
  it('commits no empty transaction when an earlier batch took the work a later one was scheduled for', async () => {
    let commits = 0;
    const tx = { dialect: 'sqlite', query: async () => [], execute: async () => ({ rowCount: 0 }) };
    let lock = Promise.resolve();
    // A store that runs transactions one at a time (as SQLite does) and counts commits.
    const store = {
      dialect: 'sqlite',
      transaction: async (fn: (t: typeof tx) => Promise<unknown>) => {
        const prev = lock;
        let release!: () => void;
        lock = new Promise<void>((r) => (release = r));
        await prev;
        try {
          const out = await fn(tx);
          commits++;
          return out;
        } finally {
          release();
        }
      },
    } as unknown as Database;
    const group = new GroupCommit(store);
    // First unit: its transaction starts; the next two arrive in later turns, each scheduling a transaction,
    // and the first of those takes both.
    const a = group.run(async () => new Promise((r) => setTimeout(() => r('a'), 20)));
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    const b = group.run(async () => 'b');
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    const c = group.run(async () => 'c');
    expect(await Promise.all([a, b, c])).to.deep.equal(['a', 'b', 'c']);
    await new Promise((r) => setTimeout(r, 10));
    expect(commits).to.equal(2);
  });
});

describe('GroupCommit when SQLite rolls the whole batch back (disk full)', () => {
  it('commits none of the batch and fails every unit, instead of committing the units after the failure on their own', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rp-gc-full-'));
    const db = SqliteDatabase.open(join(dir, 'full.db'));
    try {
      // A nullable column: on this table SQLite answers SQLITE_FULL by rolling the whole transaction back (with
      // NOT NULL it undoes only the statement, which the batch already handles).
      await db.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
      const [{ page_count: pages }] = await db.query<{ page_count: number }>('PRAGMA page_count');
      await db.query(`PRAGMA max_page_count = ${pages + 2}`);
      const group = new GroupCommit(db);
      // One batch: B fills the disk (SQLITE_FULL rolls the whole transaction back), C and D come after it.
      const results = await Promise.allSettled([
        group.query('INSERT INTO t (v) VALUES ($1) RETURNING id', ['A']),
        group.query('INSERT INTO t (v) VALUES ($1) RETURNING id', ['B'.repeat(100_000)]),
        group.query('INSERT INTO t (v) VALUES ($1) RETURNING id', ['C']),
        group.run(async (tx: SqlExecutor) => tx.query('INSERT INTO t (v) VALUES ($1) RETURNING id', ['D'])),
      ]);
      expect(results.map((r) => r.status)).to.deep.equal(['rejected', 'rejected', 'rejected', 'rejected']);
      expect(String((results[2] as PromiseRejectedResult).reason)).to.match(/rolled back by SQLite after SQLITE_FULL/);
      // Before, C and D ran outside any transaction and were committed while their callers were told they failed.
      expect(await db.query('SELECT v FROM t')).to.deep.equal([]);
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
