import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Row, SqlExecutor, TransactionOptions } from './Database.js';
import { DatabaseBase, FifoLock } from './DatabaseBase.js';
import type { WorkerCall, WorkerOptions, WorkerReply, WorkerRequest } from './sqliteWorker.js';

/** Options of {@link SqliteWorkerDatabase.open}. */
export interface SqliteWorkerOptions {
  /** `FULL` (default) survives power loss; `NORMAL` survives a process crash. */
  synchronous?: 'FULL' | 'NORMAL';
  /** Wait for another connection's lock, ms. Defaults to 5000. */
  busyTimeoutMs?: number;
}

type Pending = { resolve(reply: WorkerReply): void; reject(error: Error): void };

/** A driver error rebuilt on this thread, keeping the code (`SQLITE_CONSTRAINT_UNIQUE`, `SQLITE_BUSY`, …). */
function driverError(e: { message: string; code?: string }): Error {
  return Object.assign(new Error(e.message), e.code ? { code: e.code } : {});
}

/**
 * SQLite on a worker thread: the same store as {@link SqliteDatabase} (WAL,
 * `synchronous = FULL` by default, the same `Database` contract and
 * migrations), with the connection owned by a worker thread. Statements,
 * COMMIT's fsync and checkpoints run there, so the event loop only sends
 * messages: the right choice for a process whose event loop is the
 * bottleneck and whose work comes in batches (the webhook dispatcher
 * records and claims hundreds of rows in a handful of statements). Each
 * statement is one round trip (tens of µs), so code that runs many small
 * statements one after another is better served by {@link SqliteDatabase}.
 */
export class SqliteWorkerDatabase extends DatabaseBase {
  readonly dialect = 'sqlite' as const;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private readonly lock = new FifoLock();
  private closed = false;
  private failed: Error | undefined;
  private readonly exited: Promise<void>;

  private constructor(private readonly worker: Worker) {
    super();
    this.exited = new Promise((r) => worker.once('exit', () => r()));
    worker.on('message', (reply: WorkerReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      if ('error' in reply) p.reject(driverError(reply.error));
      else p.resolve(reply);
    });
    const fail = (e: Error) => {
      this.failed ??= e;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    worker.on('error', (e) => fail(new Error(`SQLite worker thread failed: ${e.message}`, { cause: e })));
    worker.on('exit', (code) => fail(new Error(`SQLite worker thread exited (code ${code})`)));
  }

  /** Starts the worker thread and opens (creating if needed) the file at `path` in WAL mode. */
  static async open(path: string, options: SqliteWorkerOptions = {}): Promise<SqliteWorkerDatabase> {
    const data: WorkerOptions = {
      path: path === ':memory:' || path === '' ? path : resolve(path),
      synchronous: options.synchronous ?? 'FULL',
      busyTimeoutMs: options.busyTimeoutMs ?? 5000,
    };
    const worker = new Worker(new URL('./sqliteWorker.js', import.meta.url), { workerData: data });
    const db = new SqliteWorkerDatabase(worker);
    // The worker's first message (id 0) says whether the file opened.
    await new Promise<void>((resolveOpen, reject) => {
      db.pending.set(0, { resolve: () => resolveOpen(), reject });
    });
    return db;
  }

  private call(msg: WorkerCall): Promise<WorkerReply> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    return new Promise<WorkerReply>((resolveCall, reject) => {
      if (this.pending.size === 0) this.worker.ref(); // a pending call keeps the process alive, an idle connection does not
      this.pending.set(id, { resolve: resolveCall, reject });
      this.worker.postMessage({ ...msg, id } satisfies WorkerRequest);
    });
  }

  private async runQuery<T>(sql: string, params: readonly unknown[]): Promise<T[]> {
    return ((await this.call({ op: 'query', sql, params })) as { rows: T[] }).rows;
  }

  private async runExecute(sql: string, params: readonly unknown[]): Promise<{ rowCount: number }> {
    return { rowCount: ((await this.call({ op: 'execute', sql, params })) as { rowCount: number }).rowCount };
  }

  async query<T = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return this.lock.held ? this.lock.run(() => this.runQuery<T>(sql, params)) : this.runQuery<T>(sql, params);
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<{ rowCount: number }> {
    return this.lock.held ? this.lock.run(() => this.runExecute(sql, params)) : this.runExecute(sql, params);
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, _options?: TransactionOptions): Promise<T> {
    return this.lock.run(async () => {
      await this.call({ op: 'exec', sql: 'BEGIN IMMEDIATE' });
      try {
        const out = await fn({
          dialect: 'sqlite',
          query: <R = Row>(sql: string, params: readonly unknown[] = []) => this.runQuery<R>(sql, params),
          execute: (sql: string, params: readonly unknown[] = []) => this.runExecute(sql, params),
        });
        await this.call({ op: 'exec', sql: 'COMMIT' });
        return out;
      } catch (e) {
        await this.call({ op: 'rollbackIfOpen' }).catch(() => {});
        throw e;
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.lock.run(async () => {
      this.closed = true;
      if (!this.failed) await this.call({ op: 'close' });
      this.worker.ref();
      await this.exited;
    });
  }
}
