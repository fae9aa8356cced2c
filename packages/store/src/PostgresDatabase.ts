import pg from 'pg';
import type { Row, SqlExecutor, TransactionOptions } from './Database.js';
import { CREATE_MIGRATIONS_TABLE } from './migrate.js';
import { DatabaseBase } from './DatabaseBase.js';

/** Options of {@link PostgresDatabase.open}. */
export interface PostgresOptions {
  /** Pool size. Defaults to 10. */
  poolSize?: number;
  /** Name in `pg_stat_activity`. Defaults to `relaypoint`. */
  applicationName?: string;
}

// BIGINT (int8) and NUMERIC come back as strings by default; our BIGINTs are
// epoch milliseconds and counters, well inside Number's safe range.
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
};

function executorOf(client: pg.Pool | pg.PoolClient): SqlExecutor {
  return {
    dialect: 'postgres',
    query: async <T = Row>(sql: string, params: readonly unknown[] = []) =>
      (await client.query({ text: sql, values: params as unknown[] })).rows as T[],
    execute: async (sql: string, params: readonly unknown[] = []) => ({
      rowCount: (await client.query({ text: sql, values: params as unknown[] })).rowCount ?? 0,
    }),
  };
}

/** The multi-instance store: a `pg` pool. Several host processes share one database. */
export class PostgresDatabase extends DatabaseBase {
  readonly dialect = 'postgres' as const;
  /** The underlying pool (for LISTEN/NOTIFY or driver-specific needs). */
  readonly pool: pg.Pool;
  private readonly exec: SqlExecutor;
  private closed = false;

  private constructor(pool: pg.Pool) {
    super();
    this.pool = pool;
    this.exec = executorOf(pool);
  }

  /** Opens a pool; resolves once a connection succeeds. */
  static async open(url: string, options: PostgresOptions = {}): Promise<PostgresDatabase> {
    const pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      application_name: options.applicationName ?? 'relaypoint',
      types,
    });
    // An idle client losing its connection must not crash the process; the pool replaces it.
    pool.on('error', () => {});
    const db = new PostgresDatabase(pool);
    try {
      await db.ping();
    } catch (e) {
      await pool.end().catch(() => {});
      throw e;
    }
    return db;
  }

  query<T = Row>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    return this.exec.query<T>(sql, params);
  }

  execute(sql: string, params?: readonly unknown[]): Promise<{ rowCount: number }> {
    return this.exec.execute(sql, params);
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    // A checked-out client has no listener of the pool's: a server that goes away would emit an unhandled 'error'
    // and end the process. The failing query rejects on its own; the client is not returned to the pool.
    const onError = () => {
      broken = true;
    };
    client.on('error', onError);
    try {
      await client.query(`BEGIN ISOLATION LEVEL ${(options.isolation ?? 'read committed').toUpperCase()}`);
      const out = await fn(executorOf(client));
      await client.query('COMMIT');
      return out;
    } catch (e) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      throw e;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  /** @internal */
  override async ensureMigrationsTable(): Promise<void> {
    // Concurrent CREATE TABLE IF NOT EXISTS can still race on the catalog; serialise it.
    await this.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(724001)');
      await tx.execute(CREATE_MIGRATIONS_TABLE);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
