import { expect } from 'chai';
import { describeEachStore } from '../src/testing/index.js';
import { LeaseTable } from '../src/LeaseTable.js';
import { shiftPlaceholders } from '../src/placeholders.js';
import type { Database } from '../src/Database.js';

interface JobRow {
  id: string;
  state: string;
  due_at: number | string;
  lease_owner: string | null;
  lease_until: number | string;
  tries: number | string;
}

const OPEN = `('ready', 'retry')`;

/** A clock the test moves by hand: leases expire when the test says so. */
function manualClock(start = 1_000_000) {
  return {
    at: start,
    now() {
      return this.at;
    },
  };
}

describe('shiftPlaceholders', () => {
  it('moves every placeholder past the first parameters, leaving quoted text alone', () => {
    expect(shiftPlaceholders("a = $1 AND b = '$1' AND c IN ($2, $10)", 3)).to.equal("a = $4 AND b = '$1' AND c IN ($5, $13)");
    expect(shiftPlaceholders('a = $1', 0)).to.equal('a = $1');
  });
});

describeEachStore('LeaseTable', (target) => {
  let db: Database;
  let second: Database;
  const clock = manualClock();
  const lease = (owner: string, database: Database = db, leaseMs = 10_000) =>
    new LeaseTable(database, { table: 'lt_jobs', owner, leaseMs, clock });
  const due = { where: { sql: `state IN ${OPEN} AND due_at <= $1`, params: [0] }, orderBy: 'due_at' };
  const dueNow = () => ({ ...due, where: { ...due.where, params: [clock.now()] } });
  const ids = (rows: JobRow[]) => rows.map((r) => r.id).sort();

  before(async () => {
    db = await target.open();
    second = await target.open();
    await db.execute(
      `CREATE TABLE lt_jobs (id TEXT PRIMARY KEY, state TEXT NOT NULL, due_at BIGINT NOT NULL, lease_owner TEXT, lease_until BIGINT NOT NULL DEFAULT 0, tries INTEGER NOT NULL DEFAULT 0)`,
    );
    await db.execute(`CREATE INDEX lt_jobs_open_due ON lt_jobs (due_at) WHERE state IN ${OPEN}`);
  });
  after(async () => {
    await second?.close();
    await db?.close();
  });
  beforeEach(async () => {
    await db.execute('DELETE FROM lt_jobs');
  });

  async function insert(count: number, fields: { state?: string; dueAt?: (i: number) => number; prefix?: string } = {}) {
    for (let i = 0; i < count; i++) {
      await db.execute('INSERT INTO lt_jobs (id, state, due_at) VALUES ($1, $2, $3)', [
        `${fields.prefix ?? 'j'}${String(i).padStart(4, '0')}`,
        fields.state ?? 'ready',
        fields.dueAt ? fields.dueAt(i) : clock.now() - 1000 + i,
      ]);
    }
  }

  it('claims at most `limit` due rows, oldest first, and leaves rows not due or closed alone', async () => {
    await insert(5);
    await insert(2, { prefix: 'later', dueAt: () => clock.now() + 60_000 });
    await insert(2, { prefix: 'done', state: 'done' });
    const claimed = await lease('a').claim<JobRow>({ ...dueNow(), limit: 3 });
    expect(ids(claimed)).to.deep.equal(['j0000', 'j0001', 'j0002']);
    for (const row of claimed) {
      expect(row.lease_owner).to.equal('a');
      expect(Number(row.lease_until)).to.equal(clock.now() + 10_000);
    }
    const rest = await lease('a').claim<JobRow>({ ...dueNow(), limit: 10 });
    expect(ids(rest)).to.deep.equal(['j0003', 'j0004']);
  });

  it('never hands a live lease to another owner, and takes an expired one over', async () => {
    await insert(3);
    expect(await lease('a').claim<JobRow>({ ...dueNow(), limit: 10 })).to.have.length(3);
    expect(await lease('b').claim<JobRow>({ ...dueNow(), limit: 10 })).to.deep.equal([]);
    clock.at += 10_000; // exactly at expiry: the lease is over
    const taken = await lease('b').claim<JobRow>({ ...dueNow(), limit: 10 });
    expect(ids(taken)).to.deep.equal(['j0000', 'j0001', 'j0002']);
    expect(taken.every((r) => r.lease_owner === 'b')).to.equal(true);
  });

  it('renews only the leases its owner still holds, so a renewed lease is not taken over', async () => {
    await insert(3);
    const a = lease('a');
    await a.claim<JobRow>({ ...dueNow(), limit: 10 });
    clock.at += 6_000;
    expect(await a.renew(['j0000', 'j0001'])).to.equal(2);
    clock.at += 6_000; // j0002's lease ran out; the renewed two have 4 s left
    const taken = await lease('b').claim<JobRow>({ ...dueNow(), limit: 10 });
    expect(ids(taken)).to.deep.equal(['j0002']);
    // The former owner cannot renew what was taken over.
    expect(await a.renew(['j0002'])).to.equal(0);
    expect(await a.renew()).to.equal(2);
    expect(await a.renew([])).to.equal(0);
  });

  it('releases leases, applying the caller’s assignments, so others claim the rows at once', async () => {
    await insert(3);
    const a = lease('a');
    await a.claim<JobRow>({ ...dueNow(), limit: 10, set: { sql: 'tries = tries + $1', params: [1] } });
    expect(await a.release(['j0000'], { set: { sql: 'state = $1', params: ['done'] } })).to.equal(1);
    expect(await a.release(undefined, { where: { sql: 'id = $1', params: ['j0001'] } })).to.equal(1);
    const rows = await db.query<JobRow>('SELECT * FROM lt_jobs ORDER BY id');
    expect(rows.map((r) => [r.id, r.state, r.lease_owner, Number(r.lease_until), Number(r.tries)])).to.deep.equal([
      ['j0000', 'done', null, 0, 1],
      ['j0001', 'ready', null, 0, 1],
      ['j0002', 'ready', 'a', clock.now() + 10_000, 1],
    ]);
    expect(ids(await lease('b').claim<JobRow>({ ...dueNow(), limit: 10 }))).to.deep.equal(['j0001']);
  });

  it('frees expired leases for work that is claimed again by state', async () => {
    await insert(2);
    await lease('a').claim<JobRow>({ ...dueNow(), limit: 1, set: { sql: "state = 'running'" } });
    expect(
      await lease('b').releaseExpired({ where: { sql: "state = 'running'" }, set: { sql: 'state = $1', params: ['retry'] } }),
    ).to.equal(0);
    clock.at += 10_001;
    expect(
      await lease('b').releaseExpired({ where: { sql: "state = 'running'" }, set: { sql: 'state = $1', params: ['retry'] } }),
    ).to.equal(1);
    const row = (await db.query<JobRow>("SELECT * FROM lt_jobs WHERE id = 'j0000'"))[0];
    expect([row.state, row.lease_owner, Number(row.lease_until)]).to.deep.equal(['retry', null, 0]);
  });

  it('with takeOver "others", claims live leases of other owners but not its own (a store no one else can use)', async () => {
    await insert(3);
    await lease('gone').claim<JobRow>({ ...dueNow(), limit: 2 });
    await lease('me').claim<JobRow>({ ...dueNow(), limit: 1 });
    const taken = await lease('me').claim<JobRow>({ ...dueNow(), limit: 10, takeOver: 'others' });
    expect(ids(taken)).to.deep.equal(['j0000', 'j0001']);
  });

  it('claims rows chosen by id only when no live lease holds them', async () => {
    await insert(3);
    await lease('a').claim<JobRow>({ ...dueNow(), limit: 1 });
    const got = await lease('b').claimIds<JobRow>(['j0000', 'j0001', 'nope'], { set: { sql: 'state = $1', params: ['running'] } });
    expect(got.map((r) => [r.id, r.state, r.lease_owner])).to.deep.equal([['j0001', 'running', 'b']]);
    const onlyDue = await lease('c').claimIds<JobRow>(['j0002'], { where: { sql: 'due_at > $1', params: [clock.now()] } });
    expect(onlyDue, 'j0002 is due, so a condition asking for rows not yet due leaves it').to.deep.equal([]);
    expect(ids(await lease('c').claimIds<JobRow>(['j0002'], { where: { sql: 'due_at <= $1', params: [clock.now()] } }))).to.deep.equal([
      'j0002',
    ]);
    expect(await lease('b').claimIds<JobRow>([])).to.deep.equal([]);
  });

  if (target.dialect === 'sqlite') {
    it('uses the index it is told to on SQLite, and refuses a condition the partial index does not cover', async () => {
      await insert(2);
      const claimed = await lease('a').claim<JobRow>({ ...dueNow(), limit: 10, sqliteIndex: 'lt_jobs_open_due' });
      expect(claimed).to.have.length(2);
      let error: unknown;
      try {
        await lease('a').claim<JobRow>({
          where: { sql: 'due_at <= $1', params: [clock.now()] },
          orderBy: 'due_at',
          limit: 10,
          sqliteIndex: 'lt_jobs_open_due',
        });
      } catch (e) {
        error = e;
      }
      expect(String(error)).to.match(/no query solution/);
    });
  }

  it('hands each row to exactly one of many concurrent claimers on two connections (two pools on PostgreSQL)', async function () {
    this.timeout(60_000);
    const total = 600;
    await insert(total);
    const claimedBy = new Map<string, string[]>();
    const claimers = [db, second].flatMap((database, pool) =>
      Array.from({ length: 6 }, (_, worker) => {
        const owner = `p${pool}w${worker}`;
        const table = lease(owner, database, 600_000);
        return (async () => {
          for (;;) {
            const rows = await table.claim<JobRow>({ ...dueNow(), limit: 7 });
            if (rows.length === 0) return;
            for (const row of rows) claimedBy.set(row.id, [...(claimedBy.get(row.id) ?? []), owner]);
            // Give the other claimers a turn while this one "works".
            await new Promise((r) => setImmediate(r));
          }
        })();
      }),
    );
    await Promise.all(claimers);
    const twice = [...claimedBy].filter(([, owners]) => owners.length > 1);
    expect(twice, 'rows claimed by more than one owner').to.deep.equal([]);
    expect(claimedBy.size).to.equal(total);
    const owners = new Set([...claimedBy.values()].map((o) => o[0].slice(0, 2)));
    expect([...owners].sort(), 'both connections claimed work').to.deep.equal(['p0', 'p1']);
    const stored = await db.query<JobRow>('SELECT * FROM lt_jobs');
    for (const row of stored) expect(row.lease_owner).to.equal(claimedBy.get(row.id)![0]);
  });
});
