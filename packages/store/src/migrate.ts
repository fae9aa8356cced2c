import type { Database, Migration } from './Database.js';

interface MigratableDatabase extends Database {
  ensureMigrationsTable(): Promise<void>;
}

/** The bookkeeping table, the same statement on both engines. */
export const CREATE_MIGRATIONS_TABLE =
  'CREATE TABLE IF NOT EXISTS relaypoint_migrations (namespace TEXT NOT NULL, id INTEGER NOT NULL, name TEXT NOT NULL, applied_at BIGINT NOT NULL, PRIMARY KEY (namespace, id))';

/** Ids of the migrations of `namespace` already applied, in order. */
export async function listAppliedMigrations(db: MigratableDatabase, namespace: string): Promise<number[]> {
  await db.ensureMigrationsTable();
  const rows = await db.query<{ id: number }>('SELECT id FROM relaypoint_migrations WHERE namespace = $1 ORDER BY id', [namespace]);
  return rows.map((r) => Number(r.id));
}

/**
 * Applies pending migrations one transaction each. On PostgreSQL an advisory
 * lock per namespace makes concurrent starts wait for each other instead of
 * applying a migration twice; on SQLite `BEGIN IMMEDIATE` does the same.
 */
export async function runMigrations(
  db: MigratableDatabase,
  namespace: string,
  migrations: readonly Migration[],
): Promise<{ applied: number[] }> {
  const ids = migrations.map((m) => m.id);
  if (new Set(ids).size !== ids.length) throw new Error(`migrations of "${namespace}" have duplicate ids`);
  await db.ensureMigrationsTable();
  const sorted = [...migrations].sort((a, b) => a.id - b.id);
  const applied: number[] = [];
  for (const m of sorted) {
    const did = await db.transaction(async (tx) => {
      if (tx.dialect === 'postgres') await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`relaypoint:${namespace}`]);
      const done = await tx.query('SELECT 1 FROM relaypoint_migrations WHERE namespace = $1 AND id = $2', [namespace, m.id]);
      if (done.length) return false;
      const stmts = tx.dialect === 'sqlite' ? m.sqlite : m.postgres;
      for (const s of typeof stmts === 'string' ? [stmts] : stmts) await tx.execute(s);
      await tx.execute('INSERT INTO relaypoint_migrations (namespace, id, name, applied_at) VALUES ($1, $2, $3, $4)', [
        namespace,
        m.id,
        m.name,
        Date.now(),
      ]);
      return true;
    });
    if (did) applied.push(m.id);
  }
  return { applied };
}
