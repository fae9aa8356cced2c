import type BetterSqlite3 from 'better-sqlite3';
import { bindPlaceholders, parsePlaceholders, type SqlitePlaceholders } from './placeholders.js';

/** A statement prepared from the text callers wrote, and where each of its `?` takes its parameter. */
export interface PreparedStatement {
  st: BetterSqlite3.Statement;
  placeholders: SqlitePlaceholders;
}

/**
 * One connection's prepared statements, keyed by the text callers wrote
 * (`$n` placeholders). The placeholders are rewritten once per statement:
 * doing it on every call cost about 5 µs for a journal statement. Statements
 * built on the fly (multi-row inserts of varying width) could grow it without
 * end, so past 500 it starts over.
 */
export class StatementCache {
  private readonly entries = new Map<string, PreparedStatement>();

  constructor(private readonly db: BetterSqlite3.Database) {}

  /** The prepared statement for `sql`, and `params` bound in the order its `?`s take them. */
  get(sql: string, params: readonly unknown[]): { st: BetterSqlite3.Statement; bound: unknown[] } {
    let prepared = this.entries.get(sql);
    if (!prepared) {
      const placeholders = parsePlaceholders(sql);
      prepared = { st: this.db.prepare(placeholders.sql), placeholders };
      if (this.entries.size > 500) this.entries.clear();
      this.entries.set(sql, prepared);
    }
    return { st: prepared.st, bound: bindPlaceholders(prepared.placeholders, params) };
  }

  clear(): void {
    this.entries.clear();
  }
}
