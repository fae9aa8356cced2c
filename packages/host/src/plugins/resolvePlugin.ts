import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import semver from 'semver';
import { ErrorCodes, PluginError, discoverPlugin, type DiscoveredPlugin } from '@relaypoint/core';

/** The folder the host package is installed in: the plugins it ships resolve from here. */
export const HOST_INSTALL_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** A specifier is a path when it starts with `.` or `/`, or is absolute; `@scope/name` and `name` are package names. */
function isPathSpecifier(specifier: string): boolean {
  return (
    specifier.startsWith('.') ||
    specifier.startsWith('/') ||
    isAbsolute(specifier) ||
    (/[/\\]/.test(specifier) && !specifier.startsWith('@'))
  );
}

/** The folder of package `name` as Node resolves it from `fromDir` (its `node_modules`, then each parent's), or undefined. */
export function findInstalledPackage(name: string, fromDir: string): string | undefined {
  try {
    return dirname(createRequire(join(fromDir, 'noop.js')).resolve(`${name}/package.json`));
  } catch {
    // `exports` may hide package.json: look for the folder the way Node would.
  }
  for (let dir = resolve(fromDir); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Refuses, before its code is loaded, a plugin whose `@relaypoint/core` peer
 * is not installed where the plugin can import it or is outside the range
 * the plugin declares: otherwise its entry fails to load and the real cause
 * goes unsaid. Throws `PluginError` `PLUGIN_PEER_MISSING`.
 */
export function assertCorePeerInstalled(specifier: string, packageDir: string): void {
  let pkg: { name?: string; peerDependencies?: Record<string, string> };
  try {
    pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as typeof pkg;
  } catch {
    return; // discoverPlugin reports an unreadable package.json
  }
  const range = pkg.peerDependencies?.['@relaypoint/core'];
  if (typeof range !== 'string') return;
  const name = pkg.name ?? specifier;
  const install = `npm install @relaypoint/core@"${range}"`;
  const coreDir = findInstalledPackage('@relaypoint/core', packageDir);
  if (coreDir === undefined) {
    throw new PluginError(
      ErrorCodes.PLUGIN_PEER_MISSING,
      specifier,
      `package "${name}" needs its peer dependency @relaypoint/core@${range}, which is not installed where the plugin is (${packageDir}); install it beside the plugin: ${install}`,
    );
  }
  let version: unknown;
  try {
    version = (JSON.parse(readFileSync(join(coreDir, 'package.json'), 'utf8')) as { version?: unknown }).version;
  } catch {
    version = undefined;
  }
  if (typeof version !== 'string' || !semver.satisfies(version, range, { includePrerelease: true })) {
    throw new PluginError(
      ErrorCodes.PLUGIN_PEER_MISSING,
      specifier,
      `package "${name}" needs its peer dependency @relaypoint/core@${range}, but the one it imports (${coreDir}) is ${String(version)}; install a matching one: ${install}`,
    );
  }
}

/**
 * Finds and loads the connector plugin a config names. A path is resolved
 * from `configDir`. A package name is looked up from `configDir` first (its
 * `node_modules` and its parents'), then from the host's own installation,
 * so the plugins the host ships resolve by name from a config anywhere.
 * Throws `PluginError`: `PLUGIN_NOT_FOUND` (the message lists where it
 * looked), `PLUGIN_PEER_MISSING`, or any code of core's `discoverPlugin`.
 *
 * @param hostDir - The host installation to fall back on. Defaults to {@link HOST_INSTALL_DIR}.
 */
export async function resolvePlugin(specifier: string, configDir: string, hostDir: string = HOST_INSTALL_DIR): Promise<DiscoveredPlugin> {
  if (isPathSpecifier(specifier)) {
    const dir = resolve(configDir, specifier);
    if (existsSync(join(dir, 'package.json'))) assertCorePeerInstalled(specifier, dir);
    return discoverPlugin(specifier, configDir);
  }
  const places = [configDir, hostDir];
  for (const from of places) {
    const packageDir = findInstalledPackage(specifier, from);
    if (packageDir === undefined) continue;
    assertCorePeerInstalled(specifier, packageDir);
    return discoverPlugin(specifier, from);
  }
  const looked = places.map((p) => `${join(p, 'node_modules')} (and its parents')`).join('; ');
  throw new PluginError(
    ErrorCodes.PLUGIN_NOT_FOUND,
    specifier,
    `cannot find package "${specifier}"; looked in ${looked}. Install it beside the config (npm install ${specifier}) or name a path to it`,
  );
}
