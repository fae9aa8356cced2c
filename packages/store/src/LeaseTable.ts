import type { Database, SqlExecutor } from './Database.js';
import { indexedBy } from './indexedBy.js';
import { jsonList } from './jsonList.js';
import { shiftPlaceholders } from './placeholders.js';

/** Options of {@link LeaseTable}. */
export interface LeaseTableOptions {
  /** The table holding the work (trusted SQL identifier). */
  table: string;
  /** Its primary key column, compared as text. Defaults to `id`. */
  idColumn?: string;
  /** The column naming the lease's owner (NULL when free). Defaults to `lease_owner`. */
  ownerColumn?: string;
  /** The column holding when the lease expires, ms since the epoch. Defaults to `lease_until`. */
  leaseUntilColumn?: string;
  /** What a released lease's expiry becomes: `0` (default) for a NOT NULL column, or `null`. */
  releasedLeaseUntil?: 0 | null;
  /** This process' id, written as the owner of the rows it leases. */
  owner: string;
  /** How long a lease lasts from its claim or last renewal, ms. */
  leaseMs: number;
  /** Where the time comes from. Defaults to `Date.now`. */
  clock?: { now(): number };
}

/** A SQL fragment with its own `$1…` placeholders, and their values. */
export interface SqlFragment {
  sql: string;
  params?: readonly unknown[];
}

/** What {@link LeaseTable.claim} takes. */
export interface ClaimOptions {
  /** Which rows are work at all (due, open). Rows whose lease another owner holds are left out by the claim itself. */
  where: SqlFragment;
  /** The order rows are claimed in (an `ORDER BY` expression), e.g. `next_check_at`. */
  orderBy: string;
  /** At most this many rows. */
  limit: number;
  /** Further assignments made with the lease, e.g. `status = 'in_flight'`. */
  set?: SqlFragment;
  /**
   * Whose leases may be taken over. `expired` (default): only free rows and
   * expired leases. `others`: every row not leased to this owner, live or
   * not — right only when no other process can use the store (a SQLite file
   * at start-up: every lease in it belongs to a process that is gone).
   */
  takeOver?: 'expired' | 'others';
  /**
   * SQLite only: the index that chooses the rows (`INDEXED BY`). A partial
   * index is used only when `where` repeats its condition word for word; the
   * hint makes a mismatch an error instead of a silent table scan.
   */
  sqliteIndex?: string;
}

/** What {@link LeaseTable.candidates} takes. */
export interface CandidateOptions {
  /** The columns to read (a select list), e.g. `id, tenant_id`. */
  columns: string;
  /** Which rows are work (due, open). Rows a live lease holds are left out. */
  where: SqlFragment;
  /** The order rows are read in (an `ORDER BY` list). */
  orderBy: string;
  /** At most this many rows. */
  limit: number;
  /** SQLite only: the index that chooses the rows (see {@link ClaimOptions.sqliteIndex}). */
  sqliteIndex?: string;
}

/** One group of a {@link LeaseTable.claimPerGroup}: its key and how many of its rows to lease at most. */
export interface GroupShare {
  /** The group's value in the group column. */
  key: string;
  /** At most this many of its rows; none when 0 or less. */
  limit: number;
}

/** What {@link LeaseTable.claimPerGroup} takes. */
export interface GroupClaimOptions {
  /** The column rows are grouped by, e.g. a tenant or subscription id (text; trusted SQL identifier). */
  groupColumn: string;
  /** The groups to lease from, each with its own share (a key listed twice takes its last share). */
  groups: readonly GroupShare[];
  /** Which rows are work (due, open), without the group term. Rows a live lease holds are left out by the claim itself. */
  where: SqlFragment;
  /** The order rows are claimed in, within each group and across them: an `ORDER BY` list of the table's own columns, unqualified. */
  orderBy: string;
  /** At most this many rows in all: the first in `orderBy` order once each group's share is applied. */
  limit: number;
  /** Further assignments made with the lease, e.g. `status = 'in_flight'`. */
  set?: SqlFragment;
  /** SQLite only: the index that finds one group's rows in order, e.g. on `(groupColumn, orderBy)` (see {@link ClaimOptions.sqliteIndex}). */
  sqliteIndex?: string;
}

/** What {@link LeaseTable.groupKeys} takes. */
export interface GroupKeysOptions {
  /** The column rows are grouped by (text; trusted SQL identifier). */
  groupColumn: string;
  /** Which rows count (e.g. open ones). Defaults to every row. */
  where?: SqlFragment;
  /** Only keys after this one. Defaults to `''`: from the first. */
  after?: string;
  /** At most this many keys. */
  limit: number;
  /** SQLite only: an index leading with the group column (see {@link ClaimOptions.sqliteIndex}). */
  sqliteIndex?: string;
}

