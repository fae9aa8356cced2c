import type { Database, StoreConfig } from './Database.js';
import { PostgresDatabase } from './PostgresDatabase.js';
import { SqliteDatabase } from './SqliteDatabase.js';
import { SqliteWorkerDatabase } from './SqliteWorkerDatabase.js';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** Opens the store a config names: SQLite (the embedded default; creates the file's folder) or PostgreSQL. */
export async function openDatabase(config: StoreConfig): Promise<Database> {
  if (config.driver === 'sqlite') {
    if (config.path !== ':memory:') mkdirSync(dirname(config.path), { recursive: true });
    const options = { synchronous: config.synchronous, busyTimeoutMs: config.busyTimeoutMs };
    if (config.thread === 'worker') return SqliteWorkerDatabase.open(config.path, options);
    return SqliteDatabase.open(config.path, { ...options, onSync: config.onSync, onCheckpoint: config.onCheckpoint });
  }
  return PostgresDatabase.open(config.url, { poolSize: config.poolSize, applicationName: config.applicationName });
}

/** True when a driver error is a unique-constraint violation (SQLite `SQLITE_CONSTRAINT_UNIQUE`/`PRIMARYKEY`, PostgreSQL 23505). */
export function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
