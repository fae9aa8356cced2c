import { expect } from 'chai';
import { describeEachStore } from '@relaypoint/store/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteDatabase, type Database } from '@relaypoint/store';
import { OPEN_STATUSES_SQL, issuanceMigrations } from '../src/issuance/issuanceMigrations.js';

async function insertRow(db: Database, id: string, status: string, nextCheckAt: number): Promise<void> {
  await db.execute(
    `INSERT INTO issuances (id, tenant_id, reference, connector, request_hash, params, status, next_check_at, created_at, updated_at)
     VALUES ($1, 't', $1, 'airtime', 'h', '{}', $2, $3, 1, 1)`,
    [id, status, nextCheckAt],
  );
}

describeEachStore('issuance migrations', (target) =>
  describe('migration 2 (open issuances only in the due index)', () => {
    let db: Database;
    before(async () => {
      db = await target.open();
    });
    after(async () => db?.close());

    it('upgrades a journal with rows in it, and the reconciler still finds exactly the open ones by due time', async () => {
      expect((await db.migrate('host', issuanceMigrations.slice(0, 1))).applied).to.deep.equal([1]);
      await insertRow(db, 'a-done', 'succeeded', 10);
      await insertRow(db, 'b-open', 'pending', 30);
      await insertRow(db, 'c-open', 'in_flight', 20);
      await insertRow(db, 'd-done', 'failed', 5);
      expect((await db.migrate('host', issuanceMigrations.slice(0, 2))).applied).to.deep.equal([2]);
      const due = await db.query<{ id: string }>(
        `SELECT id FROM issuances WHERE status IN ${OPEN_STATUSES_SQL} AND next_check_at <= $1 ORDER BY next_check_at`,
        [100],
      );
      expect(due.map((r) => r.id)).to.deep.equal(['c-open', 'b-open']);
    });

    it('migration 3 gives every existing row a settle time of 0 (no earlier send pending), and new rows too', async () => {
      expect((await db.migrate('host', issuanceMigrations)).applied).to.deep.equal([3]);
      await insertRow(db, 'e-new', 'in_flight', 40);
      const rows = await db.query<{ id: string; settle_until: number | string }>('SELECT id, settle_until FROM issuances ORDER BY id');
      expect(rows.map((r) => [r.id, Number(r.settle_until)])).to.deep.equal([
        ['a-done', 0],
        ['b-open', 0],
        ['c-open', 0],
        ['d-done', 0],
        ['e-new', 0],
      ]);
    });
  }),
);

describe('issuance migrations on SQLite: query plans', () => {
  let dir: string;
  let db: SqliteDatabase;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rp-mig-'));
    db = SqliteDatabase.open(join(dir, 'j.db'));
    await db.migrate('host', issuanceMigrations);
  });
  after(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const plan = async (sql: string): Promise<string> =>
    (await db.query<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, [1, 2, 3])).map((r) => r.detail).join(' | ');

  it("the reconciler's claim and the orphan scan use the partial index", async () => {
    // The shapes of IssuanceService.reconcileOnce: SQLite uses a partial index only when the query repeats its condition.
    expect(
      await plan(
        `SELECT id FROM issuances WHERE status IN ${OPEN_STATUSES_SQL} AND next_check_at <= $1 AND lease_until <= $2 ORDER BY next_check_at LIMIT $3`,
      ),
    ).to.contain('issuances_open_due');
    expect(
      await plan(
        `SELECT id FROM issuances WHERE status IN ${OPEN_STATUSES_SQL} AND status = 'in_flight' AND (lease_owner IS NULL OR lease_owner <> $1) ORDER BY next_check_at LIMIT $2`,
      ),
    ).to.contain('issuances_open_due');
  });
});
