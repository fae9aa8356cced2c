import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ErrorCodes } from '../errors/codes.js';
import { ConfigError } from '../errors/ConnectorError.js';
import type { JsonSchema } from '../plugins/ConnectorPlugin.js';
import { jsonErrorOffset } from './jsonErrorOffset.js';
import { interpolateEnv, type Env } from './interpolateEnv.js';
import { validateAgainstSchema } from './validateAgainstSchema.js';

/** Options of {@link loadConfigFile}. */
export interface LoadConfigFileOptions {
  /** Variables for `${VAR}` interpolation. Defaults to `process.env`. */
  env?: Env;
}

/** A loaded config and where it came from (relative paths inside it resolve from `dir`). */
export interface LoadedConfig<T> {
  /** The interpolated, validated config, defaults filled in. */
  config: T;
  /** Absolute path of the file. */
  path: string;
  /** Its directory. */
  dir: string;
}

function lineColumn(text: string, position: number): string {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return `${line}:${column}`;
}

/**
 * Reads a JSON config file, interpolates `${VAR}` references, then
 * validates it against `schema`. Throws `ConfigError`:
 * `CONFIG_UNREADABLE` (missing file, or invalid JSON with `file:line:column`),
 * `CONFIG_ENV_MISSING` (one line per unset variable), or `CONFIG_INVALID`
 * (one `path: message` line per schema error).
 */
export function loadConfigFile<T = unknown>(path: string, schema: JsonSchema, options: LoadConfigFileOptions = {}): LoadedConfig<T> {
  const abs = resolve(path);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new ConfigError(ErrorCodes.CONFIG_UNREADABLE, [`${abs}: cannot read the config file (${err.code ?? err.message})`], { cause: e });
  }
  const body = text.replace(/^\uFEFF/, '');
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch (e) {
    const msg = (e as Error).message;
    const offset = jsonErrorOffset(body);
    const where = offset === undefined ? abs : `${abs}:${lineColumn(body, offset)}`;
    throw new ConfigError(ErrorCodes.CONFIG_UNREADABLE, [`${where}: invalid JSON: ${msg}`], { cause: e });
  }
  const config = interpolateEnv(raw, options.env ?? process.env);
  const lines = validateAgainstSchema(schema, config);
  if (lines.length) throw new ConfigError(ErrorCodes.CONFIG_INVALID, lines);
  return { config: config as T, path: abs, dir: dirname(abs) };
}
