import type { IssuanceRow } from './IssuanceRecord.js';

/** The reconciliation pace, ms. */
export interface CheckPace {
  /** First re-check delay, and the reconciler's period. */
  intervalMs: number;
  /** Largest delay between two checks of one issuance. */
  maxIntervalMs: number;
}

/** What a check or send told about the provider. */
export type Evidence =
  /** The provider was asked (it answered, or the request may have reached it). */
  | 'asked'
  /** Nothing reached the provider: breaker open, bulkhead full, shutdown. */
  | 'not_sent';

/** The delay before check number `checks + 1`: `intervalMs` doubling per check, at most `maxIntervalMs`. */
export function backoffMs(checks: number, pace: CheckPace): number {
  return Math.min(pace.intervalMs * 2 ** Math.min(checks, 20), pace.maxIntervalMs);
}

/**
 * When an open issuance is next checked, and whether this check counts
 * toward its backoff. A check that asked the provider counts and backs off.
 * One that reached no provider is no evidence about it: it neither counts
 * nor moves the next check (the row stays due, so it is sent as soon as the
 * breaker lets calls through, at the reconciler's pace).
 */
export function nextCheck(
  row: Pick<IssuanceRow, 'checks' | 'next_check_at'>,
  evidence: Evidence,
  now: number,
  pace: CheckPace,
): { at: number; counted: boolean } {
  if (evidence === 'not_sent') return { at: Math.min(Number(row.next_check_at), now), counted: false };
  return { at: now + backoffMs(Number(row.checks) + 1, pace), counted: true };
}

/** Why an issuance was open, as the time-to-terminal metric labels it. */
export type OpenReason = 'none' | 'pending' | 'unknown' | 'not_sent' | 'taken_over';

/**
 * The reason a row about to become terminal was open: `pending` (the
 * provider said so), `unknown` (a send's outcome was unknown), `not_sent`
 * (open with no send known to have reached the provider), `taken_over` (a
 * process stopped mid-call and another took it over), `none` (terminal at
 * its first answer).
 */
export function openReason(row: Pick<IssuanceRow, 'status' | 'settle_until'> | undefined): OpenReason {
  if (!row) return 'none';
  if (row.status === 'pending') return 'pending';
  if (row.status === 'unknown') return Number(row.settle_until) > 0 ? 'unknown' : 'not_sent';
  if (row.status === 'in_flight') return 'taken_over';
  return 'none';
}
