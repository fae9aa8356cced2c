/**
 * Worker thread of {@link SqliteDatabase}: copies committed WAL frames into
 * the database file (`PRAGMA wal_checkpoint(PASSIVE)`) on its own connection,
 * so the checkpoint's page writes and fsyncs never run on the event loop
 * that serves requests. Its connection runs `synchronous = FULL`: the WAL is
 * synced before the copy and the database file after it, before SQLite lets
 * a writer start the WAL over.
 */
import { parentPort, workerData } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';

/** What the owning connection sends. */
export type CheckpointerRequest = { op: 'checkpoint' } | { op: 'close' };
/** What the worker answers. */
export type CheckpointerReply =
  | { op: 'checkpointed'; busy: number; log: number; checkpointed: number }
  | { op: 'failed'; message: string }
  | { op: 'closed' };

const { path } = workerData as { path: string };
const port = parentPort;
if (!port) throw new Error('sqliteCheckpointer must run in a worker thread');

const db = new BetterSqlite3(path);
// PASSIVE checkpoints never wait on the busy handler; the timeout only covers opening.
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = FULL');

port.on('message', (msg: CheckpointerRequest) => {
  if (msg.op === 'close') {
    db.close();
    port.postMessage({ op: 'closed' } satisfies CheckpointerReply);
    port.close();
    return;
  }
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
    port.postMessage({ op: 'checkpointed', busy: row.busy, log: row.log, checkpointed: row.checkpointed } satisfies CheckpointerReply);
  } catch (e) {
    port.postMessage({ op: 'failed', message: (e as Error).message } satisfies CheckpointerReply);
  }
});