/**
 * Leased work over one table: claims up to N due rows under a lease (owner
 * + expiry), renews the leases a process holds while it works, releases
 * them, and takes over leases whose owner went silent. One interface for
 * both engines:
 *
 * - PostgreSQL: the rows are chosen with `FOR UPDATE SKIP LOCKED`, so
 *   processes claiming at once never wait on each other and never claim the
 *   same row.
 * - SQLite: one writer at a time, so a claim is one statement,
 *   `UPDATE … WHERE id IN (SELECT … LIMIT n) RETURNING *`.
 *
 * Besides claiming the first N due rows, it claims fairly across groups (a
 * share of each tenant's oldest rows, {@link claimPerGroup}), lists the
 * groups with work without walking their backlogs ({@link groupKeys}), and
 * reads due rows for a caller that chooses among them in code before
 * leasing its choice ({@link candidates}, then {@link claimIds}).
 *
 * Every method takes the executor to run on (a transaction, a
 * {@link GroupCommit}, the database itself by default), so a claim can share
 * a transaction with the writes that record earlier work.
 */
export class LeaseTable {
  private readonly table: string;
  private readonly id: string;
  private readonly ownerColumn: string;
  private readonly until: string;
  private readonly released: string;
  private readonly clock: { now(): number };

  constructor(
    private readonly db: Database,
    private readonly options: LeaseTableOptions,
  ) {
    this.table = options.table;
    this.id = options.idColumn ?? 'id';
    this.ownerColumn = options.ownerColumn ?? 'lease_owner';
    this.until = options.leaseUntilColumn ?? 'lease_until';
    this.released = options.releasedLeaseUntil === null ? 'NULL' : '0';
    this.clock = options.clock ?? { now: () => Date.now() };
  }

  /** This process' owner id. */
  get owner(): string {
    return this.options.owner;
  }

  /** The lease length, ms. */
  get leaseMs(): number {
    return this.options.leaseMs;
  }

  /** Free, or leased to someone whose lease has run out at `$n`. */
  private freeAt(param: string): string {
    return `(${this.ownerColumn} IS NULL OR ${this.until} IS NULL OR ${this.until} <= ${param})`;
  }

  /** `, extra = …` with the fragment's placeholders moved past the first `offset` parameters. */
  private extraSet(set: SqlFragment | undefined, offset: number): [string, readonly unknown[]] {
    return set ? [`, ${shiftPlaceholders(set.sql, offset)}`, set.params ?? []] : ['', []];
  }

  /**
   * Leases up to `limit` rows meeting `where`, in `orderBy` order, that no
   * live lease holds (see {@link ClaimOptions.takeOver}), and returns them as
   * they are after the claim.
   */
  async claim<T>(options: ClaimOptions, executor: SqlExecutor = this.db): Promise<T[]> {
    const now = this.clock.now();
    // $1 owner, $2 lease expiry, $3 now, $4 limit; then the caller's fragments.
    const base: unknown[] = [this.options.owner, now + this.options.leaseMs, now, options.limit];
    const whereParams = options.where.params ?? [];
    const where = shiftPlaceholders(options.where.sql, base.length);
    const [set, setParams] = this.extraSet(options.set, base.length + whereParams.length);
    const leaseFree =
      options.takeOver === 'others'
        ? `(${this.ownerColumn} IS NULL OR ${this.ownerColumn} <> $1 OR ${this.until} <= $3)`
        : this.freeAt('$3');
    const postgres = executor.dialect === 'postgres';
    const hint = indexedBy(executor.dialect, options.sqliteIndex);
    return executor.query<T>(
      `UPDATE ${this.table} SET ${this.ownerColumn} = $1, ${this.until} = $2${set}
       WHERE ${this.id} IN (SELECT ${this.id} FROM ${this.table}${hint} WHERE (${where}) AND ${leaseFree}
                            ORDER BY ${options.orderBy} LIMIT $4${postgres ? ' FOR UPDATE SKIP LOCKED' : ''})
       RETURNING *`,
      [...base, ...whereParams, ...setParams],
    );
  }

  /**
   * Reads, without leasing them, up to `limit` rows meeting `where` that no
   * live lease holds, in `orderBy` order: for a caller that chooses among
   * them in code (e.g. a share per tenant) and leases its choice with
   * {@link claimIds} in the same transaction. On PostgreSQL they are read
   * `FOR UPDATE SKIP LOCKED`: rows another transaction is claiming are
   * skipped, and the rows read stay locked until this one ends; on SQLite the
   * write transaction keeps them.
   */
  async candidates<T>(options: CandidateOptions, executor: SqlExecutor = this.db): Promise<T[]> {
    // $1 limit, $2 now; then the caller's where.
    const where = shiftPlaceholders(options.where.sql, 2);
    const lock = executor.dialect === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
    return executor.query<T>(
      `SELECT ${options.columns} FROM ${this.table}${indexedBy(executor.dialect, options.sqliteIndex)}
       WHERE (${where}) AND ${this.freeAt('$2')} ORDER BY ${options.orderBy} LIMIT $1${lock}`,
      [options.limit, this.clock.now(), ...(options.where.params ?? [])],
    );
  }

