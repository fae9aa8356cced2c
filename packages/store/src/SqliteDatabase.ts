import BetterSqlite3 from 'better-sqlite3';
import { fdatasync } from 'node:fs';
import { open as openFile, type FileHandle } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CheckpointResult, Row, SqlExecutor, SyncResult, TransactionOptions } from './Database.js';
import { DatabaseBase, FifoLock } from './DatabaseBase.js';
import { StatementCache } from './statementCache.js';
import type { CheckpointerReply, CheckpointerRequest } from './sqliteCheckpointer.js';

/**
 * `fdatasync` on the libuv thread pool through the callback API: about 10 µs
 * less event-loop time per sync than `FileHandle.datasync()`'s promise
 * machinery, and a busy host syncs more than once per issuance.
 */
function datasync(file: FileHandle): Promise<void> {
  return new Promise<void>((resolveSync, reject) => fdatasync(file.fd, (e) => (e ? reject(e) : resolveSync())));
}

/** Options of {@link SqliteDatabase.open}. */
export interface SqliteOptions {
  /** `FULL` (default) survives power loss; `NORMAL` survives a process crash. */
  synchronous?: 'FULL' | 'NORMAL';
  /** Wait for another process' lock, ms. Defaults to 5000. */
  busyTimeoutMs?: number;
  /** How long after a commit the worker thread checkpoints the WAL, ms. Defaults to 200. */
  checkpointDelayMs?: number;
  /**
   * WAL frames (pages) past which the worker thread's checkpoint waits briefly
   * for the writer, copies everything and lets the next commit start the WAL
   * over instead of appending to it. Defaults to 1000 (about 4 MB with 4 KB
   * pages), the size at which SQLite checkpoints by itself.
   */
  walRestartFrames?: number;
  /** Called after each checkpoint of the worker thread (for metrics and tests). */
  onCheckpoint?: (result: CheckpointResult) => void;
  /**
   * Called after each WAL sync that succeeded (`synchronous: 'FULL'`), for
   * metrics: every commit waits for one, so a slow disk shows here first.
   */
  onSync?: (result: SyncResult) => void;
  /** @internal How the WAL is made durable; defaults to `fdatasync` on the libuv thread pool. Tests replace it. */
  syncWal?: (wal: FileHandle) => Promise<void>;
}

/** The error of a statement or commit attempted after SQLite rolled its transaction back. */
function transactionGone(cause: unknown): Error {
  const why = cause instanceof Error ? `${(cause as { code?: string }).code ?? cause.name}: ${cause.message}` : 'an earlier error in it';
  return Object.assign(new Error(`the transaction was rolled back by SQLite after ${why}; nothing of it is committed`, { cause }), {
    code: 'SQLITE_TRANSACTION_ROLLED_BACK',
  });
}

/** Calls an observer hook; whatever it throws stays there, so a metrics slip can never fail a commit. */
function report<T>(hook: ((result: T) => void) | undefined, result: T): void {
  try {
    hook?.(result);
  } catch {
    /* the hook's own problem */
  }
}

/**
 * The embedded default store: one better-sqlite3 connection in WAL mode.
 *
 * better-sqlite3 is synchronous, so an async transaction callback would let
 * other callers' statements slip into it between awaits; a FIFO lock keeps
 * every statement outside an open transaction waiting until it ends.
 *
 * Nothing slow runs on the event loop. With `synchronous: 'FULL'` a commit
 * writes its WAL frames (`synchronous = NORMAL` on this connection, a plain
 * `write`) and releases the lock; the WAL is then `fdatasync`ed on the libuv
 * thread pool, one sync for every commit that arrived meanwhile (group
 * commit), and the commit resolves only after it. Every other call (reads
 * too) resolves only once everything committed before it is durable, so no
 * caller ever acts on a state a power cut could undo: the same guarantee as
 * SQLite's own `synchronous = FULL`, without stalling every socket for the
 * fsync. Checkpoints (copying the WAL into the database file, two more
 * fsyncs) run on a second connection in a worker thread, with
 * `synchronous = FULL`, and automatic checkpoints are off on this one.
 */
export class SqliteDatabase extends DatabaseBase {
  readonly dialect = 'sqlite' as const;
  private readonly db: BetterSqlite3.Database;
  private readonly statements: StatementCache;
  private readonly lock = new FifoLock();
  private closed = false;

  /** Commits written so far, and how many of them are known durable. */
  private written = 0;
  private synced = 0;
  private syncing: Promise<void> | undefined;
  private walFile: Promise<FileHandle> | undefined;
  private fatal: Error | undefined;

  private worker: Worker | undefined;
  private workerFailed = false;
  private checkpointTimer: NodeJS.Timeout | undefined;
  private checkpointing = false;
  private writtenAtCheckpoint = 0;
  private workerClosed: (() => void) | undefined;

