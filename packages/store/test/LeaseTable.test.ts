import { expect } from 'chai';
import { describeEachStore } from '../src/testing/index.js';
import { LeaseTable } from '../src/LeaseTable.js';
import { shiftPlaceholders } from '../src/placeholders.js';
import type { Database } from '../src/Database.js';

interface JobRow {
  id: string;
  tenant: string;
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
      `CREATE TABLE lt_jobs (id TEXT PRIMARY KEY, tenant TEXT NOT NULL DEFAULT 't', state TEXT NOT NULL, due_at BIGINT NOT NULL, lease_owner TEXT, lease_until BIGINT NOT NULL DEFAULT 0, tries INTEGER NOT NULL DEFAULT 0)`,
    );
    await db.execute(`CREATE INDEX lt_jobs_open_due ON lt_jobs (due_at) WHERE state IN ${OPEN}`);
    await db.execute(`CREATE INDEX lt_jobs_open_tenant ON lt_jobs (tenant, due_at) WHERE state IN ${OPEN}`);
  });
  after(async () => {
    await second?.close();
    await db?.close();
  });
  beforeEach(async () => {
    await db.execute('DELETE FROM lt_jobs');
  });

  async function insert(count: number, fields: { state?: string; dueAt?: (i: number) => number; prefix?: string; tenant?: string } = {}) {
    for (let i = 0; i < count; i++) {
      await db.execute('INSERT INTO lt_jobs (id, tenant, state, due_at) VALUES ($1, $2, $3, $4)', [
        `${fields.prefix ?? 'j'}${String(i).padStart(4, '0')}`,
        fields.tenant ?? 't',
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

  describe('fair claims across groups', () => {
    const open = () => ({ sql: `state IN ${OPEN} AND due_at <= $1`, params: [clock.now()] });
    const perGroup = (groups: [string, number][], limit: number, extra: { set?: { sql: string; params?: unknown[] } } = {}) => ({
      groupColumn: 'tenant',
      groups: groups.map(([key, share]) => ({ key, limit: share })),
      where: open(),
      orderBy: 'due_at',
      limit,
      sqliteIndex: 'lt_jobs_open_tenant',
      ...extra,
    });
    const inOrder = (rows: JobRow[]) => rows.map((r) => r.id);

    it('claimPerGroup leases each group’s share of its oldest due rows, oldest first across groups, at most `limit` in all', async () => {
      await insert(5, { tenant: 'A', prefix: 'a', dueAt: (i) => clock.now() - 1000 + 10 * i });
      await insert(3, { tenant: 'B', prefix: 'b', dueAt: (i) => clock.now() - 995 + 10 * i });
      await insert(2, { tenant: 'C', prefix: 'c', dueAt: () => clock.now() + 60_000 });
      await insert(2, { tenant: 'D', prefix: 'd', state: 'done' });
      const claimed = await lease('a').claimPerGroup<JobRow>(
        perGroup(
          [
            ['A', 2],
            ['B', 5],
            ['C', 3],
            ['D', 3],
            ['nobody', 1],
            ['A', 2],
          ],
          10,
          { set: { sql: 'state = $1', params: ['running'] } },
        ),
      );
      expect(inOrder(claimed), 'A’s share is 2; C is not due; D is closed').to.deep.equal(['a0000', 'b0000', 'a0001', 'b0001', 'b0002']);
      for (const row of claimed) {
        expect([row.lease_owner, row.state, Number(row.lease_until)]).to.deep.equal(['a', 'running', clock.now() + 10_000]);
      }
      await db.execute(`UPDATE lt_jobs SET state = 'ready'`);
      const capped = await lease('b').claimPerGroup<JobRow>(
        perGroup(
          [
            ['A', 10],
            ['B', 10],
            ['zero', 0],
          ],
          2,
        ),
      );
      expect(inOrder(capped), 'the two oldest rows nobody holds, across groups').to.deep.equal(['a0002', 'a0003']);
      expect(await lease('b').claimPerGroup<JobRow>(perGroup([['A', 0]], 10))).to.deep.equal([]);
      expect(await lease('b').claimPerGroup<JobRow>(perGroup([['A', 5]], 0))).to.deep.equal([]);
      expect(await lease('b').claimPerGroup<JobRow>(perGroup([], 5))).to.deep.equal([]);
    });

    it('claimPerGroup fills a share with rows no live lease holds, and takes expired leases over', async () => {
      await insert(5, { tenant: 'A', prefix: 'a' });
      expect(inOrder(await lease('x').claimPerGroup<JobRow>(perGroup([['A', 2]], 10)))).to.deep.equal(['a0000', 'a0001']);
      expect(
        inOrder(await lease('y').claimPerGroup<JobRow>(perGroup([['A', 2]], 10))),
        'rows x holds do not use up y’s share',
      ).to.deep.equal(['a0002', 'a0003']);
      expect(inOrder(await lease('z').claimPerGroup<JobRow>(perGroup([['A', 2]], 10)))).to.deep.equal(['a0004']);
      clock.at += 10_000;
      const taken = await lease('z').claimPerGroup<JobRow>(perGroup([['A', 3]], 10));
      expect(taken.map((r) => [r.id, r.lease_owner])).to.deep.equal([
        ['a0000', 'z'],
        ['a0001', 'z'],
        ['a0002', 'z'],
      ]);
    });

    it('candidates reads due rows no live lease holds, in order, without leasing them', async () => {
      await insert(4);
      await insert(1, { prefix: 'done', state: 'done' });
      await lease('a').claim<JobRow>({ ...dueNow(), limit: 1 });
      const read = await lease('b').candidates<{ id: string }>({
        columns: 'id',
        where: open(),
        orderBy: 'due_at',
        limit: 2,
        sqliteIndex: 'lt_jobs_open_due',
      });
      expect(read).to.deep.equal([{ id: 'j0001' }, { id: 'j0002' }]);
      const stored = await db.query<JobRow>('SELECT * FROM lt_jobs WHERE lease_owner IS NOT NULL');
      expect(ids(stored), 'only the row claimed before is leased').to.deep.equal(['j0000']);
    });

    it('groupKeys lists the groups with rows meeting the condition, in order, after a key', async () => {
      for (const tenant of ['D', 'B', 'A']) await insert(3, { tenant, prefix: tenant });
      await insert(2, { tenant: 'C', prefix: 'C', state: 'done' });
      const keys = (options: { after?: string; limit: number }) =>
        lease('a').groupKeys({ groupColumn: 'tenant', where: { sql: `state IN ${OPEN}` }, sqliteIndex: 'lt_jobs_open_tenant', ...options });
      expect(await keys({ limit: 10 })).to.deep.equal(['A', 'B', 'D']);
      expect(await keys({ after: 'A', limit: 1 })).to.deep.equal(['B']);
      expect(await keys({ after: 'B', limit: 10 })).to.deep.equal(['D']);
      expect(await keys({ after: 'D', limit: 10 })).to.deep.equal([]);
      expect(await keys({ limit: 0 })).to.deep.equal([]);
      expect(await lease('a').groupKeys({ groupColumn: 'tenant', limit: 10 }), 'with no condition: every group').to.deep.equal([
        'A',
        'B',
        'C',
        'D',
      ]);
    });

    if (target.dialect === 'sqlite') {
      it('claimPerGroup uses the index it is told to on SQLite, and refuses a condition the partial index does not cover', async () => {
        await insert(2, { tenant: 'A' });
        expect(await lease('a').claimPerGroup<JobRow>(perGroup([['A', 5]], 5))).to.have.length(2);
        let error: unknown;
        try {
          await lease('b').claimPerGroup<JobRow>({ ...perGroup([['A', 5]], 5), where: { sql: 'due_at <= $1', params: [clock.now()] } });
        } catch (e) {
          error = e;
        }
        expect(String(error)).to.match(/no query solution/);
      });
    }

    if (target.dialect === 'postgres') {
      it('skips rows another transaction is claiming instead of waiting for them (FOR UPDATE SKIP LOCKED)', async function () {
        this.timeout(20_000);
        await insert(4, { tenant: 'A', prefix: 'a' });
        await insert(2, { tenant: 'B', prefix: 'b', dueAt: (i) => clock.now() - 500 + i });
        const other = await second.transaction(async (holding) => {
          // Still open: its chosen rows are locked and their leases not committed.
          const held = await lease('x', second).claimPerGroup<JobRow>(perGroup([['A', 2]], 10), holding);
          expect(inOrder(held)).to.deep.equal(['a0000', 'a0001']);
          return db.transaction(async (tx) => {
            // Waiting for a lock would fail here instead of skipping it.
            await tx.execute(`SET LOCAL lock_timeout = '2s'`);
            const fair = await lease('y').claimPerGroup<JobRow>(
              perGroup(
                [
                  ['A', 2],
                  ['B', 1],
                ],
                10,
              ),
              tx,
            );
            const read = await lease('y').candidates<{ id: string }>({ columns: 'id', where: open(), orderBy: 'due_at', limit: 10 }, tx);
            return { fair: inOrder(fair), read: read.map((row) => row.id) };
          });
        });
        expect(other.fair).to.deep.equal(['a0002', 'a0003', 'b0000']);
        // a0000 and a0001 look free to this transaction but are locked by the other: skipped. The rest it leased itself.
        expect(other.read).to.deep.equal(['b0001']);
      });
    }

    it('hands each row to exactly one of many concurrent fair claimers on two connections (two pools on PostgreSQL)', async function () {
      this.timeout(60_000);
      const tenants = ['A', 'B', 'C', 'D', 'E', 'F'];
      for (const tenant of tenants) await insert(100, { tenant, prefix: tenant });
      const claimedBy = new Map<string, string[]>();
      const claimers = [db, second].flatMap((database, pool) =>
        Array.from({ length: 6 }, (_, worker) => {
          const owner = `p${pool}w${worker}`;
          const table = lease(owner, database, 600_000);
          return (async () => {
            for (;;) {
              const rows = await database.transaction((tx) =>
                table.claimPerGroup<JobRow>(
                  perGroup(
                    tenants.map((tenant) => [tenant, 3]),
                    7,
                  ),
                  tx,
                ),
              );
              if (rows.length === 0) return;
              for (const row of rows) claimedBy.set(row.id, [...(claimedBy.get(row.id) ?? []), owner]);
              await new Promise((r) => setImmediate(r));
            }
          })();
        }),
      );
      await Promise.all(claimers);
      const twice = [...claimedBy].filter(([, owners]) => owners.length > 1);
      expect(twice, 'rows claimed by more than one owner').to.deep.equal([]);
      expect(claimedBy.size).to.equal(600);
      const owners = new Set([...claimedBy.values()].map((o) => o[0].slice(0, 2)));
      expect([...owners].sort(), 'both connections claimed work').to.deep.equal(['p0', 'p1']);
      const stored = await db.query<JobRow>('SELECT * FROM lt_jobs');
      for (const row of stored) expect(row.lease_owner).to.equal(claimedBy.get(row.id)![0]);
    });
  });
});
