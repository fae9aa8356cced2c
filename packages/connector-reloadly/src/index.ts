import { createRequire } from 'node:module';
import { defineConnectorPlugin, type ConnectorPlugin } from '@relaypoint/core';
import type { ReloadlyConnectorConfig } from './config.types.js';
import { ReloadlyConnector } from './ReloadlyConnector.js';

/** The plugin's config JSON schema; it ships beside the code (package.json `files`), so hosts and docs read the same JSON. */
const configSchema = createRequire(import.meta.url)('./config.schema.json') as Record<string, unknown>;

/**
 * The Reloadly airtime plugin: OAuth2 client credentials, top-ups keyed by
 * `customIdentifier` (Reloadly refuses a reused one: `reject-duplicate`, the
 * plugin then looks the original up), `PROCESSING` top-ups resolved through
 * `checkStatus`.
 */
export const plugin: ConnectorPlugin<ReloadlyConnectorConfig> = defineConnectorPlugin<ReloadlyConnectorConfig>({
  id: 'reloadly',
  displayName: 'Reloadly airtime',
  core: '^0.1.0',
  configSchema,
  capabilities: { duplicateReference: 'reject-duplicate', statusByReference: true, amountUnit: 'major', asyncIssuance: true },
  requiresPhone: true,
  create: (config, ctx) => new ReloadlyConnector(config, ctx),
});

export default plugin;

export { ReloadlyConnector, RELOADLY_ENVIRONMENTS, RELOADLY_AUTH_URL, DEFAULT_RELOADLY_TIMEOUT_MS } from './ReloadlyConnector.js';
export { ReloadlyTokenSource } from './ReloadlyTokenSource.js';
export type { ReloadlyTokenSourceOptions } from './ReloadlyTokenSource.js';
export { mapReloadlyError, readReloadlyEnvelope, RECENTLY_RECHARGED_WAIT_MS } from './mapReloadlyError.js';
export type { ReloadlyErrorAnswer, ReloadlyErrorEnvelope } from './mapReloadlyError.js';
export { RELOADLY_STATUS } from './readReloadlyTopup.js';
export { toReloadlyPhone } from './toReloadlyPhone.js';
export type { ReloadlyPhone } from './toReloadlyPhone.js';
export type { ReloadlyConnectorConfig } from './config.types.js';
export { configSchema };
