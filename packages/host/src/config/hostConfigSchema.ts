import { createRequire } from 'node:module';
import type { JsonSchema } from '@relaypoint/core';

const require = createRequire(import.meta.url);

/**
 * The host config's JSON schema (`config.schema.json`, published with the
 * package). Connector `config` and `resilience` objects are checked against
 * the plugin's schema and core's resilience schema in a second pass.
 */
export const hostConfigSchema: JsonSchema = require('../config.schema.json') as JsonSchema;

/**
 * The schema to validate one config with: `storage` narrowed to the branch
 * its `driver` names, so a mistake in it yields one line instead of one per
 * `oneOf` branch.
 */
export function hostSchemaFor(value: unknown): JsonSchema {
  const schema = structuredClone(hostConfigSchema) as { properties: Record<string, JsonSchema> };
  const storage = schema.properties.storage as { oneOf: JsonSchema[]; description?: string };
  const driver = (value as { storage?: { driver?: unknown } } | null)?.storage?.driver;
  const branch = storage.oneOf.find((b) => (b.properties as { driver: { const: string } }).driver.const === driver);
  schema.properties.storage = branch ?? {
    type: 'object',
    required: ['driver'],
    properties: { driver: { enum: storage.oneOf.map((b) => (b.properties as { driver: { const: string } }).driver.const) } },
  };
  return schema as JsonSchema;
}
