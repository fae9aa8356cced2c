/** One step of a JSON path: an object key or an array index. */
export type PathSegment = string | number;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/**
 * Renders a JSON path the way config errors print it:
 * `connectors[1].config.baseUrl`; keys that are not identifiers are quoted
 * (`headers["x.y"]`). `prefix` is prepended as is. An empty path renders as
 * the prefix, or `(root)`.
 */
export function formatJsonPath(segments: readonly PathSegment[], prefix = ''): string {
  let out = prefix;
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (IDENTIFIER.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out === '' ? '(root)' : out;
}

/** Splits an ajv `instancePath` (a JSON pointer) into segments; all-digit segments become indexes. */
export function pointerSegments(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9]\d*)$/.test(s) ? Number(s) : s));
}