  /**
   * Up to `limit` distinct values of the group column among rows meeting
   * `where`, ascending, after `after`: a skip scan, one index seek per value
   * (on an index leading with the group column), so no group's backlog is
   * walked. Leases are not looked at: these are the groups with work at all.
   */
  async groupKeys(options: GroupKeysOptions, executor: SqlExecutor = this.db): Promise<string[]> {
    if (options.limit <= 0) return [];
    const group = options.groupColumn;
    // $1 after, $2 limit; then the caller's where.
    const where = options.where ? `(${shiftPlaceholders(options.where.sql, 2)}) AND ` : '';
    const next = `SELECT MIN(${group}) FROM ${this.table}${indexedBy(executor.dialect, options.sqliteIndex)} WHERE ${where}${group} >`;
    const rows = await executor.query<{ lease_group: string }>(
      `WITH RECURSIVE lease_groups(lease_group, lease_n) AS (
         SELECT (${next} $1), 1
         UNION ALL
         SELECT (${next} lease_groups.lease_group), lease_groups.lease_n + 1 FROM lease_groups
         WHERE lease_groups.lease_group IS NOT NULL AND lease_groups.lease_n < $2
       ) SELECT lease_group FROM lease_groups WHERE lease_group IS NOT NULL`,
      [options.after ?? '', options.limit, ...(options.where?.params ?? [])],
    );
    return rows.map((row) => row.lease_group);
  }

