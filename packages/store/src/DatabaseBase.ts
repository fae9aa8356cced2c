import type { Database, Dialect, Migration, Row, SqlExecutor, TransactionOptions } from './Database.js';
import { CREATE_MIGRATIONS_TABLE, listAppliedMigrations, runMigrations } from './migrate.js';

/** What every engine shares: migrations through `migrate.ts` and `ping`. */
export abstract class DatabaseBase implements Database {
  abstract readonly dialect: Dialect;
  abstract query<T = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  abstract execute(sql: string, params?: readonly unknown[]): Promise<{ rowCount: number }>;
  abstract transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, options?: TransactionOptions): Promise<T>;
  abstract close(): Promise<void>;

  async migrate(namespace: string, migrations: readonly Migration[]): Promise<{ applied: number[] }> {
    return runMigrations(this, namespace, migrations);
  }

  async appliedMigrations(namespace: string): Promise<number[]> {
    return listAppliedMigrations(this, namespace);
  }

  /** @internal Creates the bookkeeping table; PostgreSQL serialises it against concurrent starts. */
  async ensureMigrationsTable(): Promise<void> {
    await this.execute(CREATE_MIGRATIONS_TABLE);
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1');
  }
}

/**
 * A FIFO lock for one SQLite connection: a transaction holds it across its
 * awaits, so no other caller's statement slips into it; `held` lets
 * statements outside any transaction skip the queue when it is free.
 */
export class FifoLock {
  private tail: Promise<void> = Promise.resolve();
  held = false;

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const prev = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((r) => (release = r));
    await prev;
    this.held = true;
    try {
      return await fn();
    } finally {
      this.held = false;
      release();
    }
  }
}
