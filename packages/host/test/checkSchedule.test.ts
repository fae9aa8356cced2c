import { expect } from 'chai';
import { backoffMs, nextCheck, openReason } from '../src/issuance/checkSchedule.js';

const pace = { intervalMs: 500, maxIntervalMs: 300_000 };
const NOW = 1_000_000;

describe('checkSchedule', () => {
  describe('backoffMs', () => {
    const table: Array<[checks: number, ms: number]> = [
      [0, 500],
      [1, 1000],
      [2, 2000],
      [9, 256_000],
      [10, 300_000],
      [1000, 300_000],
    ];
    for (const [checks, ms] of table) it(`waits ${ms} ms before check ${checks + 1}`, () => expect(backoffMs(checks, pace)).to.equal(ms));
  });

  describe('nextCheck', () => {
    const table: Array<
      [what: string, row: { checks: number; next_check_at: number }, evidence: 'asked' | 'not_sent', at: number, counted: boolean]
    > = [
      ['a check that asked the provider counts and backs off', { checks: 0, next_check_at: NOW - 10 }, 'asked', NOW + 1000, true],
      ['backoff grows with the checks that asked', { checks: 3, next_check_at: NOW - 10 }, 'asked', NOW + 8000, true],
      // The failure issue 23 describes: a check under an open breaker pushed the next one out to maxIntervalMs.
      [
        'a check that reached no provider neither counts nor moves the next check',
        { checks: 8, next_check_at: NOW - 10 },
        'not_sent',
        NOW - 10,
        false,
      ],
      [
        'a row not due yet is never moved later by a check that reached nobody',
        { checks: 8, next_check_at: NOW + 5000 },
        'not_sent',
        NOW,
        false,
      ],
    ];
    for (const [what, row, evidence, at, counted] of table) {
      it(what, () => expect(nextCheck(row, evidence, NOW, pace)).to.deep.equal({ at, counted }));
    }
  });

  describe('openReason', () => {
    const table: Array<[row: { status: 'in_flight' | 'pending' | 'unknown'; settle_until: number } | undefined, reason: string]> = [
      [undefined, 'none'],
      [{ status: 'pending', settle_until: 0 }, 'pending'],
      [{ status: 'unknown', settle_until: NOW }, 'unknown'],
      [{ status: 'unknown', settle_until: 0 }, 'not_sent'],
      [{ status: 'in_flight', settle_until: NOW }, 'taken_over'],
    ];
    for (const [row, reason] of table) it(`labels ${JSON.stringify(row)} as ${reason}`, () => expect(openReason(row)).to.equal(reason));
  });
});
