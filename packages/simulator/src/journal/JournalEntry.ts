import type { Route } from '../scenario/Route.js';

/** One request the simulator saw, as `journal.entries()` and `GET /__sim/journal` report it. */
export interface JournalEntry {
  /** 1-based arrival order. */
  seq: number;
  /** Arrival time of the request's first byte, ms epoch (fractional). */
  time: number;
  method: string;
  /** Path and query as sent. */
  path: string;
  route: Route;
  /** Airtime reference or gift-card external_ref (for a read by id: the transaction's). */
  reference?: string;
  /** The nth request seen for this route and reference, 1-based. */
  attempt?: number;
  /** Lower-case header names; credentials masked. */
  headers: Record<string, string>;
  /** Parsed JSON, or the raw text when the body is not JSON (or was cut). */
  body?: unknown;
  /** Present when the body was longer than 16 KiB: `body` is then its first 16 KiB, as text. */
  bodyTruncated?: true;
  /** `none`, a fault kind, or several joined by `,`. */
  fault: string;
  /** Response status; null for reset, hang, drop-after-commit, a late-commit whose client left, and while in flight. */
  status: number | null;
  /**
   * ms (0.1 ms steps) from the request's first byte to the end of the answer, latency faults included; null when
   * the answer never ended (reset, hang, drop-after-commit, truncate, a late-commit whose client left) and while in flight.
   */
  latencyMs: number | null;
}
