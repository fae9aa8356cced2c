import type { JsonSchema } from '@relaypoint/core';

// Keys that only json-schema-to-typescript reads; core's strict ajv would
// refuse them as unknown keywords.
const CODEGEN_ONLY = new Set(['tsType']);

/**
 * The schema as core's validator should see it: a deep copy without the
 * codegen annotations (`tsType`). Call once per schema at module load, so
 * `validateAgainstSchema` compiles it once.
 */
export function validationSchema(schema: object): JsonSchema {
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v === null || typeof v !== 'object') return v;
    const out: Record<string, unknown> = {};
    for (const [k, inner] of Object.entries(v)) if (!CODEGEN_ONLY.has(k)) out[k] = strip(inner);
    return out;
  };
  return strip(schema) as JsonSchema;
}
