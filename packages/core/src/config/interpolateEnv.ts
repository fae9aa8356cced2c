import { ErrorCodes } from '../errors/codes.js';
import { ConfigError } from '../errors/ConnectorError.js';
import { formatJsonPath, type PathSegment } from './jsonPath.js';

/** Environment variables as `process.env` holds them. */
export type Env = Record<string, string | undefined>;

// `$${` is an escaped literal `${`; otherwise `${NAME}` or `${NAME:-default}`.
const TOKEN = /\$\$\{|\$\{([^}]*)\}?/g;
const REFERENCE = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?$/;

/**
 * Replaces `${VAR}` and `${VAR:-default}` in every string of a JSON value
 * (object keys are left alone) and returns a new value. `${VAR:-default}`
 * uses the default when VAR is unset or empty; `$${` writes a literal `${`.
 * Throws `ConfigError` `CONFIG_ENV_MISSING` with one line per unset variable
 * naming its JSON path (`connectors[0].config.apiKey: environment variable
 * AIRTIME_KEY is not set`), or `CONFIG_INVALID` for a malformed `${...}`.
 * `env` defaults to `process.env`.
 */
export function interpolateEnv<T>(value: T, env: Env = process.env, pathPrefix = ''): T {
  const missing: string[] = [];
  const malformed: string[] = [];
  const walk = (v: unknown, path: PathSegment[]): unknown => {
    if (typeof v === 'string') {
      if (!v.includes('$')) return v;
      return v.replace(TOKEN, (token: string, body: string | undefined) => {
        if (token === '$${') return '${';
        const m = token.endsWith('}') && body !== undefined ? REFERENCE.exec(body) : null;
        if (!m) {
          malformed.push(
            `${formatJsonPath(path, pathPrefix)}: malformed environment reference ${JSON.stringify(token)} (write $\${ for a literal \${)`,
          );
          return token;
        }
        const [, name, fallback] = m;
        const set = env[name];
        if (fallback !== undefined) return set === undefined || set === '' ? fallback : set;
        if (set === undefined) {
          missing.push(`${formatJsonPath(path, pathPrefix)}: environment variable ${name} is not set`);
          return token;
        }
        return set;
      });
    }
    if (Array.isArray(v)) return v.map((item, i) => walk(item, [...path, i]));
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v)) out[k] = walk(item, [...path, k]);
      return out;
    }
    return v;
  };
  const out = walk(value, []) as T;
  if (missing.length) throw new ConfigError(ErrorCodes.CONFIG_ENV_MISSING, [...missing, ...malformed]);
  if (malformed.length) throw new ConfigError(ErrorCodes.CONFIG_INVALID, malformed);
  return out;
}
