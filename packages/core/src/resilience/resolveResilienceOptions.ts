import type { JsonSchema } from '../plugins/ConnectorPlugin.js';
import schema from './ResilienceOptions.schema.json' with { type: 'json' };
import type { ResilienceOptions } from './ResilienceOptions.types.js';

/** {@link ResilienceOptions} with every default filled in. */
export interface ResolvedResilienceOptions {
  /** Per-attempt timeout, ms. */
  timeoutMs: number;
  /** Retry limits (attempts, backoff in ms, longest Retry-After honoured in ms). */
  retry: Required<NonNullable<ResilienceOptions['retry']>>;
  /** Consecutive failures that open the breaker, and its open time in ms. */
  breaker: Required<NonNullable<ResilienceOptions['breaker']>>;
  /** Calls in flight and calls waiting. */
  bulkhead: Required<NonNullable<ResilienceOptions['bulkhead']>>;
  /** Status lookups after an unknown outcome, and the first wait in ms. */
  reconcile: Required<NonNullable<ResilienceOptions['reconcile']>>;
}

/**
 * JSON schema of {@link ResilienceOptions} (`additionalProperties: false`,
 * defaults included) for host and plugin config schemas to embed.
 */
export const resilienceOptionsSchema: JsonSchema = schema;

/** The defaults, as the host prints them. */
export const DEFAULT_RESILIENCE_OPTIONS: Readonly<ResolvedResilienceOptions> = Object.freeze({
  timeoutMs: 10_000,
  retry: Object.freeze({ maxAttempts: 3, initialDelayMs: 200, maxDelayMs: 5_000, maxRetryAfterMs: 60_000 }),
  breaker: Object.freeze({ failureThreshold: 5, halfOpenAfterMs: 30_000 }),
  bulkhead: Object.freeze({ maxConcurrent: 32, maxQueue: 1_000 }),
  reconcile: Object.freeze({ attempts: 3, delayMs: 500 }),
});

/** Fills in every default of {@link ResilienceOptions} (see {@link DEFAULT_RESILIENCE_OPTIONS}). */
export function resolveResilienceOptions(o: ResilienceOptions = {}): ResolvedResilienceOptions {
  const d = DEFAULT_RESILIENCE_OPTIONS;
  return {
    timeoutMs: o.timeoutMs ?? d.timeoutMs,
    retry: { ...d.retry, ...o.retry },
    breaker: { ...d.breaker, ...o.breaker },
    bulkhead: { ...d.bulkhead, ...o.bulkhead },
    reconcile: { ...d.reconcile, ...o.reconcile },
  };
}
