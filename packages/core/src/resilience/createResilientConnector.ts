import { setMaxListeners } from 'node:events';
import {
  BulkheadRejectedError,
  CircuitState,
  type CircuitBreakerPolicy,
  ConsecutiveBreaker,
  TimeoutStrategy,
  bulkhead,
  circuitBreaker,
  handleWhen,
  isBrokenCircuitError,
  isTaskCancelledError,
  timeout,
  wrap,
} from 'cockatiel';
import type {
  CallOptions,
  Connector,
  ConnectorCapabilities,
  IssueParams,
  IssueRequest,
  IssueResult,
  StatusQuery,
  StatusResult,
} from '../contract/Connector.js';
import { resendIsSafe } from '../contract/resendIsSafe.js';
import { validateIssueParams } from '../contract/validateIssueParams.js';
import { noopLogger } from '../di/noopLogger.js';
import { systemClock } from '../di/systemClock.js';
import { ErrorCodes } from '../errors/codes.js';
import { CircuitOpenError, ConnectorError, NotSentError, OutcomeUnknownError } from '../errors/ConnectorError.js';
import { isConnectorError } from '../errors/guards.js';
import { toConnectorError } from '../http/toConnectorError.js';
import type { Clock, ConnectorPlugin, Logger } from '../plugins/ConnectorPlugin.js';
import { abortableSleep } from './abortableSleep.js';
import type { ResilienceOptions } from './ResilienceOptions.types.js';
import { resolveResilienceOptions } from './resolveResilienceOptions.js';

/** Circuit breaker state as health checks and metrics report it. */
export type BreakerState = 'closed' | 'open' | 'half-open' | 'isolated';

/** The shared circuit breaker of a resilient connector. */
export interface BreakerView {
  /** Current state. */
  readonly state: BreakerState;
  /** Calls `listener` on every transition; dispose to stop. */
  onStateChange(listener: (state: BreakerState) => void): { dispose(): void };
}

/** Counters of a resilient connector (for metrics). */
export interface ResilienceStats {
  /** `issue` and `checkStatus` calls. */
  calls: number;
  /** Re-sends and re-lookups after a failed attempt. */
  retries: number;
  /** Reconciliations started (status lookups by reference after an unknown outcome). */
  reconciliations: number;
}

/** A connector wrapped in timeout, retry, circuit breaker, bulkhead and reconciliation. */
export interface ResilientConnector {
  /** Instance name (logs, errors). */
  readonly name: string;
  /** The plugin's capabilities, which decide whether an unknown outcome may be re-sent. */
  readonly capabilities: ConnectorCapabilities;
  /** Validates (ValidationError before any network call), then issues with timeout/retry/breaker/bulkhead; resolves with the IssueResult (which may be pending); throws ConnectorError. */
  issue(params: IssueParams, options?: CallOptions): Promise<IssueResult>;
  /** Status lookup with retry (safe: it is a read). */
  checkStatus(query: StatusQuery, options?: CallOptions): Promise<StatusResult>;
  /** The breaker shared by every call of this instance. */
  readonly breaker: BreakerView;
  /** Live counters. */
  readonly stats: ResilienceStats;
  /** Stops listeners and wakes sleeping retries (they end with `ABORTED`). */
  dispose(): void;
}

/** Extra options of {@link createResilientConnector}. */
export interface CreateResilientConnectorOptions extends ResilienceOptions {
  /** Instance name for logs and errors. Defaults to the plugin id. */
  name?: string;
  /** Logger (no secrets are logged). Defaults to {@link noopLogger}. */
  logger?: Logger;
  /** Jitter source in [0, 1). Defaults to `Math.random`; tests pin it. */
  random?: () => number;
  /** Clock for the provider's reference window (`capabilities.referenceWindowMs`). Defaults to {@link systemClock}. */
  clock?: Clock;
}

const STATE_NAMES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

// Failures that say the provider (or the way to it) is unhealthy. Business
// rejections and validation errors say nothing about its health, and neither
// does our own bulkhead being full. ConnectorErrors are recognised by shape
// (isConnectorError), not by class: a plugin with its own copy of core throws
// errors of that copy's classes.
function countsForBreaker(e: unknown): boolean {
  if (isTaskCancelledError(e)) return true;
  if (e instanceof BulkheadRejectedError) return false;
  if (!isConnectorError(e)) return e instanceof Error;
  if (e.code === ErrorCodes.ABORTED) return false;
  if (e.outcome === 'unknown') return true;
  return e.code === ErrorCodes.PROVIDER_UNAVAILABLE || e.code === ErrorCodes.PROVIDER_UNREACHABLE;
}

