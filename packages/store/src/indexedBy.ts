import type { Dialect } from './Database.js';

/**
 * ` INDEXED BY <index>` on SQLite, nothing on PostgreSQL, to follow a table
 * name in `FROM`. SQLite's planner has no statistics unless ANALYZE ran and
 * may prefer another partial index on the same column, turning a short index
 * walk into a scan; the hint pins the index meant, and makes a condition the
 * partial index does not cover an error instead of a silent scan.
 * PostgreSQL plans from its own statistics.
 */
export function indexedBy(dialect: Dialect, index: string | undefined): string {
  return dialect === 'sqlite' && index ? ` INDEXED BY ${index}` : '';
}
