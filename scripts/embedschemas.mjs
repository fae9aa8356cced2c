// Keeps the copies of core's resilience schema in step with it:
//   packages/core/src/resilience/ResilienceOptions.schema.json (without `$schema`)
//     → `properties.resilience` of packages/connector-*/src/config.schema.json
//       (only where the plugin has one: a plugin may leave it out)
//     → `properties.connectors.items.properties.resilience` of
//       packages/host/src/config.schema.json, without its `default`s, so the
//       host config's schema and its reference page spell the options out.
//       (The generated types of every copy use core's ResilienceOptions type:
//       see scripts/codegen.mjs.)
// Each file is written back as `JSON.stringify(schema, null, 2)` and a
// newline, the format every schema in the repo is kept in.
// `embeddedSchemaCopies(root)` returns [{ path, content }] and writes nothing;
// scripts/codegen.mjs writes the files (`npm run codegen`, before it compiles
// the types) or reports them stale (`--check`).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const RESILIENCE_SCHEMA = 'packages/core/src/resilience/ResilienceOptions.schema.json';

/** A copy of a JSON schema with every `default` keyword removed (descriptions keep saying what the default is). */
function withoutDefaults(schema) {
  if (Array.isArray(schema)) return schema.map(withoutDefaults);
  if (schema === null || typeof schema !== 'object') return schema;
  const out = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'default') continue;
    // Under `properties` the keys are property names (one may be called "default"), each a schema.
    out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v).map(([p, sub]) => [p, withoutDefaults(sub)])) : withoutDefaults(v);
  }
  return out;
}

/** The schemas that embed core's resilience schema, with the content they should have. */
export function embeddedSchemaCopies(root) {
  const sourcePath = join(root, ...RESILIENCE_SCHEMA.split('/'));
  if (!existsSync(sourcePath)) return [];
  const { $schema: _dropped, ...resilience } = JSON.parse(readFileSync(sourcePath, 'utf8'));
  const pkgsDir = join(root, 'packages');
  const out = [];
  const read = (d, path) => {
    try {
      return JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      throw new Error(`packages/${d}/src/config.schema.json: not JSON: ${e.message}`);
    }
  };
  for (const d of existsSync(pkgsDir) ? readdirSync(pkgsDir).sort() : []) {
    const path = join(pkgsDir, d, 'src', 'config.schema.json');
    if (!existsSync(path)) continue;
    if (d.startsWith('connector-')) {
      const schema = read(d, path);
      if (!schema?.properties?.resilience) continue;
      schema.properties.resilience = resilience;
      out.push({ path, content: `${JSON.stringify(schema, null, 2)}\n` });
    } else if (d === 'host') {
      const schema = read(d, path);
      const entry = schema?.properties?.connectors?.items?.properties;
      if (!entry?.resilience)
        throw new Error('packages/host/src/config.schema.json: no properties.connectors.items.properties.resilience to write');
      // Without `default`s: ajv fills defaults in, and a default filled into the host entry would override what
      // the plugin's own config says (the entry's options win over the plugin's). Core applies the defaults last.
      // The host entry's own description stays: it says how these options combine with the plugin's.
      entry.resilience = { ...withoutDefaults(resilience), description: entry.resilience.description ?? resilience.description };
      out.push({ path, content: `${JSON.stringify(schema, null, 2)}\n` });
    }
  }
  return out;
}
