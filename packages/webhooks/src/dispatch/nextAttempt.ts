import type { ErrorKind } from '../types.js';

/** What the retry rule needs of a delivery's past. */
export interface AttemptHistory {
  /** Attempts made before the one just answered. */
  attempts: number;
}

/** What the retry rule needs of the attempt just made. */
export interface AttemptAnswer {
  statusCode?: number;
  /** Unset when the attempt succeeded (a 2xx). */
  errorKind?: ErrorKind;
  /** The answer's `Retry-After`, ms from now. */
  retryAfterMs?: number;
}

/** The retry schedule's settings, and its source of randomness. */
export interface RetryPolicy {
  /** Delay before each attempt, ms; its length is the number of attempts. */
  schedule: readonly number[];
  /** Random spread of each delay, as a fraction (0.2 = ±20 %). */
  jitter: number;
  /** Upper bound for a receiver's `Retry-After`, ms. */
  maxRetryAfterMs: number;
  /** Uniform in [0, 1): `Math.random` in production, a fixed sequence in tests. */
  random: () => number;
}

/** Where a delivery goes after an attempt. */
export type NextAttempt =
  | { kind: 'delivered' }
  /** Due again at `at` (epoch ms). */
  | { kind: 'retry'; at: number }
  /** Schedule exhausted or a terminal error (SSRF refusal): kept as `failed`. */
  | { kind: 'failed' }
  /** 410 Gone: the subscription is disabled and this delivery stays queued behind it. */
  | { kind: 'disabled' };

/**
 * The retry rule, as a pure function of the delivery's attempt count, the
 * answer and the time: a 2xx delivers; a 410 disables the endpoint (whatever
 * the count); an SSRF refusal or the last scheduled attempt fails; anything
 * else is due again after the schedule's next delay, spread by ±`jitter`, or
 * after the answer's `Retry-After` when longer (bounded by `maxRetryAfterMs`).
 */
export function nextAttempt(history: AttemptHistory, answer: AttemptAnswer, now: number, policy: RetryPolicy): NextAttempt {
  if (!answer.errorKind) return { kind: 'delivered' };
  if (answer.statusCode === 410) return { kind: 'disabled' };
  const made = history.attempts + 1;
  if (answer.errorKind === 'ssrf_blocked' || made >= policy.schedule.length) return { kind: 'failed' };
  let delay = policy.schedule[made] * (1 + (policy.random() * 2 - 1) * policy.jitter);
  if (answer.retryAfterMs !== undefined) delay = Math.max(delay, Math.min(answer.retryAfterMs, policy.maxRetryAfterMs));
  return { kind: 'retry', at: now + Math.round(delay) };
}
