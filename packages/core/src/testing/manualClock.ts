import type { Clock } from '../plugins/ConnectorPlugin.js';

/** A {@link Clock} that moves only when told to. */
export interface ManualClock extends Clock {
  /** Moves the clock forward by `ms` (negative moves it back). Returns the new time, ms since the epoch. */
  advance(ms: number): number;
  /** Sets the clock to `ms` since the epoch. */
  set(ms: number): void;
}

/** The time a {@link manualClock} starts at by default: 2026-01-01T00:00:00Z. */
export const MANUAL_CLOCK_START = Date.UTC(2026, 0, 1);

/**
 * A clock for tests that stands still until `advance` or `set` moves it,
 * starting at `startMs` (ms since the epoch; defaults to
 * {@link MANUAL_CLOCK_START}). It moves core's clock only (what a plugin
 * reads through `ctx.clock`, a signer's timestamp), not timers.
 */
export function manualClock(startMs: number = MANUAL_CLOCK_START): ManualClock {
  let now = startMs;
  return {
    now: () => now,
    advance(ms) {
      now += ms;
      return now;
    },
    set(ms) {
      now = ms;
    },
  };
}