  private constructor(
    db: BetterSqlite3.Database,
    private readonly path: string,
    /** Commits wait for the WAL sync (FULL on a WAL file). */
    private readonly durable: boolean,
    /** Checkpoints run in the worker thread (any WAL file). */
    private readonly walMode: boolean,
    private readonly options: SqliteOptions,
  ) {
    super();
    this.db = db;
    this.statements = new StatementCache(db);
  }

  /** Opens (creating if needed) the file at `path` in WAL mode. */
  static open(path: string, options: SqliteOptions = {}): SqliteDatabase {
    const db = new BetterSqlite3(path);
    // better-sqlite3's busy wait blocks the event loop, which deadlocks when
    // the lock holder is another connection in this same process waiting on
    // an await. Wait asynchronously instead (see retryBusy).
    db.pragma('busy_timeout = 0');
    const mode = options.synchronous ?? 'FULL';
    const inMemory = path === ':memory:' || path === '';
    const wal = !inMemory && String(db.pragma('journal_mode = WAL', { simple: true })).toLowerCase() === 'wal';
    if (wal) {
      // Commits only write() to the WAL here; durability (FULL) comes from the
      // async fdatasync below and checkpoints from the worker thread.
      db.pragma('synchronous = NORMAL');
      db.pragma('wal_autocheckpoint = 0');
      db.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
    } else {
      db.pragma(`synchronous = ${mode}`);
    }
    db.pragma('foreign_keys = ON');
    return new SqliteDatabase(db, inMemory ? path : resolve(path), wal && mode === 'FULL', wal, options);
  }

  private runQuery<T>(sql: string, params: readonly unknown[]): T[] {
    const { st, bound } = this.statements.get(sql, params);
    if (st.reader) {
      const rows = st.all(...bound) as T[];
      if (!st.readonly) this.wroteOutsideTransaction();
      return rows;
    }
    st.run(...bound);
    this.wroteOutsideTransaction();
    return [];
  }

  private runExecute(sql: string, params: readonly unknown[]): { rowCount: number } {
    const { st, bound } = this.statements.get(sql, params);
    if (st.reader) {
      const rowCount = st.all(...bound).length;
      if (!st.readonly) this.wroteOutsideTransaction();
      return { rowCount };
    }
    const rowCount = st.run(...bound).changes;
    this.wroteOutsideTransaction();
    return { rowCount };
  }

  /** An autocommit write just committed; inside a transaction the COMMIT counts instead. */
  private wroteOutsideTransaction(): void {
    if (!this.db.inTransaction) this.committed();
  }

  private committed(): void {
    this.written++;
    if (this.walMode) this.scheduleCheckpoint();
  }

  /**
   * The executor of an open transaction. SQLite rolls the whole transaction
   * back by itself on some errors (SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM,
   * …), not just the failing statement; a statement run after that would be
   * committed on its own (autocommit) while the caller believes it part of a
   * transaction that will fail. So once the transaction is gone, every
   * further statement is refused.
   */
  private executor(state: { cause?: unknown }): SqlExecutor {
    const run = <R>(fn: () => R): R => {
      if (!this.db.inTransaction) throw transactionGone(state.cause);
      try {
        return fn();
      } catch (e) {
        if (!this.db.inTransaction) state.cause ??= e;
        throw e;
      }
    };
    return {
      dialect: 'sqlite',
      query: async <T = Row>(sql: string, params: readonly unknown[] = []) => run(() => this.runQuery<T>(sql, params)),
      execute: async (sql: string, params: readonly unknown[] = []) => run(() => this.runExecute(sql, params)),
    };
  }

