/**
 * Worker thread of {@link SqliteDatabase}: copies committed WAL frames into
 * the database file (`PRAGMA wal_checkpoint(PASSIVE)`) on its own connection,
 * so the checkpoint's page writes and fsyncs never run on the event loop
 * that serves requests. Its connection runs `synchronous = FULL`: the WAL is
 * synced before the copy and the database file after it, before SQLite lets
 * a writer start the WAL over.
 *
 * Passive checkpoints alone let the WAL grow under steady writes: SQLite
 * starts the WAL over only when a write transaction begins while every frame
 * is copied and no reader still uses the WAL, and commits that keep coming
 * seldom leave such a moment. The file then grows without bound (150 MB in
 * 8 s of the host bench), and every commit appends past its end, which makes
 * each fsync also commit the file system's journal. So once the
 * WAL holds `restartFrames` frames, the passive pass is followed by a RESTART
 * checkpoint: it waits (at most `RESTART_WAIT_MS`) for the writer's
 * transaction to end, copies the few frames written during the passive pass
 * while it holds the write lock, and lets the next writer start the WAL over
 * from its beginning (SQLite then truncates it to `journal_size_limit`).
 */
import { parentPort, workerData } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';

/** What the owning connection sends. */
export type CheckpointerRequest = { op: 'checkpoint' } | { op: 'close' };
/** What the worker answers. */
export type CheckpointerReply =
  | { op: 'checkpointed'; busy: number; log: number; checkpointed: number; restarted: boolean; ms: number }
  | { op: 'failed'; message: string }
  | { op: 'closed' };

const { path, restartFrames } = workerData as { path: string; restartFrames: number };
/** How long a RESTART checkpoint waits for the writer and readers before it settles for what a passive one copies. */
const RESTART_WAIT_MS = 100;
const port = parentPort;
if (!port) throw new Error('sqliteCheckpointer must run in a worker thread');

const db = new BetterSqlite3(path);
// A PASSIVE checkpoint never waits on the busy handler; a RESTART one waits this long at most.
db.pragma(`busy_timeout = ${RESTART_WAIT_MS}`);
db.pragma('synchronous = FULL');

interface CheckpointRow {
  busy: number;
  log: number;
  checkpointed: number;
}

port.on('message', (msg: CheckpointerRequest) => {
  if (msg.op === 'close') {
    db.close();
    port.postMessage({ op: 'closed' } satisfies CheckpointerReply);
    port.close();
    return;
  }
  try {
    const started = performance.now();
    let [row] = db.pragma('wal_checkpoint(PASSIVE)') as CheckpointRow[];
    let restarted = false;
    if (row.log >= restartFrames) {
      // busy = 0: every frame copied and no reader left in the WAL, so the next writer starts it over.
      [row] = db.pragma('wal_checkpoint(RESTART)') as CheckpointRow[];
      restarted = row.busy === 0;
    }
    const ms = performance.now() - started;
    port.postMessage({
      op: 'checkpointed',
      busy: row.busy,
      log: row.log,
      checkpointed: row.checkpointed,
      restarted,
      ms,
    } satisfies CheckpointerReply);
  } catch (e) {
    port.postMessage({ op: 'failed', message: (e as Error).message } satisfies CheckpointerReply);
  }
});
