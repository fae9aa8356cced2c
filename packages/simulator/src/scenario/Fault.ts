/**
 * An error answer, before the request is processed (nothing issued) or after it committed (issued, the client is
 * told it failed). Usually a 5xx; a 4xx models a gateway in front of the provider (a load balancer's 408 for an
 * upstream still working on the request, say).
 */
export interface StatusFault {
  type: 'status-before-commit' | 'status-after-commit';
  /**
   * HTTP status, 300–599. A 3xx models a redirect answered to the POST (a provider's "303 See Other" to the
   * transaction it created, say), sent without a `Location`, so it cannot be followed.
   */
  status: number;
  /** The `code` of the error body. Defaults to `INTERNAL_ERROR` (`SERVICE_UNAVAILABLE` for 503, `BAD_GATEWAY` for 502, `GATEWAY_TIMEOUT` for 504, `REQUEST_TIMEOUT` for 408, `REDIRECT` for a 3xx). */
  code?: string;
}

/** 429 with `Retry-After`; nothing issued. */
export interface RateLimitFault {
  type: 'rate-limit';
  /** Value of the `Retry-After` header, in seconds. */
  retryAfterSeconds: number;
}

/**
 * Faults with no parameters: see docs/simulator.md. `omit-voucher` commits,
 * then answers a well-formed success whose voucher (card, code) is missing:
 * the model renders the transaction without its `voucher`.
 */
export interface SimpleFault {
  type: 'hang' | 'reset' | 'truncate' | 'malformed' | 'drop-after-commit' | 'omit-voucher';
}

/**
 * Holds the request for `ms`, then processes it whether or not the client is
 * still connected: a provider that keeps working after the client gave up.
 */
export interface LateCommitFault {
  type: 'late-commit';
  /** The hold before the request is processed, in ms (1–600000). */
  ms: number;
}

/** Extra delay before the request is processed; combines with any other fault. */
export interface LatencyFault {
  type: 'latency';
  distribution: 'fixed' | 'uniform' | 'lognormal';
  /** For `fixed`: the delay, in ms. */
  ms?: number;
  /** For `uniform`: the lower bound, in ms. */
  minMs?: number;
  /** For `uniform`: the upper bound, in ms. */
  maxMs?: number;
  /** For `lognormal`: the median delay, in ms. */
  medianMs?: number;
  /** For `lognormal`: the standard deviation of the underlying normal. */
  sigma?: number;
  /** Upper bound of the delay, in ms. Defaults to no cap. */
  capMs?: number;
}

/** Any fault a scenario rule can apply. */
export type Fault = StatusFault | RateLimitFault | SimpleFault | LateCommitFault | LatencyFault;

/** The kind names of faults, as `X-Sim-Fault` and the journal report them. */
export type FaultKind = Fault['type'];
