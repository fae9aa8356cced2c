import { ConnectorError, ConfigError, PluginError, type Outcome } from './ConnectorError.js';
import { RelaypointError } from './RelaypointError.js';

/** True for any Relaypoint error (any package, any version: duck-typed on `code` and `name`). */
export function isRelaypointError(e: unknown): e is RelaypointError {
  return (
    e instanceof RelaypointError ||
    (typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string' && e instanceof Error && 'toJSON' in e)
  );
}

/** True for a failed provider call carrying an outcome. */
export function isConnectorError(e: unknown): e is ConnectorError {
  return e instanceof ConnectorError || (isRelaypointError(e) && typeof (e as { outcome?: unknown }).outcome === 'string');
}

/** True when the error's outcome is the given one. */
export function hasOutcome(e: unknown, outcome: Outcome): e is ConnectorError {
  return isConnectorError(e) && e.outcome === outcome;
}

/** True when the call may have been issued: it must be reconciled, never reported as failed. */
export function isOutcomeUnknown(e: unknown): e is ConnectorError {
  return hasOutcome(e, 'unknown');
}

/** True for a plugin loading error. */
export function isPluginError(e: unknown): e is PluginError {
  return e instanceof PluginError;
}

/** True for a config error (its `errors` lists `path: message` lines). */
export function isConfigError(e: unknown): e is ConfigError {
  return e instanceof ConfigError;
}
