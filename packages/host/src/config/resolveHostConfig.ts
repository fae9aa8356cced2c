import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import {
  ConfigError,
  ErrorCodes,
  isPluginError,
  interpolateEnv,
  validateAgainstSchema,
  type DiscoveredPlugin,
  type ResilienceOptions,
} from '@relaypoint/core';
import { AddressPolicy } from '@relaypoint/webhooks';
import type { HostConfig } from '../config.types.js';
import { hostSchemaFor } from './hostConfigSchema.js';
import { resolvePlugin } from '../plugins/resolvePlugin.js';
import { suggestProperties } from './suggestProperty.js';

/** One connector instance of a resolved config: its plugin found, its config checked. */
export interface ResolvedConnector {
  /** Instance name (`connectors[i].name`). */
  name: string;
  /** Index in `connectors`, for error paths. */
  index: number;
  /** The plugin package, loaded and checked against the running core. */
  discovered: DiscoveredPlugin;
  /** The instance config, validated against the plugin's schema (defaults filled in). */
  config: Record<string, unknown>;
  /** Resilience options as configured (defaults are core's). */
  resilience: ResilienceOptions;
}

/** A host config that passed every check: schema, plugins, plugin configs. */
export interface ResolvedHostConfig {
  /** The config with `${VAR}`s replaced and schema defaults filled in. */
  config: HostConfig & Required<Pick<HostConfig, 'server' | 'webhooks' | 'reconciliation' | 'logging'>>;
  /** Folder plugins and relative paths are resolved from. */
  dir: string;
  /** The config file, when loaded from one. */
  path?: string;
  /** The connector instances, in config order. */
  connectors: ResolvedConnector[];
}

