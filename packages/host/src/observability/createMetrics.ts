import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { IssuanceMetrics } from '../issuance/IssuanceMetrics.js';

/** Breaker states as gauge values. */
const BREAKER_VALUE: Record<string, number> = { closed: 0, 'half-open': 1, open: 2, isolated: 3 };

/** What the metrics need to read at scrape time. */
export interface MetricsSources {
  /** Breaker state per connector instance. */
  breakers(): Iterable<[connector: string, state: string]>;
  /** Pending webhook deliveries. */
  webhookQueueDepth(): Promise<number>;
  /** Open issuances past `maxAgeMs`. */
  needsAttention(): Promise<number>;
  /** The store's driver: the SQLite-only histograms (WAL syncs, checkpoints) exist only for `sqlite`. Defaults to `sqlite`. */
  storeDriver?: 'sqlite' | 'postgres';
}

/** The host's Prometheus metrics, in their own registry (several hosts can run in one process, e.g. in tests). */
export interface HostMetrics {
  readonly registry: Registry;
  readonly issuance: IssuanceMetrics;
  /** An HTTP request finished. */
  observeHttp(method: string, route: string, status: number, seconds: number): void;
  /** A webhook delivery attempt ended with `outcome` (`delivered`, `retry`, `failed`, ...). */
  webhookOutcome(outcome: string): void;
  /** The SQLite store made its latest commits durable (one WAL sync) in `seconds`. */
  storeSync(seconds: number): void;
  /** The SQLite store copied its WAL into the database file (one checkpoint) in `seconds`. */
  storeCheckpoint(seconds: number): void;
}

/**
 * Creates every `relaypoint_*` metric in a fresh registry, plus Node's
 * default metrics as `relaypoint_process_*` and `relaypoint_nodejs_*`
 * (prom-client's own names already start with `process_` or `nodejs_`).
 */
export function createMetrics(sources: MetricsSources): HostMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'relaypoint_' });
  const issuances = new Counter({
    name: 'relaypoint_issuances_total',
    help: 'Issuance status transitions recorded by this host, by connector and status.',
    labelNames: ['connector', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'relaypoint_provider_latency_seconds',
    help: 'Provider call latency through the resilience pipeline (all attempts), seconds.',
    labelNames: ['connector', 'operation', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const conflicts = new Counter({
    name: 'relaypoint_issuance_outcome_conflicts_total',
    help: 'Provider successes for issuances already recorded failed, by connector. Each one needs a person to settle it with the provider and the tenant.',
    labelNames: ['connector'] as const,
    registers: [registry],
  });
  const timeToTerminal = new Histogram({
    name: 'relaypoint_issuance_time_to_terminal_seconds',
    help: 'Time from accepting an issuance to its terminal state, seconds, by connector and by why it was open meanwhile (none, pending, unknown, not_sent, taken_over).',
    labelNames: ['connector', 'reason'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 3600],
    registers: [registry],
  });
  new Gauge({
    name: 'relaypoint_breaker_state',
    help: 'Circuit breaker state per connector: 0 closed, 1 half-open, 2 open, 3 isolated.',
    labelNames: ['connector'] as const,
    registers: [registry],
    collect() {
      for (const [connector, state] of sources.breakers()) this.set({ connector }, BREAKER_VALUE[state] ?? -1);
    },
  });
  new Gauge({
    name: 'relaypoint_webhook_queue_depth',
    help: 'Webhook deliveries waiting to be sent (all hosts sharing the store).',
    registers: [registry],
    async collect() {
      this.set(await sources.webhookQueueDepth());
    },
  });
  const deliveries = new Counter({
    name: 'relaypoint_webhook_deliveries_total',
    help: 'Webhook delivery attempts by this host, by outcome.',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const http = new Histogram({
    name: 'relaypoint_http_request_duration_seconds',
    help: 'HTTP API request duration, seconds, by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  new Gauge({
    name: 'relaypoint_issuances_needs_attention',
    help: 'Issuances still not terminal past reconciliation.maxAgeMs (all hosts sharing the store).',
    registers: [registry],
    async collect() {
      this.set(await sources.needsAttention());
    },
  });
  // Every SQLite commit waits for a WAL sync: a disk that stalls shows here before anywhere else.
  const sqlite = (sources.storeDriver ?? 'sqlite') === 'sqlite';
  const sync = new Histogram({
    name: 'relaypoint_store_sync_seconds',
    help: 'SQLite WAL syncs (fdatasync; synchronous FULL): how long each took, seconds. Every commit waits for one.',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: sqlite ? [registry] : [],
  });
  const checkpoint = new Histogram({
    name: 'relaypoint_store_checkpoint_seconds',
    help: 'SQLite checkpoints (WAL copied into the database file, on a worker thread), seconds.',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: sqlite ? [registry] : [],
  });
  return {
    registry,
    issuance: {
      onStatus: (connector, status) => issuances.inc({ connector, status }),
      onProviderCall: (connector, operation, seconds, outcome) => latency.observe({ connector, operation, outcome }, seconds),
      onOutcomeConflict: (connector) => conflicts.inc({ connector }),
      onTerminal: (connector, reason, seconds) => timeToTerminal.observe({ connector, reason }, seconds),
    },
    observeHttp: (method, route, status, seconds) => http.observe({ method, route, status: String(status) }, seconds),
    webhookOutcome: (outcome) => deliveries.inc({ outcome }),
    storeSync: (seconds) => sync.observe(seconds),
    storeCheckpoint: (seconds) => checkpoint.observe(seconds),
  };
}
