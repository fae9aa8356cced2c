import type { JsonSchema } from '@relaypoint/core';

type Schema = Record<string, unknown>;

function isObject(v: unknown): v is Schema {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Edit distance (insert, delete, substitute, swap two neighbours). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The known name closest to `word`, when it is close enough to be a typo (case ignored; at most 1 edit per 3 letters, 2 at least). */
export function closestName(word: string, names: readonly string[]): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const name of names) {
    const d = distance(word.toLowerCase(), name.toLowerCase());
    if (!best || d < best.d) best = { name, d };
  }
  return best && best.d <= Math.max(2, Math.floor(word.length / 3)) ? best.name : undefined;
}

/** Every subschema that may apply at one level (`allOf`, `anyOf`, `oneOf`, `if`/`then`/`else`). */
function alternatives(schema: Schema): Schema[] {
  const out: Schema[] = [schema];
  for (const key of ['allOf', 'anyOf', 'oneOf'])
    if (Array.isArray(schema[key])) for (const s of schema[key] as unknown[]) if (isObject(s)) out.push(...alternatives(s));
  for (const key of ['then', 'else']) if (isObject(schema[key])) out.push(...alternatives(schema[key] as Schema));
  return out;
}

/** The property names a schema allows at `path` (`server`, `connectors[0].resilience`; `` for the root). */
export function propertiesAt(schema: JsonSchema, path: string): string[] {
  let level: Schema[] = [schema as Schema];
  const steps = path === '' ? [] : path.split(/\.|(?=\[)/);
  for (const step of steps) {
    const next: Schema[] = [];
    for (const s of level.flatMap(alternatives)) {
      if (step.startsWith('[')) {
        if (isObject(s.items)) next.push(s.items as Schema);
      } else if (isObject(s.properties) && isObject((s.properties as Schema)[step])) next.push((s.properties as Schema)[step] as Schema);
    }
    level = next;
  }
  return [...new Set(level.flatMap(alternatives).flatMap((s) => (isObject(s.properties) ? Object.keys(s.properties as Schema) : [])))];
}

/**
 * Adds `; did you mean "x"?` to each `path: unknown property "y"` line
 * when a property the schema allows there is a likely typo of it.
 * `prefix` is the part of the line's path that lies outside `schema`.
 */
export function suggestProperties(lines: string[], schema: JsonSchema, prefix = ''): string[] {
  return lines.map((line) => {
    const m = /^(.*?): unknown property "([^"]+)"$/.exec(line);
    if (!m) return line;
    let path = m[1] === '(root)' ? '' : m[1];
    if (prefix) {
      if (path !== prefix && !path.startsWith(`${prefix}.`) && !path.startsWith(`${prefix}[`)) return line;
      path = path.slice(prefix.length).replace(/^\./, '');
    }
    const guess = closestName(m[2], propertiesAt(schema, path));
    return guess ? `${line}; did you mean "${guess}"?` : line;
  });
}
