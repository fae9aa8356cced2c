import { defineConnectorPlugin, type ConnectorPlugin } from '@relaypoint/core';
import { createRequire } from 'node:module';
import { AirtimeConnector } from './AirtimeConnector.js';
import type { AirtimeConnectorConfig } from './config.types.js';

// The schema ships beside the code (package.json `files`), so hosts and docs read the same JSON.
const configSchema = createRequire(import.meta.url)('./config.schema.json') as Record<string, unknown>;

/**
 * The airtime connector plugin: `POST /issue` signed with HMAC-SHA256 over
 * the exact bytes, status by transaction id and by reference. The provider
 * refuses a repeated reference (`reject-duplicate`); the connector then
 * returns the original transaction.
 */
export const plugin: ConnectorPlugin<AirtimeConnectorConfig> = defineConnectorPlugin<AirtimeConnectorConfig>({
  id: 'airtime',
  displayName: 'Airtime top-ups',
  core: '^0.1.0',
  configSchema,
  capabilities: { duplicateReference: 'reject-duplicate', statusByReference: true, amountUnit: 'major', asyncIssuance: true },
  requiresPhone: true,
  create: (config, ctx) => new AirtimeConnector(config, ctx),
});

export default plugin;

export { AirtimeConnector, DEFAULT_AIRTIME_TIMEOUT_MS } from './AirtimeConnector.js';
export { mapAirtimeError } from './mapAirtimeError.js';
export type { AirtimeErrorAnswer } from './mapAirtimeError.js';
export type { AirtimeConnectorConfig } from './config.types.js';
export { configSchema };
