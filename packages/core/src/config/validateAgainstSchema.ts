import type { ErrorObject, ValidateFunction } from 'ajv';
import type { JsonSchema } from '../plugins/ConnectorPlugin.js';
import { createAjv, schemaDraft } from './createAjv.js';
import { formatJsonPath, pointerSegments } from './jsonPath.js';

/** Options of {@link validateAgainstSchema}. */
export interface ValidateAgainstSchemaOptions {
  /** Prepended to every path, e.g. `connectors[1].config`. Defaults to none. */
  pathPrefix?: string;
}

const compiled = new WeakMap<object, ValidateFunction>();

/** Compiles (once per schema object) with {@link createAjv}. Throws ajv's error for a bad schema. */
export function compileSchema(schema: JsonSchema): ValidateFunction {
  let fn = compiled.get(schema);
  if (!fn) {
    fn = createAjv({ draft: schemaDraft(schema) }).compile(schema);
    compiled.set(schema, fn);
  }
  return fn;
}

const FORMAT_MESSAGES: Record<string, string> = {
  uri: 'must be a URI',
  'uri-reference': 'must be a URI reference',
  url: 'must be a URL',
  email: 'must be an email address',
  'date-time': 'must be a date-time (RFC 3339)',
  date: 'must be a date (YYYY-MM-DD)',
  hostname: 'must be a hostname',
  ipv4: 'must be an IPv4 address',
  ipv6: 'must be an IPv6 address',
  uuid: 'must be a UUID',
  duration: 'must be an ISO 8601 duration',
};

const article = (t: string) => (/^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`);

function message(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
    case 'dependentRequired':
      return 'is required';
    case 'additionalProperties':
    case 'unevaluatedProperties':
      return `unknown property ${JSON.stringify(p.additionalProperty ?? p.unevaluatedProperty)}`;
    case 'format':
      return FORMAT_MESSAGES[String(p.format)] ?? `must match format "${String(p.format)}"`;
    case 'enum':
      return `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(p.allowedValue)}`;
    case 'type': {
      const types = String(p.type).split(',');
      return `must be ${types.map(article).join(' or ')}`;
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `must be ${String(p.comparison)} ${String(p.limit)}`;
    case 'minLength':
      return p.limit === 1 ? 'must not be empty' : `must be at least ${String(p.limit)} characters`;
    case 'maxLength':
      return `must be at most ${String(p.limit)} characters`;
    case 'minItems':
      return `must have at least ${String(p.limit)} items`;
    case 'maxItems':
      return `must have at most ${String(p.limit)} items`;
    case 'pattern':
      return `must match pattern /${String(p.pattern)}/`;
    case 'uniqueItems':
      return `must not contain duplicates (items ${String(p.j)} and ${String(p.i)} are equal)`;
    default:
      return e.message ?? `fails ${e.keyword}`;
  }
}

/**
 * Validates `value` against `schema` (strict ajv, all errors, formats,
 * defaults filled in) and returns one `<json path>: <message>` line per
 * problem, e.g. `connectors[1].config.baseUrl: must be a URI`, or `[]` when
 * the value is valid. A `required` error names the missing property's own
 * path (`a.b.c: is required`).
 */
export function validateAgainstSchema(schema: JsonSchema, value: unknown, options: ValidateAgainstSchemaOptions = {}): string[] {
  const validate = compileSchema(schema);
  if (validate(value)) return [];
  const lines: string[] = [];
  for (const e of validate.errors ?? []) {
    // `if` only says "must match then/else"; the branch's own errors say why.
    if (e.keyword === 'if') continue;
    const segments = pointerSegments(e.instancePath);
    if (e.keyword === 'required') segments.push(String((e.params as { missingProperty: string }).missingProperty));
    if (e.keyword === 'dependentRequired') segments.push(String((e.params as { missingProperty: string }).missingProperty));
    const line = `${formatJsonPath(segments, options.pathPrefix ?? '')}: ${message(e)}`;
    if (!lines.includes(line)) lines.push(line);
  }
  return lines;
}
