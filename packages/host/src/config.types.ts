/* Generated from config.schema.json by scripts/codegen.mjs (json-schema-to-typescript). Do not edit: change the schema and run `npm run codegen`. */

/**
 * The Relaypoint host config (one JSON file). Strings may use ${VAR} and ${VAR:-default} interpolation.
 */
export interface HostConfig {
  /**
   * Editor hint; ignored.
   */
  $schema?: string;
  server?: {
    /**
     * Interface to listen on.
     */
    host?: string;
    /**
     * TCP port; 0 picks a free one.
     */
    port?: number;
    /**
     * Largest accepted request body (bytes: `100kb`, `1mb`).
     */
    bodyLimit?: string;
    /**
     * How long POST /v1/issuances waits for a terminal state before answering 202, ms.
     */
    issuanceWaitMs?: number;
    /**
     * How long a graceful shutdown waits for in-flight provider calls, ms.
     */
    shutdownGraceMs?: number;
  };
  /**
   * Where the journal and the webhook outbox live.
   */
  storage:
    | {
        driver: 'sqlite';
        /**
         * SQLite file, relative to the config file's folder.
         */
        path: string;
        /**
         * FULL (default) survives power loss; NORMAL survives a process crash.
         */
        synchronous?: 'FULL' | 'NORMAL';
      }
    | {
        driver: 'postgres';
        /**
         * postgres://user:password@host:port/db
         */
        url: string;
        /**
         * Connection pool size. Defaults to 10.
         */
        poolSize?: number;
      };
  /**
   * @minItems 1
   */
  tenants: [
    {
      id: string;
      name?: string;
      /**
       * @minItems 1
       */
      apiKeys: [string, ...string[]];
    },
    ...{
      id: string;
      name?: string;
      /**
       * @minItems 1
       */
      apiKeys: [string, ...string[]];
    }[]
  ];
  admin?: {
    /**
     * Bearer key for cross-tenant operations.
     */
    apiKey: string;
  };
  connectors: {
    /**
     * Instance name used in API calls (`connector`).
     */
    name: string;
    /**
     * npm package name (resolved from the config file's folder) or a path.
     */
    plugin: string;
    /**
     * Validated against the plugin's own config schema.
     */
    config?: {};
    /**
     * Timeout, retry, breaker, bulkhead and reconcile options (core's resilience schema).
     */
    resilience?: {};
  }[];
  webhooks?: {
    /**
     * Delay before each attempt, ms. Defaults to 0, 5s, 5m, 30m, 2h, 5h, 10h, 10h.
     *
     * @minItems 1
     */
    retrySchedule?: [number, ...number[]];
    /**
     * Deliveries in flight per host. Defaults to 32.
     */
    concurrency?: number;
    /**
     * Deliveries in flight per subscription. Defaults to 4.
     */
    perSubscriptionConcurrency?: number;
    /**
     * Per-delivery timeout, ms. Defaults to 15000.
     */
    requestTimeoutMs?: number;
    ssrf?: {
      /**
       * CIDRs exempt from the SSRF guard (e.g. 127.0.0.0/8 for local receivers).
       */
      allow?: string[];
      /**
       * Accept http:// URLs. Defaults to false (https only).
       */
      allowHttp?: boolean;
    };
  };
  reconciliation?: {
    /**
     * How often the reconciler looks for due issuances, and the first re-check delay, ms.
     */
    intervalMs?: number;
    /**
     * Largest delay between two checks of one issuance (backoff doubles up to it), ms.
     */
    maxIntervalMs?: number;
    /**
     * Age after which a non-terminal issuance is flagged needs_attention, ms.
     */
    maxAgeMs?: number;
    /**
     * How long a host owns an issuance it is working on before another may take it over, ms. Must exceed the longest provider call.
     */
    leaseMs?: number;
    /**
     * Issuances claimed per reconciler pass.
     */
    batchSize?: number;
  };
  logging?: {
    level?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  };
}
