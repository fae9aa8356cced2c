import { defineConnectorPlugin, type ConnectorPlugin } from '@relaypoint/core';
import { createRequire } from 'node:module';
import { GiftcardConnector } from './GiftcardConnector.js';
import type { GiftcardConnectorConfig } from './config.types.js';

// The schema ships beside the code (package.json `files`), so hosts and docs read the same JSON.
const configSchema = createRequire(import.meta.url)('./config.schema.json') as Record<string, unknown>;

/**
 * The gift-card connector plugin: catalogue-checked orders keyed by
 * `external_ref`; the provider returns the original order for a repeated
 * reference (`return-original`), and pending orders resolve through
 * `checkStatus`.
 */
export const plugin: ConnectorPlugin<GiftcardConnectorConfig> = defineConnectorPlugin<GiftcardConnectorConfig>({
  id: 'giftcard',
  displayName: 'Gift cards',
  core: '^0.1.0',
  configSchema,
  capabilities: { duplicateReference: 'return-original', statusByReference: true, amountUnit: 'major', asyncIssuance: true },
  requiresPhone: false,
  create: (config, ctx) => new GiftcardConnector(config, ctx),
});

export default plugin;

export { GiftcardConnector, DEFAULT_GIFTCARD_TIMEOUT_MS, DEFAULT_CATALOGUE_TTL_MS } from './GiftcardConnector.js';
export { GiftcardCatalogue } from './GiftcardCatalogue.js';
export type { CatalogueProduct, GiftcardCatalogueOptions } from './GiftcardCatalogue.js';
export { mapGiftcardError } from './mapGiftcardError.js';
export type { GiftcardErrorAnswer } from './mapGiftcardError.js';
export type { GiftcardConnectorConfig } from './config.types.js';
export { configSchema };
