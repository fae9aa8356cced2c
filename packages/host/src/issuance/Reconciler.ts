import type { Logger } from '@relaypoint/core';
import type { ConnectorHandle } from '../connectors/ConnectorHandle.js';
import { HostErrorCodes } from '../HostError.js';
import type { CallTracker } from './CallTracker.js';
import type { CheckStep } from './CheckStep.js';
import type { IssuanceJournal } from './IssuanceJournal.js';
import type { IssuanceRecorder } from './IssuanceRecorder.js';
import { OPEN_STATUSES } from './IssuanceRecord.js';
import { errorSummary } from './issueRequest.js';

/** How soon rows that waited on a breaker are claimed again once it has closed, ms (at most `intervalMs`). */
const RETRY_SOON_MS = 100;

/** What {@link Reconciler} needs. */
export interface ReconcilerOptions {
  journal: IssuanceJournal;
  checker: CheckStep;
  recorder: IssuanceRecorder;
  tracker: CallTracker;
  connectors: ReadonlyMap<string, ConnectorHandle>;
  logger: Logger;
  clock: { now(): number };
  /** Reconciler period, ms. */
  intervalMs: number;
  /** Largest re-check delay, ms. */
  maxIntervalMs: number;
  /** Rows claimed per pass. */
  batchSize: number;
  /** True when no other process can use the store (SQLite): leftover `in_flight` rows are orphans at start. */
  exclusiveStore: boolean;
}

/**
 * The reconciler loop: every `intervalMs` it claims the due open rows under
 * a lease and checks each; it renews the leases of the provider calls this
 * process is making; and when a connector's breaker closes it runs a pass
 * at once and wakes the waiting requests, so issuances that waited on the
 * breaker go out as soon as calls go through (the bulkhead still bounds the
 * burst).
 */
export class Reconciler {
  private timer: NodeJS.Timeout | undefined;
  private leaseTimer: NodeJS.Timeout | undefined;
  private pass: Promise<unknown> | undefined;
  private again = false;
  private stopped = false;
  private readonly listeners: Array<{ dispose(): void }> = [];

  constructor(private readonly options: ReconcilerOptions) {}

  /**
   * One pass: claims due open rows (expired leases only; with `orphans`,
   * every `in_flight` row not ours, which is right only when no other
   * process can use the store) and checks each. Returns the rows claimed,
   * and how many of them are still due (their checks reached no provider).
   */
  async reconcileOnce(options: { orphans?: boolean } = {}): Promise<{ claimed: number; stillDue: number; retrySoon: boolean }> {
    const { journal, tracker, connectors, recorder } = this.options;
    const rows = await journal.claimDue(this.options.batchSize, options.orphans ?? false);
    if (rows.length === 0) return { claimed: 0, stillDue: 0, retrySoon: false };
    // Connectors whose rows stayed due because their calls reached no provider.
    const waitedOn = new Set<ConnectorHandle>();
    // A row whose call this process is still making (its lease ran out before a renewal landed) is not ours to
    // check or re-send: the call records its outcome. Claiming it only renewed our own lease.
    const queue = rows.filter((row) => !tracker.calling.has(row.id));
    let stillDue = rows.length - queue.length;
    const worker = async () => {
      for (let row = queue.shift(); row; row = queue.shift()) {
        const handle = connectors.get(row.connector);
        try {
          if (!handle) {
            await recorder.open(row.id, row.status === 'pending' ? 'pending' : 'unknown', {
              failure: { code: HostErrorCodes.UNKNOWN_CONNECTOR, message: `connector "${row.connector}" is not configured on this host` },
              next: this.options.clock.now() + this.options.maxIntervalMs,
              checked: true,
            });
            continue;
          }
          const after = await this.options.checker.check(row, handle);
          if (OPEN_STATUSES.includes(after.status) && Number(after.next_check_at) <= this.options.clock.now()) {
            stillDue++;
            waitedOn.add(handle);
          }
        } catch (e) {
          stillDue++;
          this.options.logger.error(
            { err: errorSummary(e), issuanceId: row.id },
            'reconciliation step failed; the lease will expire and it will be retried',
          );
        }
      }
    };
    // Every claimed row at once: a row leased here but left waiting would keep a waiting request from checking it.
    // The connector's bulkhead bounds how many calls are in flight (a burst after a breaker closes included).
    await tracker.track(Promise.all(Array.from({ length: rows.length }, worker)));
    // A breaker that closed while this pass ran (its wake-up found the pass busy, or the rows leased by a
    // waiting request): the rows it kept due go out shortly, not a whole period later.
    const retrySoon = [...waitedOn].some((handle) => handle.resilient.breaker.state === 'closed');
    return { claimed: rows.length, stillDue, retrySoon };
  }

