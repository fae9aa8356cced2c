import type { Database, Dialect, SqlExecutor } from './Database.js';

/** Thrown by a batch's transaction that found its work already taken: rolled back, not an error. */
const NOTHING_TO_DO = Symbol('nothing to do');

interface Entry {
  fn: (tx: SqlExecutor) => Promise<unknown>;
  /** One statement: SQLite undoes a failed statement by itself, so it needs no savepoint of its own. */
  single: boolean;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * Commits the small transactions of concurrent requests together, so one
 * commit and one WAL sync cover many of them. Each unit of work runs inside its own
 * SAVEPOINT: one that throws is rolled back alone and its caller gets the
 * error; the others commit. A caller's promise settles only after the
 * commit that made its work durable. On PostgreSQL (commits do not block
 * the process, and the pool runs them in parallel) work runs in its own
 * transaction at once.
 */
export class GroupCommit implements SqlExecutor {
  private queue: Entry[] = [];
  private scheduled = false;
  /** The newest batch's transaction until it is committed and durable. */
  private settling: Promise<void> | undefined;

  /**
   * @param db the store
   * @param maxBatch units of work per transaction. Defaults to 256.
   * @param pipelineAt queued units that start a transaction while the previous one is still being made
   *   durable. Defaults to 8.
   */
  constructor(
    private readonly db: Database,
    private readonly maxBatch = 256,
    private readonly pipelineAt = 8,
  ) {}

  /** The engine of the store behind it. */
  get dialect(): Dialect {
    return this.db.dialect;
  }

  /** Runs `fn` in a transaction (shared with concurrent callers on SQLite) and resolves once it is committed. */
  run<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.enqueue(fn, false);
  }

  /**
   * Runs one statement as a unit of work, committed like {@link run}. A
   * failing statement is undone by the store itself (statement-level
   * atomicity), so it skips the two savepoint statements a unit costs.
   * On PostgreSQL it runs on its own (autocommit).
   */
  query<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    if (this.db.dialect !== 'sqlite') return this.db.query<T>(sql, params);
    return this.enqueue((tx) => tx.query<T>(sql, params), true);
  }

  /** {@link query} for a statement whose rows are not needed: resolves with how many rows it changed, once committed. */
  execute(sql: string, params: readonly unknown[] = []): Promise<{ rowCount: number }> {
    if (this.db.dialect !== 'sqlite') return this.db.execute(sql, params);
    return this.enqueue((tx) => tx.execute(sql, params), true);
  }

  private enqueue<T>(fn: (tx: SqlExecutor) => Promise<T>, single: boolean): Promise<T> {
    if (this.db.dialect !== 'sqlite') return this.db.transaction(fn);
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, single, resolve: resolve as (v: unknown) => void, reject });
      this.schedule();
    });
  }

  /**
   * Starts a transaction two turns of the event loop later: work queued in
   * this turn joins it, and so does work from the I/O the next turn brings in
   * (provider answers, new requests). On an idle loop a turn takes
   * microseconds; on a busy one it gathers more units per commit and WAL
   * sync, the event loop's largest fixed cost per issuance at moderate load.
   * While the previous transaction is still being made durable, work waits
   * for it instead, and then commits in one transaction: it could not be
   * durable before that sync ended anyway (one WAL sync runs at a time), so
   * it loses only its own execution time, and a moderately loaded host pays
   * for fewer transactions. Once `pipelineAt`
   * units are waiting, the next transaction runs during the sync, so a busy
   * event loop does not sit idle while the disk works.
   */
  private schedule(): void {
    if (this.scheduled) return;
    if (this.settling && this.queue.length < this.pipelineAt) return;
    this.scheduled = true;
    setImmediate(() => setImmediate(() => this.startBatch()));
  }

  /**
   * Starts one transaction (see {@link schedule} for when). The store runs
   * transactions one at a time, so this one takes its batch when it gets the
   * store: everything queued until then joins it. Each caller settles when
   * its own transaction has settled (committed and durable, or failed).
   */
  private startBatch(): void {
    this.scheduled = false;
    let batch: Entry[] = [];
    let started = false;
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    const done = this.db.transaction(async (tx) => {
      started = true;
      batch = this.queue.splice(0, this.maxBatch);
      // An earlier transaction took everything while this one waited for the store: roll back, so an empty
      // transaction costs no commit and no WAL sync.
      if (batch.length === 0) throw NOTHING_TO_DO;
      // Work arriving from now on, or left over past maxBatch, goes to the next transaction.
      if (this.queue.length > 0) this.schedule();
      if (batch.length === 1) {
        // Alone in its transaction: a failure rolls the whole transaction back, no savepoint needed.
        outcomes.push({ ok: true, value: await batch[0].fn(tx) });
        return;
      }
      for (const [i, entry] of batch.entries()) {
        if (entry.single) {
          try {
            outcomes.push({ ok: true, value: await entry.fn(tx) });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
          continue;
        }
        await tx.execute(`SAVEPOINT gc_${i}`);
        try {
          outcomes.push({ ok: true, value: await entry.fn(tx) });
          await tx.execute(`RELEASE SAVEPOINT gc_${i}`);
        } catch (error) {
          await tx.execute(`ROLLBACK TO SAVEPOINT gc_${i}`);
          await tx.execute(`RELEASE SAVEPOINT gc_${i}`);
          outcomes.push({ ok: false, error });
        }
      }
    });
    const settled = done.then(
      () => undefined,
      () => undefined,
    );
    this.settling = settled;
    void settled.then(() => {
      if (this.settling === settled) this.settling = undefined;
      if (this.queue.length > 0) this.schedule();
    });
    done.then(
      () => {
        for (const [i, entry] of batch.entries()) {
          const o = outcomes[i];
          if (o.ok) entry.resolve(o.value);
          else entry.reject(o.error);
        }
      },
      (error: unknown) => {
        if (error === NOTHING_TO_DO) return;
        // The commit failed (or the lone unit threw): nothing in this batch is durable.
        // When BEGIN itself failed, the batch was never taken: the work queued for it fails with it.
        for (const entry of started ? batch : this.queue.splice(0, this.maxBatch)) entry.reject(error);
        if (this.queue.length > 0) this.schedule();
      },
    );
  }
}