/** Options of {@link resolveHostConfig}. */
export interface ResolveOptions {
  /** Folder plugin names (then the host's own installation) and relative storage paths are resolved from. */
  dir: string;
  /** Environment for `${VAR}` interpolation. Defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** The config file path, for messages. */
  path?: string;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Checks a host config completely and collects every problem before
 * failing: schema errors, duplicate connector names, plugins that cannot be
 * found or loaded, plugin config and resilience errors. Throws one
 * `ConfigError` (`CONFIG_INVALID`) whose `errors` hold one `path: message`
 * line per problem.
 */
export async function resolveHostConfig(raw: unknown, options: ResolveOptions): Promise<ResolvedHostConfig> {
  // An unset variable is reported with everything else wrong in the file, not alone: the checks below run on the
  // value as written, and their lines about a path whose variable is missing are dropped (they would only say
  // that "${VAR}" is not a URI, a number, ...).
  let value: Record<string, unknown>;
  let envError: ConfigError | undefined;
  try {
    value = interpolateEnv(structuredClone(raw), options.env ?? process.env) as Record<string, unknown>;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    envError = e;
    value = structuredClone(raw) as Record<string, unknown>;
  }
  const hostSchema = hostSchemaFor(value);
  const lines: string[] = suggestProperties(validateAgainstSchema(hostSchema, value, { pathPrefix: '' }), hostSchema);
  lines.push(...checkValues(value));

  const connectors: ResolvedConnector[] = [];
  const list = Array.isArray(value?.connectors) ? (value.connectors as unknown[]) : [];
  const seen = new Map<string, number>();
  for (const [index, entry] of list.entries()) {
    if (!isObject(entry)) continue;
    const path = `connectors[${index}]`;
    const name = typeof entry.name === 'string' ? entry.name : undefined;
    if (name !== undefined) {
      const first = seen.get(name);
      if (first !== undefined) lines.push(`${path}.name: duplicate connector name "${name}" (also connectors[${first}])`);
      else seen.set(name, index);
    }
    if (typeof entry.plugin !== 'string' || entry.plugin === '') continue;
    let discovered: DiscoveredPlugin;
    try {
      discovered = await resolvePlugin(entry.plugin, options.dir);
    } catch (e) {
      if (isPluginError(e) || isConfigErrorLike(e)) {
        lines.push(`${path}.plugin: ${(e as Error).message}`);
        continue;
      }
      lines.push(`${path}.plugin: cannot load "${entry.plugin}": ${(e as Error).message}`);
      continue;
    }
    const config = isObject(entry.config) ? entry.config : {};
    lines.push(
      ...suggestProperties(
        validateAgainstSchema(discovered.plugin.configSchema, config, { pathPrefix: `${path}.config` }),
        discovered.plugin.configSchema,
        `${path}.config`,
      ),
    );
    // Checked by the host schema above (core's resilience schema is embedded there without its defaults, so
    // nothing the operator left out is filled in here and overrides the plugin's own options).
    const own = isObject(entry.resilience) ? entry.resilience : {};
    // A plugin may carry resilience options inside its own config; the host entry's win, section by section.
    const fromPlugin = isObject(config.resilience) ? config.resilience : {};
    const resilience: Record<string, unknown> = { ...fromPlugin };
    for (const [k, v] of Object.entries(own)) resilience[k] = isObject(v) && isObject(fromPlugin[k]) ? { ...fromPlugin[k], ...v } : v;
    if (name !== undefined) connectors.push({ name, index, discovered, config, resilience: resilience as ResilienceOptions });
  }
  if (envError) {
    const unset = envError.errors.map(pathOf);
    const others = lines.filter((line) => !unset.some((p) => isWithin(pathOf(line), p)));
    throw new ConfigError(envError.code === ErrorCodes.CONFIG_ENV_MISSING ? ErrorCodes.CONFIG_ENV_MISSING : ErrorCodes.CONFIG_INVALID, [
      ...envError.errors,
      ...others,
    ]);
  }
  if (lines.length > 0) throw new ConfigError(ErrorCodes.CONFIG_INVALID, lines);

  const config = value as unknown as ResolvedHostConfig['config'];
  if (config.storage.driver === 'sqlite' && config.storage.path !== ':memory:' && !isAbsolute(config.storage.path)) {
    config.storage = { ...config.storage, path: resolve(options.dir, config.storage.path) };
  }
  return { config, dir: options.dir, ...(options.path ? { path: options.path } : {}), connectors };
}

/** The JSON path a `path: message` line is about. */
function pathOf(line: string): string {
  const i = line.indexOf(': ');
  return i < 0 ? line : line.slice(0, i);
}

/** True when `path` is `parent` or lies under it (`a.b[0]` is within `a.b`; `a.bc` is not within `a.b`). */
function isWithin(path: string, parent: string): boolean {
  return path === parent || path.startsWith(`${parent}.`) || path.startsWith(`${parent}[`);
}

/**
 * What the schema cannot say about values it lets through, checked now so
 * that `config validate` refuses what `start` would fail on: every
 * `webhooks.ssrf.allow` entry is a CIDR range, and `storage.url` is a
 * PostgreSQL URL (never echoed: it usually holds a password).
 */
function checkValues(value: Record<string, unknown>): string[] {
  const lines: string[] = [];
  const webhooks = isObject(value.webhooks) ? value.webhooks : {};
  const ssrf = isObject(webhooks.ssrf) ? webhooks.ssrf : {};
  if (Array.isArray(ssrf.allow)) {
    for (const [i, entry] of ssrf.allow.entries()) {
      if (typeof entry !== 'string') continue; // the schema reports it
      try {
        new AddressPolicy([entry]);
      } catch (e) {
        lines.push(`webhooks.ssrf.allow[${i}]: ${(e as Error).message} (write an address or a range such as 10.0.0.0/8 or fd00::/8)`);
      }
    }
  }
  const storage = isObject(value.storage) ? value.storage : {};
  if (storage.driver === 'postgres' && typeof storage.url === 'string' && storage.url.length > 0 && !storage.url.includes('${')) {
    let url: URL | undefined;
    try {
      url = new URL(storage.url);
    } catch {
      lines.push('storage.url: is not a URL (write postgres://user:password@host:port/database)');
    }
    if (url && url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
      lines.push(`storage.url: must start with postgres:// or postgresql://, not ${url.protocol}//`);
    }
  }
  return lines;
}

function isConfigErrorLike(e: unknown): boolean {
  return e instanceof ConfigError;
}

/**
 * Reads a host config file (JSON) and resolves it with
 * {@link resolveHostConfig}; plugins are resolved from the file's folder.
 * Throws `ConfigError` (`CONFIG_UNREADABLE`, `CONFIG_ENV_MISSING` or
 * `CONFIG_INVALID`).
 */
export async function loadHostConfig(path: string, options: { env?: NodeJS.ProcessEnv } = {}): Promise<ResolvedHostConfig> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ConfigError(ErrorCodes.CONFIG_UNREADABLE, [
      `${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    ]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(ErrorCodes.CONFIG_UNREADABLE, [`${file}: not valid JSON: ${(e as Error).message}`]);
  }
  return resolveHostConfig(raw, { dir: dirname(file), path: file, env: options.env });
}
