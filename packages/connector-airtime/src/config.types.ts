/* Generated from config.schema.json by scripts/codegen.mjs (json-schema-to-typescript). Do not edit: change the schema and run `npm run codegen`. */
import type { ResilienceOptions } from '@relaypoint/core';

/**
 * Config of one airtime connector instance.
 */
export interface AirtimeConnectorConfig {
  /**
   * Base URL of the provider's airtime API, without a trailing slash (e.g. https://api.example.com/airtime). POST {baseUrl}/issue is the issuance endpoint.
   */
  baseUrl: string;
  /**
   * API key sent as X-API-Key. Secret.
   */
  apiKey: string;
  /**
   * HMAC-SHA256 secret that signs the exact request bytes (X-Signature, hex). Secret.
   */
  secret: string;
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
