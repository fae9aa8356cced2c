import type { Database, SqlExecutor } from '@relaypoint/store';

interface Entry {
  fn: (tx: SqlExecutor) => Promise<unknown>;
  /** One statement: SQLite undoes a failed statement by itself, so it needs no savepoint of its own. */
  single: boolean;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * Commits the small transactions of concurrent requests together, so one
 * fsync covers many of them (SQLite with `synchronous=FULL` pays one per
 * commit, on the event loop). Each unit of work runs inside its own
 * SAVEPOINT: one that throws is rolled back alone and its caller gets the
 * error; the others commit. A caller's promise settles only after the
 * commit that made its work durable. On PostgreSQL (commits do not block
 * the process, and the pool runs them in parallel) work runs in its own
 * transaction at once.
 */
export class GroupCommit {
  private queue: Entry[] = [];
  private flushing = false;

  /**
   * @param db the store
   * @param maxBatch units of work per transaction. Defaults to 256.
   */
  constructor(
    private readonly db: Database,
    private readonly maxBatch = 256,
  ) {}

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
  query<T>(sql: string, params: readonly unknown[]): Promise<T[]> {
    if (this.db.dialect !== 'sqlite') return this.db.query<T>(sql, params);
    return this.enqueue((tx) => tx.query<T>(sql, params), true);
  }

  private enqueue<T>(fn: (tx: SqlExecutor) => Promise<T>, single: boolean): Promise<T> {
    if (this.db.dialect !== 'sqlite') return this.db.transaction(fn);
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, single, resolve: resolve as (v: unknown) => void, reject });
      if (!this.flushing) {
        this.flushing = true;
        // Let requests arriving in the same turn of the event loop join this batch.
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
      try {
        await this.db.transaction(async (tx) => {
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
      } catch (error) {
        // The commit failed (or the lone unit threw): nothing in this batch is durable.
        for (const entry of batch) entry.reject(error);
        continue;
      }
      for (const [i, entry] of batch.entries()) {
        const o = outcomes[i];
        if (o.ok) entry.resolve(o.value);
        else entry.reject(o.error);
      }
    }
    this.flushing = false;
  }
}
