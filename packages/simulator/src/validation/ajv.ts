import { createRequire } from 'node:module';

/** The part of an ajv 8 error the simulator reads. */
export interface AjvError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

/** A compiled ajv 8 validator. */
export interface Validator {
  (data: unknown): boolean;
  errors?: AjvError[] | null;
}

interface AjvInstance {
  compile(schema: object): Validator;
  addKeyword(keyword: string): unknown;
}

// The simulator validates with the same ajv 8 that @relaypoint/core depends
// on: resolving `ajv` from this package would find whatever another tool
// hoisted to the root (ajv 6 for eslint), whose API and error format differ.
const requireFromCore = createRequire(import.meta.resolve('@relaypoint/core/package.json'));
const AjvClass = (requireFromCore('ajv') as { default: new (options: object) => AjvInstance }).default;

/** One ajv instance for the simulator's schemas; `tsType` is a codegen annotation, not a validation keyword. */
export const ajv: AjvInstance = new AjvClass({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
ajv.addKeyword('tsType');
