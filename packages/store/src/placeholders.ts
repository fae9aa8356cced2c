/**
 * Rewrites PostgreSQL placeholders (`$1`, `$2`) into SQLite positional `?`
 * and reorders the parameters to match, so callers write one statement for
 * both engines. Placeholders inside single-quoted literals are left alone.
 */
export function toSqlitePlaceholders(sql: string, params: readonly unknown[]): { sql: string; params: unknown[] } {
  const out: unknown[] = [];
  let text = '';
  let inQuote = false;
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i];
    if (ch === "'") inQuote = !inQuote;
    if (!inQuote && ch === '$' && i + 1 < sql.length && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
      let j = i + 1;
      while (j < sql.length && sql[j] >= '0' && sql[j] <= '9') j++;
      const n = Number(sql.slice(i + 1, j));
      if (n < 1 || n > params.length) throw new RangeError(`placeholder $${n} has no parameter (${params.length} given)`);
      out.push(toSqliteValue(params[n - 1]));
      text += '?';
      i = j - 1;
      continue;
    }
    text += ch;
  }
  return { sql: text, params: out };
}

/** better-sqlite3 binds numbers, bigints, strings, Buffers and null; map the rest. */
export function toSqliteValue(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Date) return v.getTime();
  return v;
}
