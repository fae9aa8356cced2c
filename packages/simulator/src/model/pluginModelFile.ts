import { createRequire } from 'node:module';
import { join } from 'node:path';

/**
 * The module file of a plugin package's model for a bare `--model` name:
 * `reloadly` → `@relaypoint/connector-reloadly/model`, resolved from the
 * current directory first (the user's project), then from the simulator's own
 * install. Undefined for anything that looks like a path, or when no such
 * package is installed (the spec is then read as a file).
 */
export function pluginModelFile(spec: string): string | undefined {
  if (!/^[a-z][a-z0-9-]*$/.test(spec)) return undefined;
  const specifier = `@relaypoint/connector-${spec}/model`;
  for (const from of [join(process.cwd(), 'index.js'), import.meta.url]) {
    try {
      return createRequire(from).resolve(specifier);
    } catch {
      // Not installed there: try the next place.
    }
  }
  return undefined;
}
