import { expect } from 'chai';
import { nextAttempt, type AttemptAnswer, type NextAttempt, type RetryPolicy } from '../src/dispatch/nextAttempt.js';

const NOW = Date.UTC(2030, 0, 1);
const SECOND = 1000;
const MINUTE = 60 * SECOND;

/** A random source that returns `values` in turn, so a jittered delay is exact. */
function sequence(...values: number[]): () => number {
  let index = 0;
  return () => values[index++ % values.length];
}

function policy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  return {
    schedule: [0, 5 * SECOND, 5 * MINUTE, 30 * MINUTE],
    jitter: 0,
    maxRetryAfterMs: 60 * MINUTE,
    random: sequence(0.5),
    ...overrides,
  };
}

const ok: AttemptAnswer = { statusCode: 200 };
const status = (code: number, retryAfterMs?: number): AttemptAnswer => ({
  statusCode: code,
  errorKind: 'http_status',
  ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
});

describe('nextAttempt', () => {
  const table: { case: string; attempts: number; answer: AttemptAnswer; policy?: Partial<RetryPolicy>; expected: NextAttempt }[] = [
    { case: 'a 2xx delivers', attempts: 0, answer: ok, expected: { kind: 'delivered' } },
    {
      case: 'a 2xx on the last scheduled attempt still delivers',
      attempts: 3,
      answer: { statusCode: 204 },
      expected: { kind: 'delivered' },
    },
    {
      case: 'a 500 after the first attempt waits the second delay',
      attempts: 0,
      answer: status(500),
      expected: { kind: 'retry', at: NOW + 5 * SECOND },
    },
    {
      case: 'a 500 after the second attempt waits the third delay',
      attempts: 1,
      answer: status(500),
      expected: { kind: 'retry', at: NOW + 5 * MINUTE },
    },
    {
      case: 'a timeout retries like a status',
      attempts: 0,
      answer: { errorKind: 'timeout' },
      expected: { kind: 'retry', at: NOW + 5 * SECOND },
    },
    {
      case: 'a refused connection retries',
      attempts: 2,
      answer: { errorKind: 'refused' },
      expected: { kind: 'retry', at: NOW + 30 * MINUTE },
    },
    { case: 'a 4xx other than 410 retries', attempts: 0, answer: status(404), expected: { kind: 'retry', at: NOW + 5 * SECOND } },
    {
      case: 'the last scheduled attempt failing fails the delivery (kept as failed)',
      attempts: 3,
      answer: status(500),
      expected: { kind: 'failed' },
    },
    {
      case: 'a one-attempt schedule fails at once',
      attempts: 0,
      answer: status(503),
      policy: { schedule: [0] },
      expected: { kind: 'failed' },
    },
    {
      case: 'an SSRF refusal is terminal whatever the schedule',
      attempts: 0,
      answer: { errorKind: 'ssrf_blocked' },
      expected: { kind: 'failed' },
    },
    { case: '410 Gone disables the endpoint', attempts: 0, answer: status(410), expected: { kind: 'disabled' } },
    { case: '410 Gone on the last attempt disables rather than fails', attempts: 3, answer: status(410), expected: { kind: 'disabled' } },
    {
      case: 'a Retry-After longer than the delay wins',
      attempts: 0,
      answer: status(503, 30 * SECOND),
      expected: { kind: 'retry', at: NOW + 30 * SECOND },
    },
    {
      case: 'a Retry-After shorter than the delay is ignored',
      attempts: 1,
      answer: status(429, 10 * SECOND),
      expected: { kind: 'retry', at: NOW + 5 * MINUTE },
    },
    {
      case: 'a Retry-After is bounded by maxRetryAfterMs',
      attempts: 0,
      answer: status(429, 2 * 60 * MINUTE),
      policy: { maxRetryAfterMs: MINUTE },
      expected: { kind: 'retry', at: NOW + MINUTE },
    },
    { case: 'a Retry-After of 0 leaves the delay', attempts: 0, answer: status(503, 0), expected: { kind: 'retry', at: NOW + 5 * SECOND } },
    {
      case: 'jitter at random 0 takes the delay down by the whole fraction',
      attempts: 0,
      answer: status(500),
      policy: { jitter: 0.2, random: sequence(0) },
      expected: { kind: 'retry', at: NOW + 4 * SECOND },
    },
    {
      case: 'jitter at random 0.5 leaves the delay',
      attempts: 0,
      answer: status(500),
      policy: { jitter: 0.2, random: sequence(0.5) },
      expected: { kind: 'retry', at: NOW + 5 * SECOND },
    },
    {
      case: 'jitter at random 0.75 adds half the fraction',
      attempts: 0,
      answer: status(500),
      policy: { jitter: 0.2, random: sequence(0.75) },
      expected: { kind: 'retry', at: NOW + 5500 },
    },
    {
      case: 'a jittered delay is rounded to the ms',
      attempts: 0,
      answer: status(500),
      policy: { jitter: 0.1, random: sequence(0.3333) },
      expected: { kind: 'retry', at: NOW + 4833 },
    },
    {
      case: 'a Retry-After beats a jittered delay that is shorter',
      attempts: 0,
      answer: status(503, 5500),
      policy: { jitter: 0.2, random: sequence(0) },
      expected: { kind: 'retry', at: NOW + 5500 },
    },
    {
      case: 'a zero delay is due now',
      attempts: 0,
      answer: status(500),
      policy: { schedule: [0, 0] },
      expected: { kind: 'retry', at: NOW },
    },
  ];

  for (const row of table) {
    it(row.case, () => {
      expect(nextAttempt({ attempts: row.attempts }, row.answer, NOW, policy(row.policy))).to.deep.equal(row.expected);
    });
  }

  it('draws from the random source once per retry, and not for a decision without a delay', () => {
    let draws = 0;
    const counting: RetryPolicy = policy({
      jitter: 0.2,
      random: () => {
        draws++;
        return 0.5;
      },
    });
    nextAttempt({ attempts: 0 }, ok, NOW, counting);
    nextAttempt({ attempts: 0 }, status(410), NOW, counting);
    nextAttempt({ attempts: 3 }, status(500), NOW, counting);
    expect(draws).to.equal(0);
    nextAttempt({ attempts: 0 }, status(500), NOW, counting);
    expect(draws).to.equal(1);
  });
});
