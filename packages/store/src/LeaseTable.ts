import type { Database, SqlExecutor } from './Database.js';
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
    const hint = !postgres && options.sqliteIndex ? ` INDEXED BY ${options.sqliteIndex}` : '';
    return executor.query<T>(
      `UPDATE ${this.table} SET ${this.ownerColumn} = $1, ${this.until} = $2${set}
       WHERE ${this.id} IN (SELECT ${this.id} FROM ${this.table}${hint} WHERE (${where}) AND ${leaseFree}
                            ORDER BY ${options.orderBy} LIMIT $4${postgres ? ' FOR UPDATE SKIP LOCKED' : ''})
       RETURNING *`,
      [...base, ...whereParams, ...setParams],
    );
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
