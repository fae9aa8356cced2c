import BetterSqlite3 from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** Held by {@link lockForProcess} until released (or the process ends). */
export interface ProcessLock {
  /** The lock file. */
  readonly path: string;
  release(): void;
}

/**
 * Takes an exclusive lock that only one connection at a time can hold,
 * on `<path>.lock` (a small SQLite file next to the store): for a store that
 * only one process may serve, such as an embedded SQLite journal whose
 * crash recovery takes over every row left in flight. The lock is SQLite's
 * own file lock, held by a connection in `EXCLUSIVE` locking mode, so the
 * operating system releases it when the process ends, however it ends
 * (kill -9 included): a restart never waits for a stale lock. Returns
 * `undefined` when another connection holds it (in this process or
 * another).
 */
export function lockForProcess(path: string): ProcessLock | undefined {
  const file = `${path}.lock`;
  mkdirSync(dirname(file), { recursive: true });
  const db = new BetterSqlite3(file);
  try {
    db.pragma('busy_timeout = 0');
    db.pragma('locking_mode = EXCLUSIVE');
    // The first write takes the exclusive lock, and EXCLUSIVE locking mode keeps it after the commit.
    db.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER, at INTEGER)');
    db.exec('BEGIN EXCLUSIVE');
    db.prepare('DELETE FROM holder').run();
    db.prepare('INSERT INTO holder (pid, at) VALUES (?, ?)').run(process.pid, Date.now());
    db.exec('COMMIT');
  } catch (e) {
    db.close();
    if ((e as { code?: string }).code === 'SQLITE_BUSY') return undefined;
    throw e;
  }
  let released = false;
  return {
    path: file,
    release() {
      if (released) return;
      released = true;
      db.close();
    },
  };
}
