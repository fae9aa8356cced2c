/** A statement with PostgreSQL placeholders rewritten for SQLite: its text, and which parameter each `?` takes. */
export interface SqlitePlaceholders {
  sql: string;
  /** 0-based index into the caller's parameters for each `?`, in order. */
  order: number[];
  /** The highest placeholder number used (`$n`), 0 when there is none. */
  highest: number;
  /** True when the text uses `$0`, which no parameter can fill. */
  hasZero: boolean;
}

/**
 * Rewrites PostgreSQL placeholders (`$1`, `$2`) into SQLite positional `?`,
 * recording which parameter each one takes, so callers write one statement
 * for both engines. Placeholders inside single-quoted literals are left alone.
 * Depends on the text only: callers cache the result per statement.
 */
export function parsePlaceholders(sql: string): SqlitePlaceholders {
  const order: number[] = [];
  let text = '';
  let from = 0;
  let inQuote = false;
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i];
    if (ch === "'") inQuote = !inQuote;
    if (!inQuote && ch === '$' && i + 1 < sql.length && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
      let j = i + 1;
      while (j < sql.length && sql[j] >= '0' && sql[j] <= '9') j++;
      order.push(Number(sql.slice(i + 1, j)) - 1);
      text += `${sql.slice(from, i)}?`;
      from = j;
      i = j - 1;
    }
  }
  text += sql.slice(from);
  return { sql: text, order, highest: order.length === 0 ? 0 : Math.max(...order) + 1, hasZero: order.includes(-1) };
}

/** The parameters in the order of `p`'s `?`s, as better-sqlite3 binds them. */
export function bindPlaceholders(p: SqlitePlaceholders, params: readonly unknown[]): unknown[] {
  if (p.hasZero) throw new RangeError(`placeholder $0 has no parameter (they count from $1)`);
  if (p.highest > params.length) throw new RangeError(`placeholder $${p.highest} has no parameter (${params.length} given)`);
  return p.order.map((i) => toSqliteValue(params[i]));
}

/**
 * Rewrites PostgreSQL placeholders (`$1`, `$2`) into SQLite positional `?`
 * and reorders the parameters to match. Placeholders inside single-quoted
 * literals are left alone.
 */
export function toSqlitePlaceholders(sql: string, params: readonly unknown[]): { sql: string; params: unknown[] } {
  const p = parsePlaceholders(sql);
  return { sql: p.sql, params: bindPlaceholders(p, params) };
}

/** better-sqlite3 binds numbers, bigints, strings, Buffers and null; map the rest. */
export function toSqliteValue(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Date) return v.getTime();
  return v;
}

/**
 * Shifts every placeholder of a fragment by `offset` (`$1` becomes
 * `$(1 + offset)`), so a fragment written with its own `$1…` can be joined
 * to a statement that already uses the first `offset` parameters.
 * Placeholders inside single-quoted literals are left alone.
 */
export function shiftPlaceholders(sql: string, offset: number): string {
  if (offset === 0) return sql;
  let out = '';
  let inQuote = false;
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i];
    if (ch === "'") inQuote = !inQuote;
    if (!inQuote && ch === '$' && i + 1 < sql.length && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
      let j = i + 1;
      while (j < sql.length && sql[j] >= '0' && sql[j] <= '9') j++;
      out += `$${Number(sql.slice(i + 1, j)) + offset}`;
      i = j - 1;
      continue;
    }
    out += ch;
  }
  return out;
}