  /**
   * A fair claim: leases up to each group's share of its rows meeting
   * `where` that no live lease holds, oldest first by `orderBy`, at most
   * `limit` in all (the first in `orderBy` order across groups), and returns
   * them in that order, as they are after the claim. Each group's rows are
   * read from the head of its own index range, so one group's backlog is
   * never walked for another's turn:
   *
   * - PostgreSQL: one `LATERAL` subquery per group, `FOR UPDATE SKIP LOCKED`,
   *   so claimers running at once never wait on each other's rows.
   * - SQLite: one `id IN (SELECT … LIMIT n)` per group (its `LIMIT` cannot
   *   follow the group, so the largest share is read and the shares applied
   *   here).
   *
   * Run it in a transaction: the rows chosen are then leased by the same
   * transaction. Outside one, a row another claimer leases between the two
   * statements is left out; no row is ever leased twice.
   */
  async claimPerGroup<T>(options: GroupClaimOptions, executor: SqlExecutor = this.db): Promise<T[]> {
    const shares = new Map<string, number>();
    for (const { key, limit } of options.groups) shares.set(key, limit);
    for (const [key, share] of shares) if (share <= 0) shares.delete(key);
    if (shares.size === 0 || options.limit <= 0) return [];
    // $1 the groups as [[key, share], …], $2 now; then the caller's where; SQLite: then the largest share.
    const params: unknown[] = [JSON.stringify([...shares]), this.clock.now(), ...(options.where.params ?? [])];
    const where = shiftPlaceholders(options.where.sql, 2);
    const group = options.groupColumn;
    const due = `${group} = s.lease_group AND (${where}) AND ${this.freeAt('$2')} ORDER BY ${options.orderBy}`;
    const chosen = `SELECT h.${this.id} AS lease_id, h.${group} AS lease_group`;
    const sql =
      executor.dialect === 'postgres'
        ? `${chosen} FROM (SELECT e ->> 0 AS lease_group, CAST(e ->> 1 AS integer) AS lease_share
                          FROM jsonb_array_elements(CAST($1 AS jsonb)) AS e) AS s
           CROSS JOIN LATERAL (SELECT * FROM ${this.table} WHERE ${due} LIMIT s.lease_share FOR UPDATE SKIP LOCKED) AS h
           ORDER BY ${options.orderBy}`
        : `${chosen} FROM (SELECT value ->> 0 AS lease_group FROM json_each($1)) AS s
           JOIN ${this.table} AS h ON h.${this.id} IN (
             SELECT ${this.id} FROM ${this.table}${indexedBy(executor.dialect, options.sqliteIndex)} WHERE ${due} LIMIT $${params.push(Math.max(...shares.values()))})
           ORDER BY ${options.orderBy}`;
    const ids: string[] = [];
    const taken = new Map<string, number>();
    for (const row of await executor.query<{ lease_id: unknown; lease_group: unknown }>(sql, params)) {
      if (ids.length >= options.limit) break;
      const key = String(row.lease_group);
      const count = taken.get(key) ?? 0;
      if (count >= (shares.get(key) ?? 0)) continue;
      taken.set(key, count + 1);
      ids.push(String(row.lease_id));
    }
    const leased = await this.claimIds<T>(ids, { where: options.where, set: options.set }, executor);
    const byId = new Map(leased.map((row) => [String((row as Record<string, unknown>)[this.id]), row]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  /**
   * Leases the rows with these ids that no live lease holds and that meet
   * `where` (rows chosen by the caller, e.g. a fair pick across tenants, or
   * one row a waiting request may work on now), with `set` applied, and
   * returns them. On PostgreSQL, run it in the transaction that chose them
   * `FOR UPDATE SKIP LOCKED`.
   */
  async claimIds<T>(
    ids: readonly string[],
    options: { where?: SqlFragment; set?: SqlFragment } = {},
    executor: SqlExecutor = this.db,
  ): Promise<T[]> {
    if (ids.length === 0) return [];
    const now = this.clock.now();
    const base: unknown[] = [this.options.owner, now + this.options.leaseMs, now, JSON.stringify(ids)];
    const whereParams = options.where?.params ?? [];
    const where = options.where ? ` AND (${shiftPlaceholders(options.where.sql, base.length)})` : '';
    const [set, setParams] = this.extraSet(options.set, base.length + whereParams.length);
    return executor.query<T>(
      `UPDATE ${this.table} SET ${this.ownerColumn} = $1, ${this.until} = $2${set}
       WHERE ${this.id} IN (${jsonList(executor.dialect, '$4')}) AND ${this.freeAt('$3')}${where} RETURNING *`,
      [...base, ...whereParams, ...setParams],
    );
  }

  /**
   * Extends this owner's leases on these ids to `leaseMs` from now (rows
   * another owner took over meanwhile are left alone). With no ids, every
   * lease this owner holds (`where` narrows it). Returns the rows renewed.
   */
  async renew(ids?: readonly string[], options: { where?: SqlFragment } = {}, executor: SqlExecutor = this.db): Promise<number> {
    if (ids && ids.length === 0) return 0;
    const base: unknown[] = [this.clock.now() + this.options.leaseMs, this.options.owner];
    const byId = ids ? ` AND ${this.id} IN (${jsonList(executor.dialect, `$${base.push(JSON.stringify(ids))}`)})` : '';
    const where = options.where ? ` AND (${shiftPlaceholders(options.where.sql, base.length)})` : '';
    const result = await executor.execute(`UPDATE ${this.table} SET ${this.until} = $1 WHERE ${this.ownerColumn} = $2${byId}${where}`, [
      ...base,
      ...(options.where?.params ?? []),
    ]);
    return result.rowCount;
  }

  /**
   * Gives up this owner's leases on these ids (every lease it holds with no
   * ids; `where` narrows it), applying `set`, so others may claim the rows at
   * once. Returns the rows released.
   */
  async release(
    ids?: readonly string[],
    options: { where?: SqlFragment; set?: SqlFragment } = {},
    executor: SqlExecutor = this.db,
  ): Promise<number> {
    if (ids && ids.length === 0) return 0;
    const base: unknown[] = [this.options.owner];
    const byId = ids ? ` AND ${this.id} IN (${jsonList(executor.dialect, `$${base.push(JSON.stringify(ids))}`)})` : '';
    const whereParams = options.where?.params ?? [];
    const where = options.where ? ` AND (${shiftPlaceholders(options.where.sql, base.length)})` : '';
    const [set, setParams] = this.extraSet(options.set, base.length + whereParams.length);
    const result = await executor.execute(
      `UPDATE ${this.table} SET ${this.ownerColumn} = NULL, ${this.until} = ${this.released}${set} WHERE ${this.ownerColumn} = $1${byId}${where}`,
      [...base, ...whereParams, ...setParams],
    );
    return result.rowCount;
  }

  /**
   * Frees every lease that has run out (its owner stopped renewing: crashed
   * or stalled), applying `set` (e.g. back to `pending`), for work that is
   * claimed again by {@link claim}'s `where` rather than taken over in
   * place. Returns the rows freed.
   */
  async releaseExpired(options: { where?: SqlFragment; set?: SqlFragment } = {}, executor: SqlExecutor = this.db): Promise<number> {
    const base: unknown[] = [this.clock.now()];
    const whereParams = options.where?.params ?? [];
    const where = options.where ? ` AND (${shiftPlaceholders(options.where.sql, base.length)})` : '';
    const [set, setParams] = this.extraSet(options.set, base.length + whereParams.length);
    const result = await executor.execute(
      `UPDATE ${this.table} SET ${this.ownerColumn} = NULL, ${this.until} = ${this.released}${set}
       WHERE ${this.ownerColumn} IS NOT NULL AND ${this.until} < $1${where}`,
      [...base, ...whereParams, ...setParams],
    );
    return result.rowCount;
  }
}
