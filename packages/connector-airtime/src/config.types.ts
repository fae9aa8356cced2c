/* Generated from config.schema.json by scripts/codegen.mjs (json-schema-to-typescript). Do not edit: change the schema and run `npm run codegen`. */

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
  resilience?: ResilienceOptions;
  /**
   * Optional map from your product ids to the provider's product_id. Ids not in the map are sent as they are.
   */
  products?: {
    [k: string]: string;
  };
}
/**
 * Limits of the resilience pipeline of one connector instance (timeout, retry, circuit breaker, bulkhead, reconciliation). Every field is optional; the defaults are given in each description.
 */
export interface ResilienceOptions {
  /**
   * Per-attempt timeout, ms. Defaults to 10000.
   */
  timeoutMs?: number;
  /**
   * Retries of one call. A call that may have been issued is re-sent only when the provider deduplicates references.
   */
  retry?: {
    /**
     * Total attempts including the first. Defaults to 3.
     */
    maxAttempts?: number;
    /**
     * Backoff before the first retry, ms (doubles each retry, full jitter). Defaults to 200.
     */
    initialDelayMs?: number;
    /**
     * Upper bound of one backoff, ms. Defaults to 5000.
     */
    maxDelayMs?: number;
    /**
     * Longest provider-requested wait (Retry-After) honoured, ms; a provider asking for longer makes the call give up with its error. Defaults to 60000.
     */
    maxRetryAfterMs?: number;
  };
  /**
   * Circuit breaker shared by every call of the connector instance.
   */
  breaker?: {
    /**
     * Consecutive failures that open the breaker. Defaults to 5.
     */
    failureThreshold?: number;
    /**
     * How long the breaker stays open before letting one trial call through, ms. Defaults to 30000.
     */
    halfOpenAfterMs?: number;
  };
  /**
   * Concurrency limit of the connector instance.
   */
  bulkhead?: {
    /**
     * Calls in flight at once. Defaults to 32.
     */
    maxConcurrent?: number;
    /**
     * Calls waiting for a slot; beyond it calls fail with BULKHEAD_FULL. Defaults to 1000.
     */
    maxQueue?: number;
  };
  /**
   * Status lookups by reference after an outcome stayed unknown.
   */
  reconcile?: {
    /**
     * Status lookups after an unknown outcome. Defaults to 3.
     */
    attempts?: number;
    /**
     * Wait before the first lookup, ms; doubles before each next one. Defaults to 500.
     */
    delayMs?: number;
  };
}
