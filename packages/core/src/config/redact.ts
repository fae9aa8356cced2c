import type { JsonSchema } from '../plugins/ConnectorPlugin.js';

/** What a redacted value is replaced with. */
export const REDACTED = '[redacted]';

type Schema = Record<string, unknown>;

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function resolvePointer(root: Schema, ref: string): Schema | undefined {
  if (!ref.startsWith('#')) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(1).split('/').filter(Boolean)) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    node = isObject(node) || Array.isArray(node) ? (node as Record<string, unknown>)[key] : undefined;
  }
  return isObject(node) ? node : undefined;
}

/** The schema itself plus every schema it pulls in through `$ref`, `allOf`, `anyOf`, `oneOf`, `then`, `else`. */
function expand(root: Schema, schema: unknown, out: Schema[] = [], seen = new Set<Schema>()): Schema[] {
  if (!isObject(schema) || seen.has(schema)) return out;
  seen.add(schema);
  out.push(schema);
  if (typeof schema.$ref === 'string') expand(root, resolvePointer(root, schema.$ref), out, seen);
  for (const k of ['allOf', 'anyOf', 'oneOf']) {
    const list = schema[k];
    if (Array.isArray(list)) for (const s of list) expand(root, s, out, seen);
  }
  for (const k of ['then', 'else']) expand(root, schema[k], out, seen);
  return out;
}

const isSecret = (s: Schema) => s['x-secret'] === true || s.writeOnly === true;

function propertySchemas(schemas: Schema[], key: string): Schema[] {
  const out: Schema[] = [];
  for (const s of schemas) {
    let matched = false;
    if (isObject(s.properties) && isObject(s.properties[key])) {
      out.push(s.properties[key] as Schema);
      matched = true;
    }
    if (isObject(s.patternProperties)) {
      for (const [pattern, sub] of Object.entries(s.patternProperties)) {
        if (isObject(sub) && new RegExp(pattern, 'u').test(key)) {
          out.push(sub);
          matched = true;
        }
      }
    }
    if (!matched && isObject(s.additionalProperties)) out.push(s.additionalProperties);
  }
  return out;
}

function itemSchemas(schemas: Schema[], index: number): Schema[] {
  const out: Schema[] = [];
  for (const s of schemas) {
    const tuple = Array.isArray(s.prefixItems) ? s.prefixItems : Array.isArray(s.items) ? s.items : undefined;
    if (tuple && index < tuple.length) {
      if (isObject(tuple[index])) out.push(tuple[index] as Schema);
    } else if (isObject(s.items)) out.push(s.items);
    else if (tuple && isObject(s.additionalItems)) out.push(s.additionalItems);
  }
  return out;
}

function walk(root: Schema, value: unknown, schemas: Schema[], onSecret: (v: unknown) => unknown): unknown {
  const all = schemas.flatMap((s) => expand(root, s));
  if (all.some(isSecret)) return onSecret(value);
  if (Array.isArray(value)) return value.map((item, i) => walk(root, item, itemSchemas(all, i), onSecret));
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = walk(root, v, propertySchemas(all, k), onSecret);
    return out;
  }
  return value;
}

/**
 * A deep copy of `value` with every field the schema marks secret
 * (`"x-secret": true` or `writeOnly: true`) replaced by `"[redacted]"`.
 * Follows `properties`, `patternProperties`, `additionalProperties`,
 * `items`/`prefixItems`, local `$ref`s, and `allOf`/`anyOf`/`oneOf` (a field
 * is secret if any branch marks it). Use it wherever config is printed or logged.
 */
export function redact<T>(value: T, schema: JsonSchema): T {
  return walk(schema, structuredClone(value), [schema], (v) => (v === undefined ? v : REDACTED)) as T;
}

/** Every string value the schema marks secret, e.g. to feed {@link redactSecrets} for logs and errors. */
export function collectSecrets(value: unknown, schema: JsonSchema): string[] {
  const found = new Set<string>();
  const gather = (v: unknown): unknown => {
    if (typeof v === 'string' && v !== '') found.add(v);
    else if (Array.isArray(v) || isObject(v)) for (const item of Object.values(v)) gather(item);
    return v;
  };
  walk(schema, value, [schema], gather);
  return [...found];
}

/**
 * A deep copy of `value` in which every occurrence of any of `secrets`
 * inside a string (values and error messages alike) is replaced by
 * `"[redacted]"`. Empty secrets are ignored; longer secrets are replaced first.
 */
export function redactSecrets<T>(value: T, secrets: readonly string[]): T {
  const list = [...new Set(secrets.filter((s) => typeof s === 'string' && s !== ''))].sort((a, b) => b.length - a.length);
  if (list.length === 0) return structuredClone(value);
  const scrub = (s: string) => list.reduce((acc, secret) => acc.split(secret).join(REDACTED), s);
  const go = (v: unknown): unknown => {
    if (typeof v === 'string') return scrub(v);
    if (Array.isArray(v)) return v.map(go);
    if (v instanceof Error) return { name: v.name, message: scrub(v.message) };
    if (isObject(v)) {
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v)) out[k] = go(item);
      return out;
    }
    return v;
  };
  return go(value) as T;
}
