import { Ajv, type Options } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { JsonSchema } from '../plugins/ConnectorPlugin.js';

// ajv-formats is CommonJS with `exports.default`; under NodeNext the default
// import is the whole module object, so take `.default` when it is there.
type AddFormats = typeof addFormatsModule.default;
const addFormats: AddFormats =
  (addFormatsModule as unknown as { default?: AddFormats }).default ?? (addFormatsModule as unknown as AddFormats);

/** An ajv 8 instance as returned by {@link createAjv}. */
export type AjvInstance = Ajv | Ajv2020;

/** Options of {@link createAjv}. */
export interface CreateAjvOptions {
  /** JSON schema draft: `'07'` or `'2020-12'`. Defaults to `'07'`. */
  draft?: '07' | '2020-12';
  /** Fill in schema `default`s while validating (mutates the validated value). Defaults to `true`. */
  useDefaults?: boolean;
}

/** The draft a schema declares through `$schema` (`'2020-12'` or `'07'`, the default). */
export function schemaDraft(schema: JsonSchema): '07' | '2020-12' {
  return typeof schema.$schema === 'string' && schema.$schema.includes('2020-12') ? '2020-12' : '07';
}

/**
 * The ajv every Relaypoint config goes through: strict (typos in a schema
 * are errors, not silently ignored keywords), all errors reported at once,
 * ajv-formats installed (`uri`, `email`, `date-time`, ...), and the
 * `x-secret` annotation allowed so schemas can mark secrets for `redact`.
 */
export function createAjv(options: CreateAjvOptions = {}): AjvInstance {
  const opts: Options = {
    strict: true,
    allErrors: true,
    allowUnionTypes: true,
    useDefaults: options.useDefaults ?? true,
  };
  const ajv = options.draft === '2020-12' ? new Ajv2020(opts) : new Ajv(opts);
  addFormats(ajv as unknown as Parameters<AddFormats>[0]);
  ajv.addKeyword({ keyword: 'x-secret', schemaType: 'boolean' });
  return ajv;
}
