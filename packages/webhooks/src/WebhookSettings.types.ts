/* Generated from WebhookSettings.schema.json by scripts/codegen.mjs (json-schema-to-typescript). Do not edit: change the schema and run `npm run codegen`. */

/**
 * The webhook service's tunables: every one optional, each default written here once and filled in by ajv (useDefaults).
 */
export interface WebhookSettings {
  /**
   * Delay before each attempt, ms; its length is the number of attempts. Defaults to [0, 5s, 5m, 30m, 2h, 5h, 10h, 10h].
   *
   * @minItems 1
   */
  retrySchedule?: [number, ...number[]];
  /**
   * Random spread of each retry delay, as a fraction (0.2 = ±20 %). Defaults to 0.2.
   */
  jitter?: number;
  /**
   * Upper bound for a receiver's Retry-After, ms. Defaults to 1 h.
   */
  maxRetryAfterMs?: number;
  /**
   * Whole-request timeout (connect, headers, body), ms. Defaults to 15000.
   */
  requestTimeoutMs?: number;
  /**
   * Requests in flight at once in this process. Defaults to 32.
   */
  concurrency?: number;
  /**
   * Requests in flight at once to one subscription in this process. Defaults to 4.
   */
  perSubscriptionConcurrency?: number;
  /**
   * Sizes the claim-ahead queue: up to 2 × concurrency + 8 × batchSize rows are claimed ahead of the senders (results are recorded together every 50 ms, or sooner when the queue runs low). Defaults to 100.
   */
  batchSize?: number;
  /**
   * How often an idle dispatcher looks for due deliveries, and how often it compares the claims it has queued with the store, ms. Defaults to 250.
   */
  pollIntervalMs?: number;
  /**
   * How long a claim is held before another worker may take it over, ms (renewed while this process lives); must be longer than requestTimeoutMs. Defaults to requestTimeoutMs × 2 + 5000.
   */
  leaseMs?: number;
  /**
   * How long a rotated-out secret keeps signing alongside the new one, ms. Defaults to 24 h.
   */
  secretOverlapMs?: number;
  /**
   * Endpoint health: when a failing endpoint is paused, and how fast its backlog drains once resumed.
   */
  health?: {
    /**
     * Pause after only failures for this long, ms. Defaults to 24 h.
     */
    pauseAfterMs?: number;
    /**
     * … and at least this many consecutive failed attempts. Defaults to 5.
     */
    minFailures?: number;
    /**
     * Deliveries per second released from a resumed subscription's backlog. Defaults to 10.
     */
    drainRatePerSecond?: number;
  };
  /**
   * Identifies this process in leases. Defaults to <hostname>:<pid>:<random>.
   */
  workerId?: string;
}
