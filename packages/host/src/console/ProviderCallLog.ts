import type { ConnectorHandle } from '../connectors/ConnectorHandle.js';

/** One provider call as this host process saw it. */
export interface ProviderCall {
  /** Connector instance. */
  connector: string;
  /** `send` (issue) or `check` (status lookup). */
  operation: 'send' | 'check';
  /** The reference the provider saw (`<tenant>:<reference>`), when known. */
  providerReference?: string;
  /** Start, epoch ms. */
  at: number;
  /** Through the resilience pipeline (all attempts), ms. */
  ms: number;
  /** The provider's answer (`succeeded`, `pending`, `failed`), or `error` when the call threw. */
  outcome: string;
  /** The provider's own code and message. */
  providerCode?: string;
  providerMessage?: string;
  /** Relaypoint's error code and outcome (`not_sent`, `rejected`, `unknown`) when the call threw. */
  errorCode?: string;
  errorOutcome?: string;
}

/** Latency percentiles and recent error codes of one connector. */
export interface ConnectorCallStats {
  calls: number;
  errors: number;
  p50Ms?: number;
  p90Ms?: number;
  p99Ms?: number;
  /** Error or provider failure code → count, over the recent calls. */
  errorCodes: Record<string, number>;
  lastCallAt?: number;
}

/** Options of {@link ProviderCallLog}. */
export interface ProviderCallLogOptions {
  /** Calls kept in all, oldest forgotten first. Defaults to 20000. */
  capacity?: number;
  /** Recent calls per connector the statistics cover. Defaults to 1000. */
  statsWindow?: number;
  /** Clock, epoch ms. Defaults to `Date.now`. */
  now?: () => number;
}

/**
 * A bounded, in-memory record of the provider calls this process made, for
 * the console: an issuance's timeline of sends and checks, and each
 * connector's latency percentiles and recent error codes. Calls made by
 * other host instances, or before a restart, are not in it (the
 * issuance's own `sends`/`checks` counters are, and the console shows both).
 */
export class ProviderCallLog {
  private readonly calls: ProviderCall[] = [];
  private readonly byReference = new Map<string, ProviderCall[]>();
  private readonly byTransaction = new Map<string, string>();
  private readonly recent = new Map<string, ProviderCall[]>();
  private readonly capacity: number;
  private readonly statsWindow: number;
  private readonly now: () => number;

  constructor(options: ProviderCallLogOptions = {}) {
    this.capacity = options.capacity ?? 20_000;
    this.statsWindow = options.statsWindow ?? 1000;
    this.now = options.now ?? Date.now;
  }

  /**
   * Records every `issue` and `checkStatus` call of these connectors from now
   * on, by wrapping the two methods of each resilient connector (the calls
   * themselves, their results and errors are unchanged).
   */
  observe(connectors: ReadonlyMap<string, ConnectorHandle>): void {
    for (const handle of connectors.values()) {
      const resilient = handle.resilient as { -readonly [K in keyof typeof handle.resilient]: (typeof handle.resilient)[K] };
      const issue = resilient.issue.bind(resilient);
      const checkStatus = resilient.checkStatus.bind(resilient);
      resilient.issue = (params, options) => this.time(handle.name, 'send', params.reference, undefined, () => issue(params, options));
      resilient.checkStatus = (query, options) =>
        this.time(handle.name, 'check', query.reference, query.transactionId, () => checkStatus(query, options));
    }
  }

  private async time<
    T extends { status: string; reference?: string; transactionId?: string; providerCode?: string; providerMessage?: string },
  >(
    connector: string,
    operation: 'send' | 'check',
    reference: string | undefined,
    transactionId: string | undefined,
    call: () => Promise<T>,
  ): Promise<T> {
    const at = this.now();
    const started = performance.now();
    try {
      const result = await call();
      const ref = reference ?? result.reference ?? (transactionId ? this.byTransaction.get(transactionId) : undefined);
      if (ref && result.transactionId) this.byTransaction.set(result.transactionId, ref);
      this.add({
        connector,
        operation,
        ...(ref ? { providerReference: ref } : {}),
        at,
        ms: performance.now() - started,
        outcome: result.status,
        ...(result.providerCode ? { providerCode: result.providerCode } : {}),
        ...(result.providerMessage ? { providerMessage: result.providerMessage } : {}),
      });
      return result;
    } catch (e) {
      const err = e as { code?: unknown; outcome?: unknown; providerCode?: unknown; message?: unknown };
      const ref = reference ?? (transactionId ? this.byTransaction.get(transactionId) : undefined);
      this.add({
        connector,
        operation,
        ...(ref ? { providerReference: ref } : {}),
        at,
        ms: performance.now() - started,
        outcome: 'error',
        ...(typeof err.code === 'string' ? { errorCode: err.code } : {}),
        ...(typeof err.outcome === 'string' ? { errorOutcome: err.outcome } : {}),
        ...(typeof err.providerCode === 'string' ? { providerCode: err.providerCode } : {}),
        ...(typeof err.message === 'string' ? { providerMessage: err.message } : {}),
      });
      throw e;
    }
  }

  /** Adds a call (public for tests and for calls recorded elsewhere). */
  add(call: ProviderCall): void {
    this.calls.push(call);
    if (call.providerReference) {
      const list = this.byReference.get(call.providerReference) ?? [];
      list.push(call);
      this.byReference.set(call.providerReference, list);
    }
    const recent = this.recent.get(call.connector) ?? [];
    recent.push(call);
    if (recent.length > this.statsWindow) recent.shift();
    this.recent.set(call.connector, recent);
    if (this.calls.length > this.capacity) this.forget(this.calls.shift() as ProviderCall);
  }

  private forget(call: ProviderCall): void {
    if (!call.providerReference) return;
    const list = this.byReference.get(call.providerReference);
    if (!list) return;
    list.shift();
    if (list.length === 0) this.byReference.delete(call.providerReference);
    if (this.byTransaction.size > this.capacity) this.byTransaction.delete(this.byTransaction.keys().next().value as string);
  }

  /** The calls for one provider reference, oldest first. */
  forReference(providerReference: string): readonly ProviderCall[] {
    return this.byReference.get(providerReference) ?? [];
  }

  /** Percentiles (nearest rank) and error codes over the connector's recent calls. */
  stats(connector: string): ConnectorCallStats {
    const recent = this.recent.get(connector) ?? [];
    const sorted = recent.map((c) => c.ms).sort((a, b) => a - b);
    const pct = (p: number) =>
      sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] * 10) / 10 : undefined;
    const errorCodes: Record<string, number> = {};
    let errors = 0;
    for (const c of recent) {
      const code = c.outcome === 'error' ? (c.errorCode ?? 'ERROR') : c.outcome === 'failed' ? (c.providerCode ?? 'FAILED') : undefined;
      if (!code) continue;
      errors++;
      errorCodes[code] = (errorCodes[code] ?? 0) + 1;
    }
    const p50 = pct(50);
    const p90 = pct(90);
    const p99 = pct(99);
    return {
      calls: recent.length,
      errors,
      ...(p50 !== undefined ? { p50Ms: p50 } : {}),
      ...(p90 !== undefined ? { p90Ms: p90 } : {}),
      ...(p99 !== undefined ? { p99Ms: p99 } : {}),
      errorCodes,
      ...(recent.length ? { lastCallAt: recent[recent.length - 1].at } : {}),
    };
  }
}
