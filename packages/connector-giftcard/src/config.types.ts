/* Generated from config.schema.json by scripts/codegen.mjs (json-schema-to-typescript). Do not edit: change the schema and run `npm run codegen`. */
import type { ResilienceOptions } from '@relaypoint/core';

/**
 * Config of one gift-card connector instance.
 */
export interface GiftcardConnectorConfig {
  /**
   * Base URL of the provider's gift-card API, without a trailing slash (e.g. https://api.example.com/giftcard).
   */
  baseUrl: string;
  /**
   * API key sent as X-API-Key. Secret.
   */
  apiKey: string;
  /**
   * ISO 4217 currency assumed for catalogue products that state none. Defaults to USD.
   */
  defaultCurrency?: string;
  /**
   * How long the product catalogue is cached, in ms. It is also refreshed at once when an issuance names a product the cache does not know. Defaults to 300000 (5 minutes).
   */
  catalogueTtlMs?: number;
  /**
   * HTTP timeout of one request, in ms. The resilience pipeline's per-attempt timeout (resilience.timeoutMs) usually fires first. Defaults to 10000.
   */
  timeoutMs?: number;
  /**
   * Limits of the resilience pipeline of one connector instance (timeout, retry, circuit breaker, bulkhead, reconciliation). Every field is optional; the defaults are given in each description.
   */
  resilience?: ResilienceOptions;
  /**
   * Optional map from your product ids to the provider's product_id. Ids not in the map are sent as they are.
   */
  products?: {
    [k: string]: string;
  };
}
