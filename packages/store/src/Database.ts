/** Which SQL engine a {@link Database} talks to. */
export type Dialect = 'sqlite' | 'postgres';

/** A row as the driver returns it. */
export type Row = Record<string, unknown>;

/**
 * Runs SQL. Write placeholders PostgreSQL-style (`$1`, `$2`, …) for both
 * dialects; the SQLite adapter rewrites them. Store times as BIGINT
 * milliseconds since the epoch, booleans as INTEGER 0/1 and JSON as TEXT so
 * one statement works on both engines.
 */
export interface SqlExecutor {
  /** The engine behind this executor. */
  readonly dialect: Dialect;
  /** Runs a statement and returns its rows (use `RETURNING` for writes that need them). */
  query<T = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a statement and returns how many rows it changed. */
  execute(sql: string, params?: readonly unknown[]): Promise<{ rowCount: number }>;
}

/** Options of {@link Database.transaction}. */
export interface TransactionOptions {
  /** PostgreSQL isolation level. Defaults to `read committed`. SQLite transactions are always serializable. */
  isolation?: 'read committed' | 'repeatable read' | 'serializable';
}

/** One schema change, written for both engines. */
export interface Migration {
  /** Increasing integer, unique within its namespace. */
  id: number;
  /** Short description, recorded with the migration. */
  name: string;
  /** Statements for SQLite. */
  sqlite: string | readonly string[];
  /** Statements for PostgreSQL. */
  postgres: string | readonly string[];
}

/** A connection (SQLite) or pool (PostgreSQL) with transactions and migrations. */
export interface Database extends SqlExecutor {
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back
   * when it throws. On SQLite transactions are serialised in-process
   * (`BEGIN IMMEDIATE`) and no other statement runs on the connection while
   * one is open.
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** Applies the migrations of `namespace` not applied yet, in id order, each in its own transaction; safe when several processes start at once. */
  migrate(namespace: string, migrations: readonly Migration[]): Promise<{ applied: number[] }>;
  /** Ids of the migrations of `namespace` already applied. */
  appliedMigrations(namespace: string): Promise<number[]>;
  /** Resolves when the store answers a trivial query. */
  ping(): Promise<void>;
  /** Closes the connection or pool. */
  close(): Promise<void>;
}

/** Where the data lives. */
export type StoreConfig =
  | {
      driver: 'sqlite';
      /** File path (created if missing), or `:memory:`. */
      path: string;
      /** `FULL` (default) survives power loss; `NORMAL` is faster and still survives a process crash in WAL mode. */
      synchronous?: 'FULL' | 'NORMAL';
      /** How long to wait for another process' write lock, ms. Defaults to 5000. */
      busyTimeoutMs?: number;
      /**
       * Where the connection runs. `main` (default): on the event loop, with
       * the fsyncs and checkpoints on other threads (fast for many small
       * statements). `worker`: entirely on a worker thread, one message per
       * statement (frees the event loop for batch work such as webhook dispatch).
       */
      thread?: 'main' | 'worker';
      /** Each WAL sync's duration and the commits it made durable (`thread: 'main'`, `synchronous: 'FULL'`; for metrics). */
      onSync?: (result: SyncResult) => void;
      /** Each background checkpoint's duration and WAL size (`thread: 'main'`; for metrics). */
      onCheckpoint?: (result: CheckpointResult) => void;
    }
  | {
      driver: 'postgres';
      /** `postgres://user@host:port/db`. */
      url: string;
      /** Pool size. Defaults to 10. */
      poolSize?: number;
      /** Name shown in `pg_stat_activity`. Defaults to `relaypoint`. */
      applicationName?: string;
    };

/** One checkpoint done by the worker thread: WAL frames at the time and frames copied into the database file. */
export interface CheckpointResult {
  log: number;
  checkpointed: number;
  /** The WAL was wholly copied and released: the next commit starts it over from its beginning. */
  restarted: boolean;
  /** How long the checkpoint took (page copies and both fsyncs), seconds. */
  seconds: number;
}

/** One WAL sync (`synchronous: 'FULL'`): how long the disk took, and how many commits it made durable. */
export interface SyncResult {
  seconds: number;
  commits: number;
}
