/* Generated from config.schema.json by scripts/codegen.mjs (json-schema-to-typescript). Do not edit: change the schema and run `npm run codegen`. */
import type { ResilienceOptions } from '@relaypoint/core';

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
     * Serve the web console at `/console` (sign-in with a tenant or admin API key). `false` turns it off: `/console` is then a 404.
     */
    console?: boolean;
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
        /**
         * Where the SQLite connection runs. main (default): on the event loop, with WAL syncs and checkpoints on other threads; fastest for the journal's many small statements. worker: entirely on a worker thread, one message per statement; frees the event loop when webhook dispatch dominates.
         */
        thread?: 'main' | 'worker';
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
     * Timeout, retry, circuit breaker, bulkhead and reconciliation options of this connector instance (core's resilience schema). Options the plugin's own config carries under `resilience` apply first; these win, section by section.
     */
    resilience?: ResilienceOptions;
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
     * Open time after which an issuance is logged once (warn, `issuance open longer than reconciliation.slowAfterMs`) as slow to resolve, ms. The `relaypoint_issuance_time_to_terminal_seconds` histogram shows the distribution.
     */
    slowAfterMs?: number;
    /**
     * How long a host may go silent before another takes over the issuances it is working on, ms. A running provider call renews its lease every leaseMs / 3, so a call may last longer than this; keep it above the longest pause you expect (a database failover, a long GC).
     */
    leaseMs?: number;
    /**
     * How long a send whose outcome is unknown (a timeout after the request left, a reset, a call another host was making when it went silent) may still take effect at the provider, ms. Until then a later send's refusal is not final: the issuance stays unknown and is checked again by reference once this has passed. Keep it above the longest provider call (attempts × timeoutMs plus backoffs) plus how long the provider may keep processing a request it received; 0 makes every refusal final at once.
     */
    settleMs?: number;
    /**
     * Issuances claimed per reconciler pass.
     */
    batchSize?: number;
  };
  logging?: {
    level?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  };
}
