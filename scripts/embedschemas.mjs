// Keeps the copies of core's resilience schema in step with it:
//   packages/core/src/resilience/ResilienceOptions.schema.json (without `$schema`)
//     → `properties.resilience` of packages/connector-*/src/config.schema.json
// Only schemas that already have a `properties.resilience` get it (a plugin
// may leave it out). Each is written back as `JSON.stringify(schema, null, 2)`
// and a newline, the format every schema in the repo is kept in.
// `embeddedSchemaCopies(root)` returns [{ path, content }] and writes nothing;
// scripts/codegen.mjs writes the files (`npm run codegen`, before it compiles
// the types) or reports them stale (`--check`).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const RESILIENCE_SCHEMA = 'packages/core/src/resilience/ResilienceOptions.schema.json';

/** The connector schemas that embed core's resilience schema, with the content they should have. */
export function embeddedSchemaCopies(root) {
  const sourcePath = join(root, ...RESILIENCE_SCHEMA.split('/'));
  if (!existsSync(sourcePath)) return [];
  const { $schema: _dropped, ...resilience } = JSON.parse(readFileSync(sourcePath, 'utf8'));
  const pkgsDir = join(root, 'packages');
  const out = [];
  for (const d of existsSync(pkgsDir) ? readdirSync(pkgsDir).sort() : []) {
    const path = join(pkgsDir, d, 'src', 'config.schema.json');
    if (!d.startsWith('connector-') || !existsSync(path)) continue;
    let schema;
    try {
      schema = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      throw new Error(`packages/${d}/src/config.schema.json: not JSON: ${e.message}`);
    }
    if (!schema?.properties?.resilience) continue;
    schema.properties.resilience = resilience;
    out.push({ path, content: `${JSON.stringify(schema, null, 2)}\n` });
  }
  return out;
}
