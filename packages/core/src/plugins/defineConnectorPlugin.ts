import semver from 'semver';
import { ErrorCodes } from '../errors/codes.js';
import { PluginError } from '../errors/ConnectorError.js';
import { createAjv, schemaDraft } from '../config/createAjv.js';
import { CORE_VERSION } from '../version.js';
import type { ConnectorPlugin, ConnectorPluginDefinition } from './ConnectorPlugin.js';

const PLUGIN_ID = /^[a-z][a-z0-9-]{0,62}$/;
const DUPLICATE_REFERENCE = ['return-original', 'reject-duplicate', 'replay-identical', 'none'];
const CAPABILITIES = ['duplicateReference', 'statusByReference', 'amountUnit', 'asyncIssuance', 'referenceWindowMs'];
const AMOUNT_UNITS = ['major', 'minor'];

/** The brand every plugin carries, so the host can recognise a plugin export. */
export const CONNECTOR_PLUGIN_KIND = 'relaypoint.connector' as const;

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}

/**
 * Checks a plugin definition (or a plugin loaded from elsewhere) and throws a
 * `PluginError` naming it: `PLUGIN_INVALID` for a bad id, core range,
 * capabilities or factory; `PLUGIN_SCHEMA_INVALID` when the config schema
 * does not compile under strict ajv.
 * @internal shared with discovery, which re-checks what a package exports.
 */
export function checkPluginDefinition(def: unknown): asserts def is ConnectorPluginDefinition {
  const name = isObject(def) && typeof def.id === 'string' ? def.id : '(unnamed)';
  const invalid = (why: string, path?: string): never => {
    throw new PluginError(ErrorCodes.PLUGIN_INVALID, name, `plugin "${name}" is invalid: ${why}`, path ? { details: { path } } : {});
  };
  if (!isObject(def)) return invalid('the definition must be an object');
  if (typeof def.id !== 'string' || !PLUGIN_ID.test(def.id)) invalid('id must match ^[a-z][a-z0-9-]{0,62}$');
  if (typeof def.core !== 'string' || semver.validRange(def.core) === null)
    invalid(`core must be a semver range of @relaypoint/core (e.g. "^${CORE_VERSION}")`);
  const caps = def.capabilities;
  if (!isObject(caps)) return invalid('capabilities are required');
  const capability = (key: string, why: string) => invalid(`capabilities.${key} ${why}`, `capabilities.${key}`);
  if (!DUPLICATE_REFERENCE.includes(caps.duplicateReference as string))
    capability('duplicateReference', `must be one of ${DUPLICATE_REFERENCE.join(', ')}`);
  if (typeof caps.statusByReference !== 'boolean') capability('statusByReference', 'must be a boolean');
  if (!AMOUNT_UNITS.includes(caps.amountUnit as string)) capability('amountUnit', `must be one of ${AMOUNT_UNITS.join(', ')}`);
  if (caps.asyncIssuance !== undefined && typeof caps.asyncIssuance !== 'boolean') capability('asyncIssuance', 'must be a boolean');
  const window = caps.referenceWindowMs;
  if (window !== undefined && !(typeof window === 'number' && Number.isSafeInteger(window) && window > 0)) {
    capability('referenceWindowMs', 'must be a positive whole number of ms (e.g. 86400000 for 24 h)');
  }
  // A window bounds how long the provider deduplicates; a provider that never deduplicates has nothing to bound.
  if (window !== undefined && caps.duplicateReference === 'none')
    capability('referenceWindowMs', 'means nothing with duplicateReference "none"');
  const unknownCaps = Object.keys(caps).filter((k) => !CAPABILITIES.includes(k));
  if (unknownCaps.length) invalid(`unknown capabilities: ${unknownCaps.join(', ')} (known: ${CAPABILITIES.join(', ')})`, 'capabilities');
  if (typeof def.create !== 'function') invalid('create must be a function');
  if (def.displayName !== undefined && typeof def.displayName !== 'string') invalid('displayName must be a string');
  if (def.requiresPhone !== undefined && typeof def.requiresPhone !== 'boolean') invalid('requiresPhone must be a boolean');
  if (!isObject(def.configSchema)) {
    throw new PluginError(ErrorCodes.PLUGIN_SCHEMA_INVALID, name, `plugin "${name}" has no configSchema object`);
  }
  try {
    createAjv({ draft: schemaDraft(def.configSchema) }).compile(def.configSchema);
  } catch (e) {
    throw new PluginError(ErrorCodes.PLUGIN_SCHEMA_INVALID, name, `plugin "${name}" has an invalid configSchema: ${(e as Error).message}`, {
      cause: e,
    });
  }
}

/**
 * Declares a connector plugin: checks the definition (id, core range,
 * capabilities, config schema under strict ajv) and returns it frozen and
 * branded `kind: 'relaypoint.connector'`. Export the result from the plugin
 * package (default export or `plugin`).
 */
export function defineConnectorPlugin<TConfig = unknown>(definition: ConnectorPluginDefinition<TConfig>): ConnectorPlugin<TConfig> {
  checkPluginDefinition(definition);
  const plugin: ConnectorPlugin<TConfig> = {
    ...definition,
    capabilities: { ...definition.capabilities },
    configSchema: structuredClone(definition.configSchema),
    kind: CONNECTOR_PLUGIN_KIND,
  };
  return deepFreeze(plugin);
}

/** True when `value` looks like a plugin made by `defineConnectorPlugin` (any copy of core). */
export function isConnectorPlugin(value: unknown): value is ConnectorPlugin {
  return isObject(value) && value.kind === CONNECTOR_PLUGIN_KIND && typeof value.id === 'string' && typeof value.create === 'function';
}

/**
 * Refuses a plugin whose `core` range excludes the running core version with
 * `PLUGIN_CORE_MISMATCH`, naming the plugin, its range and the version.
 * Pre-releases count (`includePrerelease`). `coreVersion` defaults to {@link CORE_VERSION}.
 */
export function assertCoreCompatible(plugin: Pick<ConnectorPlugin, 'id' | 'core'>, coreVersion: string = CORE_VERSION): void {
  if (!semver.satisfies(coreVersion, plugin.core, { includePrerelease: true })) {
    throw new PluginError(
      ErrorCodes.PLUGIN_CORE_MISMATCH,
      plugin.id,
      `plugin "${plugin.id}" requires @relaypoint/core ${plugin.core} but the running core is ${coreVersion}`,
      { details: { required: plugin.core, running: coreVersion } },
    );
  }
}