  /** Retries a statement that met another connection's lock, waiting asynchronously, for up to busyTimeoutMs. */
  private async retryBusy<T>(fn: () => T): Promise<T> {
    const deadline = Date.now() + (this.options.busyTimeoutMs ?? 5000);
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

  /**
   * Resolves once every commit made so far is durable (at once when it
   * already is, or when durability comes from elsewhere). One WAL sync runs
   * at a time and covers every commit written before it started.
   */
  private settled(): Promise<void> | undefined {
    if (this.fatal) return Promise.reject(this.fatal);
    if (!this.durable || this.synced >= this.written) return undefined;
    return this.waitSynced(this.written);
  }

  private async waitSynced(target: number): Promise<void> {
    while (this.synced < target) {
      if (this.fatal) throw this.fatal;
      this.syncing ??= this.syncRound().finally(() => (this.syncing = undefined));
      await this.syncing;
    }
  }

  private async syncRound(): Promise<void> {
    const upTo = this.written;
    const from = this.synced;
    let started: number;
    try {
      this.walFile ??= openFile(`${this.path}-wal`, 'r+');
      const wal = await this.walFile;
      started = performance.now();
      await (this.options.syncWal ? this.options.syncWal(wal) : datasync(wal));
    } catch (e) {
      // After a failed fsync the kernel may have dropped the dirty pages;
      // retrying could report a commit durable that is not. Refuse all further work.
      this.fatal = new Error(
        `SQLite WAL sync failed for ${this.path}; the store can no longer confirm what is durable: ${(e as Error).message}`,
        { cause: e },
      );
      throw this.fatal;
    }
    if (upTo > this.synced) this.synced = upTo;
    report(this.options.onSync, { seconds: (performance.now() - started) / 1000, commits: upTo - from });
  }

  private scheduleCheckpoint(): void {
    if (this.checkpointTimer || this.checkpointing || this.workerFailed || this.closed) return;
    this.checkpointTimer = setTimeout(() => this.checkpoint(), this.options.checkpointDelayMs ?? 200);
    this.checkpointTimer.unref();
  }

  private checkpoint(): void {
    this.checkpointTimer = undefined;
    if (this.closed || this.workerFailed) return;
    const worker = (this.worker ??= this.startWorker());
    if (!worker) return;
    this.checkpointing = true;
    this.writtenAtCheckpoint = this.written;
    worker.postMessage({ op: 'checkpoint' } satisfies CheckpointerRequest);
  }

  private startWorker(): Worker | undefined {
    try {
      const worker = new Worker(new URL('./sqliteCheckpointer.js', import.meta.url), {
        workerData: { path: this.path, restartFrames: this.options.walRestartFrames ?? 1000 },
      });
      worker.unref();
      worker.on('message', (reply: CheckpointerReply) => this.onWorkerReply(reply));
      worker.on('error', () => this.checkpointInProcess());
      worker.on('exit', () => {
        this.workerClosed?.();
        if (!this.closed) this.checkpointInProcess();
      });
      return worker;
    } catch {
      this.checkpointInProcess();
      return undefined;
    }
  }

  private onWorkerReply(reply: CheckpointerReply): void {
    if (reply.op === 'closed') return;
    this.checkpointing = false;
    if (reply.op === 'checkpointed') {
      report(this.options.onCheckpoint, {
        log: reply.log,
        checkpointed: reply.checkpointed,
        restarted: reply.restarted,
        seconds: reply.ms / 1000,
      });
    }
    if (this.written > this.writtenAtCheckpoint) this.scheduleCheckpoint();
  }

  /** Without a worker thread the WAL still must not grow forever: checkpoint on this connection, as SQLite does by default. */
  private checkpointInProcess(): void {
    if (this.workerFailed || this.closed) return;
    this.workerFailed = true;
    this.worker = undefined;
    this.checkpointing = false;
    this.db.pragma(`synchronous = ${this.durable ? 'FULL' : 'NORMAL'}`);
    this.db.pragma('wal_autocheckpoint = 1000');
  }

  async query<T = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    const rows = this.lock.held
      ? await this.lock.run(async () => this.retryBusy(() => this.runQuery<T>(sql, params)))
      : await this.retryBusy(() => this.runQuery<T>(sql, params));
    const wait = this.settled();
    if (wait) await wait;
    return rows;
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<{ rowCount: number }> {
    const result = this.lock.held
      ? await this.lock.run(async () => this.retryBusy(() => this.runExecute(sql, params)))
      : await this.retryBusy(() => this.runExecute(sql, params));
    const wait = this.settled();
    if (wait) await wait;
    return result;
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, _options?: TransactionOptions): Promise<T> {
    const out = await this.lock.run(async () => {
      if (this.fatal) throw this.fatal;
      await this.retryBusy(() => this.db.exec('BEGIN IMMEDIATE'));
      try {
        const state: { cause?: unknown } = {};
        const result = await fn(this.executor(state));
        // `fn` may have caught the error that ended the transaction: committing nothing is not a success.
        if (!this.db.inTransaction) throw transactionGone(state.cause);
        await this.retryBusy(() => this.db.exec('COMMIT'));
        this.committed();
        return result;
      } catch (e) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw e;
      }
    });
    // The lock is free again: the next transaction writes while this one's WAL sync runs.
    const wait = this.settled();
    if (wait) await wait;
    return out;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.lock.run(async () => {
      this.closed = true;
      clearTimeout(this.checkpointTimer);
      try {
        // Only a durable store syncs: an in-memory or non-WAL one has no WAL file to sync.
        if (!this.fatal && this.durable) await this.waitSynced(this.written);
      } finally {
        await this.stopWorker();
        if (this.walFile) await (await this.walFile.catch(() => undefined))?.close();
        this.statements.clear();
        // The last connection to close checkpoints the WAL into the file and removes it.
        this.db.close();
      }
    });
  }

  private async stopWorker(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    await new Promise<void>((resolveClosed) => {
      this.workerClosed = resolveClosed;
      worker.ref(); // an unref'd worker would let the process exit before close() resolves
      worker.postMessage({ op: 'close' } satisfies CheckpointerRequest);
    });
  }
}
