import type { JsonSchema } from '@relaypoint/core';

/**
 * A validator for the JSON-schema subset the event catalogue uses (draft-07:
 * `type` object/string/integer/number/boolean, `properties`, `required`,
 * `additionalProperties: false`, `minLength`, `maxLength`, `pattern`,
 * `format` date-time/uri, `const`, `minimum`, `maximum`). A schema using any
 * other keyword is refused when compiled, so nothing is silently unchecked.
 * Messages follow ajv's wording.
 */
export type CompiledSchema = (value: unknown) => { path: string; message: string }[];

const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description']);
const KEYWORDS = new Set(['type', 'properties', 'required', 'additionalProperties', 'minLength', 'maxLength', 'pattern', 'format', 'const', 'minimum', 'maximum']);

// RFC 3339 date-time (as ajv-formats' full mode), with a calendar check.
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function isDateTime(s: string): boolean {
  const m = DATE_TIME.exec(s);
  if (!m) return false;
  const [y, mo, d, h, mi, se] = m.slice(1, 7).map(Number);
  const days = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return mo >= 1 && mo <= 12 && d >= 1 && d <= days[mo - 1] && h <= 23 && mi <= 59 && se <= 60;
}

function isUri(s: string): boolean {
  if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(s)) return false;
  try {
    new URL(s);
    return true;
  } catch {
    return false;
  }
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** Compiles a schema of the supported subset; throws on anything else. */
export function compileSchema(schema: JsonSchema, at = '#'): CompiledSchema {
  for (const k of Object.keys(schema)) {
    if (!ANNOTATIONS.has(k) && !KEYWORDS.has(k)) throw new Error(`schema ${at}: keyword "${k}" is not supported by the event validator`);
  }
  const s = schema as Record<string, unknown>;
  const props = (s.properties ?? {}) as Record<string, JsonSchema>;
  const children = new Map(Object.entries(props).map(([k, v]) => [k, compileSchema(v, `${at}/properties/${k}`)]));
  const required = (s.required ?? []) as string[];
  const pattern = typeof s.pattern === 'string' ? new RegExp(s.pattern, 'u') : undefined;
  if (s.format !== undefined && s.format !== 'date-time' && s.format !== 'uri') throw new Error(`schema ${at}: format "${String(s.format)}" is not supported`);
  return (value) => {
    const errors: { path: string; message: string }[] = [];
    const t = typeOf(value);
    if (s.type !== undefined) {
      const ok = s.type === t || (s.type === 'number' && t === 'integer');
      if (!ok) return [{ path: '', message: `must be ${String(s.type)}` }];
    }
    if (s.const !== undefined && value !== s.const) errors.push({ path: '', message: 'must be equal to constant' });
    if (typeof value === 'string') {
      const len = [...value].length;
      if (typeof s.minLength === 'number' && len < s.minLength) errors.push({ path: '', message: `must NOT have fewer than ${s.minLength} characters` });
      if (typeof s.maxLength === 'number' && len > s.maxLength) errors.push({ path: '', message: `must NOT have more than ${s.maxLength} characters` });
      if (pattern && !pattern.test(value)) errors.push({ path: '', message: `must match pattern "${String(s.pattern)}"` });
      if (s.format === 'date-time' && !isDateTime(value)) errors.push({ path: '', message: 'must match format "date-time"' });
      if (s.format === 'uri' && !isUri(value)) errors.push({ path: '', message: 'must match format "uri"' });
    }
    if (typeof value === 'number') {
      if (typeof s.minimum === 'number' && value < s.minimum) errors.push({ path: '', message: `must be >= ${s.minimum}` });
      if (typeof s.maximum === 'number' && value > s.maximum) errors.push({ path: '', message: `must be <= ${s.maximum}` });
    }
    if (t === 'object') {
      const obj = value as Record<string, unknown>;
      for (const r of required) if (!(r in obj) || obj[r] === undefined) errors.push({ path: `.${r}`, message: 'is required' });
      for (const [k, v] of Object.entries(obj)) {
        if (v === undefined) continue;
        const child = children.get(k);
        if (!child) {
          if (s.additionalProperties === false) errors.push({ path: `.${k}`, message: 'is not allowed' });
          continue;
        }
        for (const e of child(v)) errors.push({ path: `.${k}${e.path}`, message: e.message });
      }
    }
    return errors;
  };
}
