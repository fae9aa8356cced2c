import BetterSqlite3 from 'better-sqlite3';
import type { Database, Migration, Row, SqlExecutor, TransactionOptions } from './Database.js';
import { toSqlitePlaceholders } from './placeholders.js';
import { CREATE_MIGRATIONS_TABLE, listAppliedMigrations, runMigrations } from './migrate.js';

/** Options of {@link SqliteDatabase.open}. */
export interface SqliteOptions {
  /** `FULL` (default) or `NORMAL`. */
  synchronous?: 'FULL' | 'NORMAL';
  /** Wait for another process' lock, ms. Defaults to 5000. */
  busyTimeoutMs?: number;
}

/**
 * The embedded default store: one better-sqlite3 connection in WAL mode.
 * better-sqlite3 is synchronous, so an async transaction callback would let
 * other callers' statements slip into it between awaits; a FIFO lock keeps
 * every statement outside an open transaction waiting until it ends.
 */
export class SqliteDatabase implements Database {
  readonly dialect = 'sqlite' as const;
  private readonly db: BetterSqlite3.Database;
  private readonly statements = new Map<string, BetterSqlite3.Statement>();
  private lock: Promise<void> = Promise.resolve();
  private locked = false;
  private closed = false;

  private readonly busyTimeoutMs: number;

  private constructor(db: BetterSqlite3.Database, busyTimeoutMs: number) {
    this.db = db;
    this.busyTimeoutMs = busyTimeoutMs;
  }

  /** Opens (creating if needed) the file at `path` in WAL mode. */
  static open(path: string, options: SqliteOptions = {}): SqliteDatabase {
    const db = new BetterSqlite3(path);
    // better-sqlite3's busy wait blocks the event loop, which deadlocks when
    // the lock holder is another connection in this same process waiting on
    // an await. Wait asynchronously instead (see retryBusy).
    db.pragma('busy_timeout = 0');
    if (path !== ':memory:') db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
    db.pragma('foreign_keys = ON');
    return new SqliteDatabase(db, options.busyTimeoutMs ?? 5000);
  }

  private prepare(sql: string): BetterSqlite3.Statement {
    let st = this.statements.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      if (this.statements.size > 500) this.statements.clear();
      this.statements.set(sql, st);
    }
    return st;
  }

  private runQuery<T>(sql: string, params: readonly unknown[]): T[] {
    const q = toSqlitePlaceholders(sql, params);
    const st = this.prepare(q.sql);
    if (st.reader) return st.all(...q.params) as T[];
    st.run(...q.params);
    return [];
  }

  private runExecute(sql: string, params: readonly unknown[]): { rowCount: number } {
    const q = toSqlitePlaceholders(sql, params);
    const st = this.prepare(q.sql);
    if (st.reader) return { rowCount: st.all(...q.params).length };
    return { rowCount: st.run(...q.params).changes };
  }

  private executor(): SqlExecutor {
    return {
      dialect: 'sqlite',
      query: async <T = Row>(sql: string, params: readonly unknown[] = []) => this.runQuery<T>(sql, params),
      execute: async (sql: string, params: readonly unknown[] = []) => this.runExecute(sql, params),
    };
  }

  private async withLock<T>(fn: () => Promise<T>): Promise<T> {
    const prev = this.lock;
    let release!: () => void;
    this.lock = new Promise<void>((r) => (release = r));
    await prev;
    this.locked = true;
    try {
      return await fn();
    } finally {
      this.locked = false;
      release();
    }
  }

  /** Retries a statement that met another connection's lock, waiting asynchronously, for up to busyTimeoutMs. */
  private async retryBusy<T>(fn: () => T): Promise<T> {
    const deadline = Date.now() + this.busyTimeoutMs;
    let delay = 1;
    for (;;) {
      try {
        return fn();
      } catch (e) {
        if ((e as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() >= deadline) throw e;
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 50);
      }
    }
  }

  async query<T = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    if (!this.locked) return this.retryBusy(() => this.runQuery<T>(sql, params));
    return this.withLock(async () => this.retryBusy(() => this.runQuery<T>(sql, params)));
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<{ rowCount: number }> {
    if (!this.locked) return this.retryBusy(() => this.runExecute(sql, params));
    return this.withLock(async () => this.retryBusy(() => this.runExecute(sql, params)));
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, _options?: TransactionOptions): Promise<T> {
    return this.withLock(async () => {
      await this.retryBusy(() => this.db.exec('BEGIN IMMEDIATE'));
      try {
        const out = await fn(this.executor());
        await this.retryBusy(() => this.db.exec('COMMIT'));
        return out;
      } catch (e) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw e;
      }
    });
  }

  async migrate(namespace: string, migrations: readonly Migration[]): Promise<{ applied: number[] }> {
    return runMigrations(this, namespace, migrations);
  }

  async appliedMigrations(namespace: string): Promise<number[]> {
    return listAppliedMigrations(this, namespace);
  }

  /** @internal */
  async ensureMigrationsTable(): Promise<void> {
    await this.execute(
      CREATE_MIGRATIONS_TABLE,
    );
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.withLock(async () => {
      this.closed = true;
      this.statements.clear();
      this.db.close();
    });
  }
}
