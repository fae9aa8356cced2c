import { expect } from 'chai';
import { describeEachStore } from '@relaypoint/store/testing';
import type { Database } from '@relaypoint/store';
import { GroupCommit } from '../src/issuance/GroupCommit.js';

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
