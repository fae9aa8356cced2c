/**
 * Worker thread of {@link SqliteWorkerDatabase}: owns one better-sqlite3
 * connection and runs the statements the owning thread sends, one message
 * each. Everything slow (statements, COMMIT's fsync, checkpoints, waiting
 * for another process' lock) blocks this thread, never the event loop that
 * serves requests.
 */
import { parentPort, workerData } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import { StatementCache } from './statementCache.js';

/** A request from the owning thread. */
export type WorkerCall =
  | { op: 'query' | 'execute'; sql: string; params: readonly unknown[] }
  | { op: 'exec'; sql: string }
  | { op: 'rollbackIfOpen' }
  | { op: 'close' };
export type WorkerRequest = WorkerCall & { id: number };

/** The answer to request `id`, or the connection's readiness (id 0). */
export type WorkerReply =
  | { id: number; rows: unknown[] }
  | { id: number; rowCount: number }
  | { id: number; done: true }
  | { id: number; error: { message: string; code?: string } };

export interface WorkerOptions {
  path: string;
  synchronous: 'FULL' | 'NORMAL';
  busyTimeoutMs: number;
}

const port = parentPort;
if (!port) throw new Error('sqliteWorker must run in a worker thread');
const options = workerData as WorkerOptions;

let db: BetterSqlite3.Database;
try {
  db = new BetterSqlite3(options.path);
  // Waiting for another connection's lock blocks only this thread, so SQLite's own busy handler is safe here.
  db.pragma(`busy_timeout = ${options.busyTimeoutMs}`);
  if (options.path !== ':memory:' && options.path !== '') db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous}`);
  db.pragma('foreign_keys = ON');
  port.postMessage({ id: 0, done: true } satisfies WorkerReply);
} catch (e) {
  port.postMessage({ id: 0, error: { message: (e as Error).message, code: (e as { code?: string }).code } } satisfies WorkerReply);
  process.exit(1);
}

const statements = new StatementCache(db);

/**
 * True between the owning thread's BEGIN and its COMMIT or rollback. SQLite
 * rolls a whole transaction back by itself on some errors (SQLITE_FULL,
 * SQLITE_IOERR, …); a statement sent after that would commit on its own, so
 * it is refused instead (see SqliteDatabase's executor).
 */
let transactionOpen = false;

function refuseIfRolledBack(): void {
  if (transactionOpen && !db.inTransaction) {
    throw Object.assign(
      new Error(
        'the transaction was rolled back by SQLite after an earlier error in it (disk full, I/O error, out of memory); nothing of it is committed',
      ),
      {
        code: 'SQLITE_TRANSACTION_ROLLED_BACK',
      },
    );
  }
}

function handle(msg: WorkerRequest): WorkerReply {
  if (msg.op === 'query' || msg.op === 'execute' || (msg.op === 'exec' && msg.sql === 'COMMIT')) refuseIfRolledBack();
  switch (msg.op) {
    case 'query': {
      const { st, bound } = statements.get(msg.sql, msg.params);
      if (st.reader) return { id: msg.id, rows: st.all(...bound) };
      st.run(...bound);
      return { id: msg.id, rows: [] };
    }
    case 'execute': {
      const { st, bound } = statements.get(msg.sql, msg.params);
      return { id: msg.id, rowCount: st.reader ? st.all(...bound).length : st.run(...bound).changes };
    }
    case 'exec':
      db.exec(msg.sql);
      if (msg.sql.startsWith('BEGIN')) transactionOpen = true;
      else if (msg.sql === 'COMMIT' || msg.sql === 'ROLLBACK') transactionOpen = false;
      return { id: msg.id, done: true };
    case 'rollbackIfOpen':
      transactionOpen = false;
      if (db.inTransaction) db.exec('ROLLBACK');
      return { id: msg.id, done: true };
    case 'close':
      statements.clear();
      db.close();
      return { id: msg.id, done: true };
  }
}

port.on('message', (msg: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    reply = handle(msg);
  } catch (e) {
    reply = { id: msg.id, error: { message: (e as Error).message, code: (e as { code?: string }).code } };
  }
  port.postMessage(reply);
  if (msg.op === 'close') port.close();
});
