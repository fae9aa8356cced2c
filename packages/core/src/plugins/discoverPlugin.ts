import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ErrorCodes } from '../errors/codes.js';
import { PluginError } from '../errors/ConnectorError.js';
import { isPluginError } from '../errors/guards.js';
import type { ConnectorPlugin, RelaypointPackageField } from './ConnectorPlugin.js';
import { assertCoreCompatible, checkPluginDefinition, isConnectorPlugin } from './defineConnectorPlugin.js';

/** A plugin found and loaded by {@link discoverPlugin}. */
export interface DiscoveredPlugin {
  /** The checked plugin. */
  plugin: ConnectorPlugin;
  /** `name` from the plugin's package.json. */
  packageName: string;
  /** `version` from the plugin's package.json. */
  version: string;
  /** Absolute directory of the plugin package. */
  packageDir: string;
  /** The specifier it was discovered by. */
  specifier: string;
}

const PACKAGE_NAME = /^(?:@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/;

/** A specifier is a path when it starts with `.` or `/`, is absolute, or has a separator and is not a (scoped) package name. */
function isPathSpecifier(specifier: string): boolean {
  if (specifier.startsWith('.') || specifier.startsWith('/') || isAbsolute(specifier)) return true;
  return /[/\\]/.test(specifier) && !PACKAGE_NAME.test(specifier);
}

function notFound(specifier: string, fromDir: string, cause?: unknown): never {
  throw new PluginError(
    ErrorCodes.PLUGIN_NOT_FOUND,
    specifier,
    `cannot find package "${specifier}" from ${fromDir}`,
    cause === undefined ? {} : { cause },
  );
}

function findPackageDir(specifier: string, fromDir: string): string {
  if (isPathSpecifier(specifier)) {
    const dir = resolve(fromDir, specifier);
    if (!existsSync(join(dir, 'package.json')) || !statSync(dir).isDirectory()) notFound(specifier, fromDir);
    return dir;
  }
  if (!PACKAGE_NAME.test(specifier)) notFound(specifier, fromDir);
  try {
    return dirname(createRequire(join(fromDir, 'noop.js')).resolve(`${specifier}/package.json`));
  } catch {
    // `exports` may hide package.json (ERR_PACKAGE_PATH_NOT_EXPORTED): look for the folder the way Node would.
  }
  for (let dir = resolve(fromDir); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', specifier);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) break;
  }
  return notFound(specifier, fromDir);
}

const CONDITIONS = ['import', 'node', 'default'];

/** Resolves a package's `exports["."]` target for an ESM import (conditions: import, node, default). */
function exportsTarget(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    for (const v of value) {
      const t = exportsTarget(v);
      if (t) return t;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    if ('.' in obj) return exportsTarget(obj['.']);
    if (Object.keys(obj).some((k) => k.startsWith('.'))) return undefined;
    for (const [k, v] of Object.entries(obj)) {
      if (CONDITIONS.includes(k)) {
        const t = exportsTarget(v);
        if (t) return t;
      }
    }
  }
  return undefined;
}

function entryFile(pkg: Record<string, unknown>, packageDir: string): string | undefined {
  const rel = pkg.exports !== undefined ? exportsTarget(pkg.exports) : typeof pkg.main === 'string' ? pkg.main : 'index.js';
  if (!rel) return undefined;
  const file = resolve(packageDir, rel);
  if (existsSync(file) && statSync(file).isFile()) return file;
  for (const f of [`${file}.js`, join(file, 'index.js')]) if (existsSync(f)) return f;
  return undefined;
}

function pickPlugin(mod: Record<string, unknown>): ConnectorPlugin | undefined {
  const def = mod.default;
  if (isConnectorPlugin(def)) return def;
  // A CommonJS plugin imported from ESM: its module.exports arrives as `default`.
  if (def !== null && typeof def === 'object') {
    const inner = def as Record<string, unknown>;
    if (isConnectorPlugin(inner.default)) return inner.default;
    if (isConnectorPlugin(inner.plugin)) return inner.plugin;
  }
  if (isConnectorPlugin(mod.plugin)) return mod.plugin;
  const branded = Object.values(mod).filter(isConnectorPlugin);
  return branded.length === 1 ? branded[0] : undefined;
}

/**
 * Finds, loads and checks a connector plugin. `specifier` is a filesystem
 * path (starts with `.` or `/`, or has a path separator; a directory with a
 * package.json, resolved from `fromDir`) or an npm package name resolved
 * from `fromDir`'s `node_modules`. The package's `relaypoint` field must say
 * `{ "kind": "connector", "id": ... }`; its entry must export the plugin
 * (default export, `plugin`, or the only branded export) with that id and a
 * `core` range that includes the running core.
 * Throws `PluginError`: `PLUGIN_NOT_FOUND`, `PLUGIN_INVALID`,
 * `PLUGIN_CORE_MISMATCH`, `PLUGIN_SCHEMA_INVALID`.
 */
export async function discoverPlugin(specifier: string, fromDir: string, coreVersion?: string): Promise<DiscoveredPlugin> {
  const packageDir = findPackageDir(specifier, fromDir);
  let pkg: Record<string, unknown>;
  try {
    pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new PluginError(
      ErrorCodes.PLUGIN_INVALID,
      specifier,
      `package "${specifier}" has an unreadable package.json: ${(e as Error).message}`,
      { cause: e },
    );
  }
  const packageName = typeof pkg.name === 'string' ? pkg.name : specifier;
  const invalid = (why: string, cause?: unknown): never => {
    throw new PluginError(
      ErrorCodes.PLUGIN_INVALID,
      specifier,
      `package "${packageName}" is not a Relaypoint plugin: ${why}`,
      cause === undefined ? {} : { cause },
    );
  };
  const field = pkg.relaypoint as Partial<RelaypointPackageField> | undefined;
  if (field === undefined || field === null || typeof field !== 'object') return invalid('no "relaypoint" field in its package.json');
  if (field.kind !== 'connector') invalid(`its "relaypoint" field has kind ${JSON.stringify(field.kind)}; expected "connector"`);
  if (typeof field.id !== 'string') invalid('its "relaypoint" field has no "id"');

  const entry = entryFile(pkg, packageDir);
  if (!entry) return invalid('its package.json names no entry file that exists');
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(entry).href)) as Record<string, unknown>;
  } catch (e) {
    // defineConnectorPlugin refusing the definition at import time already says what is wrong.
    if (isPluginError(e)) throw e;
    return invalid(`its entry ${entry} failed to load: ${(e as Error).message}`, e);
  }
  const plugin = pickPlugin(mod);
  if (!plugin) return invalid('no plugin export (export the result of defineConnectorPlugin as default or as "plugin")');
  if (plugin.id !== field.id) invalid(`package.json declares plugin id "${field.id}" but the package exports plugin "${plugin.id}"`);
  assertCoreCompatible(plugin, coreVersion);
  checkPluginDefinition(plugin);
  return { plugin, packageName, version: typeof pkg.version === 'string' ? pkg.version : '0.0.0', packageDir, specifier };
}
