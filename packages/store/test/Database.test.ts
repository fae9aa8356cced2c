import { expect } from 'chai';
import { describeEachStore } from '../src/testing/index.js';
import { isUniqueViolation, toSqlitePlaceholders, type Database, type Migration } from '../src/index.js';

const migrations: Migration[] = [
  {
    id: 1,
    name: 'items',
    sqlite: 'CREATE TABLE items (id TEXT PRIMARY KEY, n INTEGER NOT NULL, at BIGINT NOT NULL)',
    postgres: 'CREATE TABLE items (id TEXT PRIMARY KEY, n INTEGER NOT NULL, at BIGINT NOT NULL)',
  },
  { id: 2, name: 'items.note', sqlite: 'ALTER TABLE items ADD COLUMN note TEXT', postgres: 'ALTER TABLE items ADD COLUMN note TEXT' },
];

describe('toSqlitePlaceholders', () => {
  it('rewrites $n to ? in order of appearance, repeating values used twice', () => {
    const q = toSqlitePlaceholders('SELECT * FROM t WHERE a = $2 AND b = $1 OR c = $2', ['x', 'y']);
    expect(q.sql).to.equal('SELECT * FROM t WHERE a = ? AND b = ? OR c = ?');
    expect(q.params).to.deep.equal(['y', 'x', 'y']);
  });
  it('leaves $ inside quoted literals alone and maps booleans to 0/1', () => {
    const q = toSqlitePlaceholders("SELECT '$1' AS s, $1 AS b", [true]);
    expect(q.sql).to.equal("SELECT '$1' AS s, ? AS b");
    expect(q.params).to.deep.equal([1]);
  });
  it('refuses a placeholder with no parameter', () => {
    expect(() => toSqlitePlaceholders('SELECT $3', [1])).to.throw(RangeError, /\$3/);
    expect(() => toSqlitePlaceholders('SELECT $0', [1])).to.throw(RangeError, /\$0/);
  });
});