  /** Reconciles every `in_flight` row a dead process left (all of them when the store is exclusive to us), before new work is served. */
  async recoverOrphans(): Promise<number> {
    let total = 0;
    for (;;) {
      const { claimed } = await this.reconcileOnce({ orphans: this.options.exclusiveStore });
      total += claimed;
      if (claimed < this.options.batchSize || !this.options.exclusiveStore) break;
    }
    if (total > 0) this.options.logger.info({ count: total }, 'reconciled issuances left open by an earlier process');
    return total;
  }

  /** Starts the loop (every `intervalMs`), the lease renewals, and a pass whenever a breaker closes. */
  start(): void {
    this.timer = setTimeout(() => void this.tick(), Math.min(this.options.intervalMs, 1000));
    this.leaseTimer = setInterval(
      () => {
        const ids = [...this.options.tracker.calling];
        if (ids.length === 0) return;
        this.options.journal
          .renew(ids)
          .catch((e) =>
            this.options.logger.error({ err: errorSummary(e) }, 'renewing the leases of provider calls in flight failed; retrying'),
          );
      },
      Math.max(Math.floor(this.options.journal.leases.leaseMs / 3), 50),
    );
    this.leaseTimer.unref();
    for (const handle of this.options.connectors.values()) {
      this.listeners.push(
        handle.resilient.breaker.onStateChange((state) => {
          if (state !== 'closed') return;
          // Requests waiting on rows that reached no provider look again now, as does the reconciler.
          this.options.tracker.wakeAll();
          this.wake();
        }),
      );
    }
  }

  /** Runs a pass now (or right after the one running). */
  wake(): void {
    if (this.stopped) return;
    if (this.pass) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), 0);
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    try {
      // Drain due rows in batches, one pass at a time per process; rows whose checks reached no provider stay
      // due, and a batch of only those ends the drain (the next tick or breaker close picks them up).
      for (;;) {
        this.again = false;
        const pass = this.reconcileOnce();
        this.pass = pass;
        const { claimed, stillDue, retrySoon } = await pass;
        if (this.stopped) break;
        if (claimed === this.options.batchSize && stillDue < claimed) continue;
        if (retrySoon) this.again = true;
        if (!this.again) break;
        // Give the calls that just went through a moment before claiming again.
        await new Promise((resolve) => setTimeout(resolve, Math.min(this.options.intervalMs, RETRY_SOON_MS)));
      }
    } catch (e) {
      this.options.logger.error({ err: errorSummary(e) }, 'reconciler pass failed');
    } finally {
      this.pass = undefined;
    }
    if (!this.stopped) this.timer = setTimeout(() => void this.tick(), this.options.intervalMs);
  }

  /** Stops the loop; resolves when the pass running (if any) has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const listener of this.listeners.splice(0)) listener.dispose();
    await this.pass?.catch(() => undefined);
  }

  /** Stops renewing leases (after the calls in flight have ended). */
  stopRenewing(): void {
    clearInterval(this.leaseTimer);
  }

  /** The pass running, for shutdown to wait on. */
  get running(): Promise<unknown> | undefined {
    return this.pass;
  }
}
