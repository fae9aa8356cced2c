import type { StatusQuery, StatusResult } from '../contract/Connector.js';
import { ErrorCodes } from '../errors/codes.js';
import { NotSentError } from '../errors/ConnectorError.js';
import { abortableSleep } from './abortableSleep.js';
import type { ResilientConnector } from './createResilientConnector.js';

/** Options of {@link pollUntilTerminal}. */
export interface PollOptions {
  /** Give up polling after this long and return the last status, ms. Defaults to 60000. */
  timeoutMs?: number;
  /** Wait between lookups, ms. Defaults to 1000. */
  intervalMs?: number;
  /** Stops polling (throws `ABORTED`). */
  signal?: AbortSignal;
}

/**
 * Looks up a pending issuance until it is `succeeded` or `failed`, or until
 * `timeoutMs` has passed, and returns the last StatusResult (which may still
 * be `pending` or `not_found`: the caller keeps it pending). Lookup errors
 * that survive `checkStatus`'s own retries are thrown.
 */
export async function pollUntilTerminal(
  resilient: Pick<ResilientConnector, 'checkStatus'>,
  query: StatusQuery,
  options: PollOptions = {},
): Promise<StatusResult> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const intervalMs = options.intervalMs ?? 1_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await resilient.checkStatus(query, { signal: options.signal });
    if (result.status === 'succeeded' || result.status === 'failed') return result;
    const left = deadline - Date.now();
    if (left <= 0) return result;
    try {
      await abortableSleep(Math.min(intervalMs, left), [options.signal]);
    } catch {
      throw new NotSentError(ErrorCodes.ABORTED, 'status polling aborted', { retryable: false });
    }
  }
}