describeEachStore(
  'Database',
  (target) => {
    let db: Database;
    before(async () => {
      db = await target.open();
      const first = await db.migrate('test', migrations);
      expect(first.applied).to.deep.equal([1, 2]);
    });
    after(async () => db?.close());

    it('applies each migration once, however often migrate runs', async () => {
      const again = await db.migrate('test', migrations);
      expect(again.applied).to.deep.equal([]);
      expect(await db.appliedMigrations('test')).to.deep.equal([1, 2]);
    });

    it('lets several connections migrate at once without applying anything twice', async () => {
      const more: Migration[] = [
        ...migrations,
        { id: 3, name: 'other', sqlite: 'CREATE TABLE other (id INTEGER)', postgres: 'CREATE TABLE other (id INTEGER)' },
      ];
      const conns = await Promise.all([target.open(), target.open(), target.open()]);
      try {
        const results = await Promise.all(conns.map((c) => c.migrate('test', more)));
        expect(results.flatMap((r) => r.applied)).to.deep.equal([3]);
      } finally {
        await Promise.all(conns.map((c) => c.close()));
      }
    });

    it('round-trips text, integers and epoch-millisecond BIGINTs as numbers', async () => {
      const at = 1_790_000_000_123;
      await db.execute('INSERT INTO items (id, n, at, note) VALUES ($1, $2, $3, $4)', ['a', 7, at, null]);
      const rows = await db.query<{ id: string; n: number; at: number; note: string | null }>(
        'SELECT id, n, at, note FROM items WHERE id = $1',
        ['a'],
      );
      expect(rows).to.deep.equal([{ id: 'a', n: 7, at, note: null }]);
    });

    it('commits a transaction that resolves and rolls back one that throws', async () => {
      await db.transaction(async (tx) => {
        await tx.execute('INSERT INTO items (id, n, at) VALUES ($1, $2, $3)', ['t1', 1, 0]);
      });
      await db
        .transaction(async (tx) => {
          await tx.execute('INSERT INTO items (id, n, at) VALUES ($1, $2, $3)', ['t2', 1, 0]);
          throw new Error('boom');
        })
        .then(
          () => expect.fail('should throw'),
          (e: Error) => expect(e.message).to.equal('boom'),
        );
      const ids = (await db.query<{ id: string }>("SELECT id FROM items WHERE id IN ('t1','t2') ORDER BY id")).map((r) => r.id);
      expect(ids).to.deep.equal(['t1']);
    });

    it('keeps concurrent read-modify-write transactions from losing updates', async () => {
      await db.execute('INSERT INTO items (id, n, at) VALUES ($1, $2, $3)', ['counter', 0, 0]);
      await Promise.all(
        Array.from({ length: 20 }, () =>
          db.transaction(async (tx) => {
            const lock = tx.dialect === 'postgres' ? ' FOR UPDATE' : '';
            const [row] = await tx.query<{ n: number }>(`SELECT n FROM items WHERE id = $1${lock}`, ['counter']);
            await new Promise((r) => setImmediate(r));
            await tx.execute('UPDATE items SET n = $1 WHERE id = $2', [row.n + 1, 'counter']);
          }),
        ),
      );
      const [row] = await db.query<{ n: number }>('SELECT n FROM items WHERE id = $1', ['counter']);
      expect(row.n).to.equal(20);
    });

    it('does not let a statement outside a transaction slip into it and be rolled back', async () => {
      const tx = db.transaction(async (t) => {
        await t.execute('INSERT INTO items (id, n, at) VALUES ($1, $2, $3)', ['inside', 1, 0]);
        await new Promise((r) => setTimeout(r, 20));
        throw new Error('rollback');
      });
      const outside = db.execute('INSERT INTO items (id, n, at) VALUES ($1, $2, $3)', ['outside', 1, 0]);
      await tx.catch(() => {});
      await outside;
      const ids = (await db.query<{ id: string }>("SELECT id FROM items WHERE id IN ('inside','outside')")).map((r) => r.id);
      expect(ids).to.deep.equal(['outside']);
    });

    it('reports a duplicate key as a unique violation', async () => {
      await db.execute('INSERT INTO items (id, n, at) VALUES ($1, $2, $3)', ['dup', 1, 0]);
      try {
        await db.execute('INSERT INTO items (id, n, at) VALUES ($1, $2, $3)', ['dup', 2, 0]);
        expect.fail('should throw');
      } catch (e) {
        expect(isUniqueViolation(e)).to.equal(true);
      }
    });

    it('returns rows from writes with RETURNING and counts changed rows', async () => {
      const rows = await db.query<{ id: string }>('INSERT INTO items (id, n, at) VALUES ($1, $2, $3) RETURNING id', ['ret', 1, 0]);
      expect(rows).to.deep.equal([{ id: 'ret' }]);
      const r = await db.execute('UPDATE items SET n = n + 1 WHERE id IN ($1, $2)', ['ret', 'dup']);
      expect(r.rowCount).to.equal(2);
    });

    it('answers ping', async () => {
      await db.ping();
    });

    it("lets a second connection in this process wait for the first one's open transaction without deadlocking", async () => {
      const other = await target.open();
      try {
        let release!: () => void;
        const holding = new Promise<void>((r) => (release = r));
        const first = db.transaction(async (tx) => {
          await tx.execute('INSERT INTO items (id, n, at) VALUES ($1, $2, $3)', ['held', 1, 0]);
          await holding;
        });
        await new Promise((r) => setTimeout(r, 20));
        const second = other.execute('INSERT INTO items (id, n, at) VALUES ($1, $2, $3)', ['after', 1, 0]);
        await new Promise((r) => setTimeout(r, 50));
        release();
        await Promise.all([first, second]);
        const ids = (await db.query<{ id: string }>("SELECT id FROM items WHERE id IN ('held', 'after') ORDER BY id")).map((r) => r.id);
        expect(ids).to.deep.equal(['after', 'held']);
      } finally {
        await other.close();
      }
    });
  },
  { sqliteWorker: true },
);
