import type { Dialect } from './Database.js';

/**
 * A subquery yielding the text elements of a JSON array parameter, for
 * `id IN (…)` with any number of ids in one prepared statement:
 * `json_each` on SQLite, `jsonb_array_elements_text` on PostgreSQL. Pass the
 * ids as `JSON.stringify(ids)` in the parameter `param` names (`$3`).
 */
export function jsonList(dialect: Dialect, param: string): string {
  return dialect === 'sqlite' ? `SELECT value FROM json_each(${param})` : `SELECT jsonb_array_elements_text(CAST(${param} AS jsonb))`;
}