const CALLER_ABORT = Symbol('caller-abort');

/** The caller gave up: our abort (CALLER_ABORT), or a plugin's error for it. */
function isCallerAbort(e: unknown): boolean {
  return e === CALLER_ABORT || (isConnectorError(e) && e.code === ErrorCodes.ABORTED);
}

/**
 * Wraps a connector in the resilience pipeline, built once per instance:
 * per-attempt timeout (cockatiel, aggressive, its signal passed to the
 * plugin), retries with exponential backoff and full jitter that honour
 * `retryAfterMs`, a circuit breaker shared by all calls, and a bulkhead.
 *
 * Money safety: the same reference on every attempt; a call whose outcome is
 * `unknown` is re-sent only when the provider deduplicates references
 * (`duplicateReference` other than `none`) and, with a
 * `referenceWindowMs`, the first attempt is still inside it; otherwise it
 * is reconciled with `checkStatus({ reference, request })`, and if that does
 * not tell, the call fails with `OUTCOME_UNKNOWN` (outcome `unknown`), never
 * `failed`. A lookup that finds the reference held by another issuance
 * (`PROVIDER_REFERENCE_CONFLICT`) ends the call with that refusal.
 */
export function createResilientConnector(
  connector: Connector,
  plugin: Pick<ConnectorPlugin, 'id' | 'capabilities' | 'requiresPhone'>,
  options: CreateResilientConnectorOptions = {},
): ResilientConnector {
  const opts = resolveResilienceOptions(options);
  const name = options.name ?? plugin.id;
  const logger = (options.logger ?? noopLogger).child({ connector: name });
  const random = options.random ?? Math.random;
  const capabilities = Object.freeze({ ...plugin.capabilities });
  const clock = options.clock ?? systemClock;
  const stats: ResilienceStats = { calls: 0, retries: 0, reconciliations: 0 };
  const lifetime = new AbortController();
  // Every call in flight listens on the shared lifetime signal; a busy
  // connector has far more than Node's default of 10 listeners.
  setMaxListeners(0, lifetime.signal);

  // A caller's abort says nothing about the provider, except during the half-open trial: cockatiel counts any
  // error it is not told to handle as a success there, and an aborted trial proved nothing, so it must not close
  // the circuit. It opens it again instead, for another halfOpenAfterMs.
  const breakerPolicy: CircuitBreakerPolicy = circuitBreaker(
    handleWhen((e) => (isCallerAbort(e) ? breakerPolicy.state === CircuitState.HalfOpen : countsForBreaker(e))),
    {
      halfOpenAfter: opts.breaker.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(opts.breaker.failureThreshold),
    },
  );
  const bulkheadPolicy = bulkhead(opts.bulkhead.maxConcurrent, opts.bulkhead.maxQueue);
  // abortOnReturn: false — aborting the signal after every successful call builds a DOMException with a stack per issuance; a finished call has nothing left to abort.
  const timeoutPolicy = timeout(opts.timeoutMs, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false });
  // Breaker outermost: an open circuit fails fast without taking a bulkhead slot. Bulkhead and timeout take
  // the caller's signal as their parent (see attempt), so the breaker runs them as one unit of its own.
  const limits = wrap(bulkheadPolicy, timeoutPolicy);
  const stateListener = breakerPolicy.onStateChange((s) => {
    const state = STATE_NAMES[s];
    (state === 'open' ? logger.warn : logger.info).call(logger, { event: 'breaker.state', state }, `circuit breaker ${state}`);
  });

  const abortedError = (started: boolean) =>
    started
      ? new OutcomeUnknownError(ErrorCodes.ABORTED, `call to "${name}" aborted after the request may have left`, { retryable: false })
      : new NotSentError(ErrorCodes.ABORTED, `call to "${name}" aborted before anything was sent`, { retryable: false });

  /** One attempt through breaker → bulkhead → timeout. Resolves, or rejects with a ConnectorError or CALLER_ABORT. */
  function attempt<T>(call: (signal: AbortSignal) => Promise<T>, callerSignal: AbortSignal | undefined, onStart: () => void): Promise<T> {
    // The caller's signal (else the connector's lifetime) is the parent of the timeout's, so the one signal the
    // call gets aborts on either. No signal of our own: every AbortSignal Node makes outlives the young-generation
    // collections and waits for a full mark-compact (docs/benchmarks.md, Host). Without a parent, cockatiel would
    // listen on its one shared never-aborted signal, and more than 10 calls in flight would warn of a leak.
    const parent = callerSignal ?? lifetime.signal;
    const limited = () =>
      limits
        .execute(async ({ signal }) => {
          // A call queued in the bulkhead must not start once the caller has given up.
          if (callerSignal?.aborted || lifetime.signal.aborted) throw CALLER_ABORT;
          onStart();
          try {
            return await call(signal);
          } catch (e) {
            // Normalised here so the breaker judges ConnectorErrors, not raw axios errors.
            throw toConnectorError(e, { provider: name });
          }
        }, parent)
        .catch((e: unknown) => {
          // The timeout policy reports the parent's abort as a cancellation: not the provider's failure, so
          // the breaker must not count it.
          if (isTaskCancelledError(e) && parent.aborted) throw CALLER_ABORT;
          throw e;
        });
    const run = breakerPolicy.execute(limited);
    const mapped = run.catch((e: unknown) => {
      if (e === CALLER_ABORT) throw e;
      if (isBrokenCircuitError(e)) throw new CircuitOpenError(name);
      if (e instanceof BulkheadRejectedError)
        throw new NotSentError(
          ErrorCodes.BULKHEAD_FULL,
          `connector "${name}" has ${opts.bulkhead.maxConcurrent} calls in flight and a full queue`,
          { retryable: true },
        );
      if (isTaskCancelledError(e)) {
        if (callerSignal?.aborted || lifetime.signal.aborted) throw CALLER_ABORT;
        throw new OutcomeUnknownError(
          ErrorCodes.PROVIDER_TIMEOUT,
          `no answer from "${name}" within ${opts.timeoutMs} ms; the request may have been processed`,
        );
      }
      if ((callerSignal?.aborted || lifetime.signal.aborted) && !(isConnectorError(e) && e.outcome === 'rejected')) throw CALLER_ABORT;
      throw toConnectorError(e, { provider: name });
    });
    const signals = [callerSignal, lifetime.signal].filter((s): s is AbortSignal => s !== undefined);
    // Return at once on abort; the attempt itself was told through the signal and settles on its own.
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(CALLER_ABORT);
      if (signals.some((s) => s.aborted)) return onAbort();
      signals.forEach((s) => s.addEventListener('abort', onAbort, { once: true }));
      mapped.then(resolve, reject).finally(() => signals.forEach((s) => s.removeEventListener('abort', onAbort)));
    });
  }

  function backoffMs(retryIndex: number, err: ConnectorError): number | undefined {
    const base = Math.min(opts.retry.maxDelayMs, opts.retry.initialDelayMs * 2 ** retryIndex);
    const jittered = Math.floor(random() * base);
    if (err.retryAfterMs === undefined) return jittered;
    if (err.retryAfterMs > opts.retry.maxRetryAfterMs) return undefined;
    return Math.max(jittered, err.retryAfterMs);
  }

  async function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
    try {
      await abortableSleep(ms, [signal, lifetime.signal]);
    } catch {
      throw CALLER_ABORT;
    }
  }

  /**
   * Status lookups by reference after an unknown outcome: the result if the provider has one, else
   * OUTCOME_UNKNOWN. A lookup that finds the reference held by a different issuance
   * (`PROVIDER_REFERENCE_CONFLICT`, outcome `rejected`) ends it: this request was not issued under it.
   */
  async function reconcile(req: IssueRequest, last: ConnectorError, signal: AbortSignal | undefined): Promise<IssueResult> {
    const reference = req.reference;
    const unknown = (why: string, cause: unknown = last) =>
      new OutcomeUnknownError(
        ErrorCodes.OUTCOME_UNKNOWN,
        `outcome of reference "${reference}" at "${name}" is unknown (${why}); keep it pending and reconcile later`,
        {
          retryable: false,
          cause,
          details: { reference, lastCode: last.code },
        },
      );
    if (!capabilities.statusByReference) throw unknown('the provider has no status lookup by reference');
    stats.reconciliations++;
    let delay = opts.reconcile.delayMs;
    let lastLookup: unknown = last;
    for (let i = 0; i < opts.reconcile.attempts; i++) {
      await sleep(delay, signal);
      delay *= 2;
      logger.info({ event: 'reconcile.lookup', reference, lookup: i + 1 }, 'looking up an unknown outcome by reference');
      try {
        const found = await attempt(
          (s) => connector.checkStatus({ reference, request: req }, { signal: s }),
          signal,
          () => {},
        );
        if (found.status !== 'not_found') return { ...found, reference: found.reference ?? reference };
        lastLookup = found;
      } catch (e) {
        if (e === CALLER_ABORT) throw e;
        if (isConnectorError(e) && e.outcome === 'rejected' && e.code === ErrorCodes.PROVIDER_REFERENCE_CONFLICT) throw e;
        lastLookup = e;
      }
    }
    const why =
      lastLookup === last
        ? 'no lookups configured'
        : (lastLookup as { status?: string }).status === 'not_found'
          ? 'the provider does not know it yet'
          : 'status lookups failed';
    throw unknown(why, lastLookup instanceof Error ? lastLookup : last);
  }

  async function issue(params: IssueParams, options: CallOptions = {}): Promise<IssueResult> {
    const req = validateIssueParams(params, { requirePhone: plugin.requiresPhone ?? false });
    const signal = options.signal;
    stats.calls++;
    let started = false;
    let firstSentAt: number | undefined; // when the first attempt started: the provider's reference window runs from it
    let uncertain = false; // some attempt may have issued
    const onStart = () => {
      started = true;
      firstSentAt ??= clock.now();
    };
    try {
      for (let n = 1; ; n++) {
        let err: ConnectorError;
        try {
          return await attempt((s) => connector.issueVoucher(req, { signal: s }), signal, onStart);
        } catch (e) {
          if (e === CALLER_ABORT) throw e;
          err = e as ConnectorError;
        }
        if (err.outcome === 'unknown') uncertain = true;
        const last = n >= opts.retry.maxAttempts;
        const failFast = err.code === ErrorCodes.CIRCUIT_OPEN || err.code === ErrorCodes.BULKHEAD_FULL;
        const mayResend =
          err.outcome === 'unknown' ? err.retryable && resendIsSafe(capabilities, firstSentAt, clock.now()) : err.retryable && !failFast;
        const delay = mayResend && !last ? backoffMs(n - 1, err) : undefined;
        logger.warn(
          {
            event: 'issue.attempt_failed',
            reference: req.reference,
            attempt: n,
            code: err.code,
            outcome: err.outcome,
            retryInMs: delay ?? null,
          },
          'issuance attempt failed',
        );
        if (delay === undefined) {
          // Giving up. If any attempt may have issued, only the provider can say what
          // happened: never report a rejection or failure for it, unless a lookup shows
          // the reference held by another issuance (then this one was not issued under it).
          if (uncertain) return await reconcile(req, err, signal);
          throw err;
        }
        await sleep(delay, signal);
        stats.retries++;
      }
    } catch (e) {
      if (e === CALLER_ABORT) throw abortedError(started);
      throw e;
    }
  }

  async function checkStatus(query: StatusQuery, options: CallOptions = {}): Promise<StatusResult> {
    const signal = options.signal;
    stats.calls++;
    let started = false;
    try {
      for (let n = 1; ; n++) {
        let err: ConnectorError;
        try {
          return await attempt(
            (s) => connector.checkStatus(query, { signal: s }),
            signal,
            () => (started = true),
          );
        } catch (e) {
          if (e === CALLER_ABORT) throw e;
          err = e as ConnectorError;
        }
        const failFast = err.code === ErrorCodes.CIRCUIT_OPEN || err.code === ErrorCodes.BULKHEAD_FULL;
        const delay = err.retryable && !failFast && n < opts.retry.maxAttempts ? backoffMs(n - 1, err) : undefined;
        if (delay === undefined) throw err;
        await sleep(delay, signal);
        stats.retries++;
      }
    } catch (e) {
      if (e === CALLER_ABORT) throw abortedError(started);
      throw e;
    }
  }

  return {
    name,
    capabilities,
    issue,
    checkStatus,
    breaker: {
      get state() {
        return STATE_NAMES[breakerPolicy.state];
      },
      onStateChange(listener) {
        return breakerPolicy.onStateChange((s) => listener(STATE_NAMES[s]));
      },
    },
    stats,
    dispose() {
      stateListener.dispose();
      lifetime.abort();
    },
  };
}
