import { createRequire } from 'node:module';
import { defineConnectorPlugin, type ConnectorPlugin } from '@relaypoint/core';
import type { TremendousConnectorConfig } from './config.types.js';
import { TremendousConnector } from './TremendousConnector.js';

/** The plugin's config JSON schema; it ships beside the code (package.json `files`), so hosts and docs read the same JSON. */
const configSchema = createRequire(import.meta.url)('./config.schema.json') as Record<string, unknown>;

/**
 * The Tremendous rewards plugin: single-reward orders keyed by `external_id`
 * (a repeat returns the original order: `return-original`), orders pending
 * approval resolved through `checkStatus`.
 */
export const plugin: ConnectorPlugin<TremendousConnectorConfig> = defineConnectorPlugin<TremendousConnectorConfig>({
  id: 'tremendous',
  displayName: 'Tremendous rewards',
  core: '^0.1.0',
  configSchema,
  capabilities: { duplicateReference: 'return-original', statusByReference: true, amountUnit: 'major', asyncIssuance: true },
  requiresPhone: false,
  create: (config, ctx) => new TremendousConnector(config, ctx),
});

export default plugin;

export { TremendousConnector, TREMENDOUS_ENVIRONMENTS, DEFAULT_TREMENDOUS_TIMEOUT_MS } from './TremendousConnector.js';
export { mapTremendousError, readTremendousEnvelope } from './mapTremendousError.js';
export type { TremendousErrorAnswer, TremendousErrorEnvelope } from './mapTremendousError.js';
export { TREMENDOUS_ORDER_STATUS } from './readTremendousOrder.js';
export type { TremendousConnectorConfig } from './config.types.js';
export { configSchema };
