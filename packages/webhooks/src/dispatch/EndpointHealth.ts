import type { Clock, Logger } from '@relaypoint/core';
import { indexedBy, jsonList, type SqlExecutor } from '@relaypoint/store';
import type { DispatchResult } from './DispatchResult.js';

/** A subscription this process stopped: paused by health, or disabled by a 410. */
export interface StoppedSubscription {
  id: string;
  status: 'paused' | 'disabled';
}

/** Settings of {@link EndpointHealth} (see `WebhookSettings.health`). */
export interface EndpointHealthSettings {
  /** Pause after only failures for this long, ms. */
  pauseAfterMs: number;
  /** … and at least this many consecutive failed attempts. */
  minFailures: number;
  /** Deliveries per second released from a resumed subscription's backlog. */
  drainRatePerSecond: number;
}

/**
 * Endpoint health: a subscription whose attempts have all failed for
 * `pauseAfterMs` and `minFailures` in a row is paused, one that answered 410
 * is disabled; both keep their deliveries queued (held). When a subscription
 * is re-enabled its held backlog is released at `drainRatePerSecond`, shared
 * by every process on the store.
 */
export class EndpointHealth {
  /** Subscriptions this process paused or disabled: their claims queued here are held, not sent. */
  readonly stoppedHere = new Set<string>();

  constructor(
    /** Where the drain's statements run, each on its own: most ticks only read. */
    private readonly db: SqlExecutor,
    private readonly clock: Clock,
    private readonly settings: EndpointHealthSettings,
    private readonly logger: Logger | undefined,
  ) {}

  /** A claim read the subscription active: what this process stopped has been re-enabled since. */
  seenActive(subscriptionId: string): void {
    this.stoppedHere.delete(subscriptionId);
  }

  /** After the commit that stopped them: claims queued here for them are held from now on. */
  stopped(subscriptions: readonly StoppedSubscription[]): void {
    for (const { id, status } of subscriptions) {
      this.stoppedHere.add(id);
      const message =
        status === 'paused' ? 'webhook subscription paused: endpoint failing' : 'webhook subscription disabled: endpoint answered 410 Gone';
      this.logger?.warn({ subscriptionId: id, status }, message);
    }
  }

  /**
   * Applies a batch of attempts' results to their subscriptions inside the
   * recording transaction: a 410 disables; a success resets the failure run;
   * failures extend it and pause the subscription once it is long enough.
   * Returns the subscriptions this batch stopped.
   */
  async record(tx: SqlExecutor, batch: readonly DispatchResult[]): Promise<StoppedSubscription[]> {
    const now = this.clock.now();
    const stopped: StoppedSubscription[] = [];
    const bySubscription = new Map<string, DispatchResult[]>();
    const healthy: string[] = [];
    for (const result of batch) {
      if (!result.attempt) continue;
      let list = bySubscription.get(result.subscriptionId);
      if (!list) bySubscription.set(result.subscriptionId, (list = []));
      list.push(result);
    }
    for (const [subscriptionId, list] of bySubscription) {
      if (list.some((result) => result.gone)) {
        const disabled = await tx.execute(
          "UPDATE webhook_subscriptions SET active = 0, status = 'disabled', disabled_reason = $2, draining = 0, updated_at = $3 WHERE id = $1 AND status <> 'disabled'",
          [subscriptionId, 'endpoint answered 410 Gone', now],
        );
        await tx.execute("UPDATE webhook_deliveries SET held = 1 WHERE subscription_id = $1 AND status = 'pending'", [subscriptionId]);
        if (disabled.rowCount) stopped.push({ id: subscriptionId, status: 'disabled' });
        continue;
      }
      list.sort((a, b) => a.attempt!.at - b.attempt!.at);
      let lastSuccess = -1;
      list.forEach((result, index) => {
        if (result.status === 'delivered') lastSuccess = index;
      });
      const failures = list.slice(lastSuccess + 1);
      if (lastSuccess >= 0) {
        if (failures.length) {
          await tx.execute('UPDATE webhook_subscriptions SET failure_count = $2, first_failure_at = $3 WHERE id = $1', [
            subscriptionId,
            failures.length,
            failures[0].attempt!.at,
          ]);
        } else {
          healthy.push(subscriptionId);
        }
      } else {
        await tx.execute(
          'UPDATE webhook_subscriptions SET failure_count = failure_count + $2, first_failure_at = COALESCE(first_failure_at, $3) WHERE id = $1',
          [subscriptionId, failures.length, failures[0].attempt!.at],
        );
      }
      if (!failures.length) continue;
      const paused = await tx.query<{ id: string }>(
        "UPDATE webhook_subscriptions SET status = 'paused', disabled_reason = $2, draining = 0, updated_at = $3 WHERE id = $1 AND status = 'active' AND failure_count >= $4 AND first_failure_at <= $5 RETURNING id",
        [
          subscriptionId,
          'endpoint failing: every attempt failed for the health window',
          now,
          this.settings.minFailures,
          now - this.settings.pauseAfterMs,
        ],
      );
      if (paused.length) {
        await tx.execute("UPDATE webhook_deliveries SET held = 1 WHERE subscription_id = $1 AND status = 'pending'", [subscriptionId]);
        stopped.push({ id: subscriptionId, status: 'paused' });
      }
    }
    // The common case, endpoints whose latest attempt succeeded, in one statement.
    if (healthy.length) {
      await tx.execute(
        `UPDATE webhook_subscriptions SET failure_count = 0, first_failure_at = NULL WHERE id IN (${jsonList(tx.dialect, '$1')}) AND failure_count <> 0`,
        [JSON.stringify(healthy)],
      );
    }
    return stopped;
  }

  /**
   * Releases each resumed subscription's next second of backlog (one process
   * wins each second across processes). Returns true when it released rows.
   */
  async drainTick(): Promise<boolean> {
    const now = this.clock.now();
    const rate = this.settings.drainRatePerSecond;
    // SQLite's planner, without statistics, may pick another partial index on status: pin the one meant.
    const heldIndex = indexedBy(this.db.dialect, 'webhook_deliveries_held');
    let releasedAny = false;
    const draining = await this.db.query<{ id: string }>(
      'SELECT id FROM webhook_subscriptions WHERE draining = 1 AND drain_next_at <= $1',
      [now],
    );
    for (const { id } of draining) {
      const won = await this.db.execute(
        'UPDATE webhook_subscriptions SET drain_next_at = $2 WHERE id = $1 AND draining = 1 AND drain_next_at <= $3',
        [id, now + 1000, now],
      );
      if (!won.rowCount) continue;
      const released = await this.db.execute(
        `UPDATE webhook_deliveries SET held = 0 WHERE id IN (SELECT id FROM webhook_deliveries${heldIndex} WHERE subscription_id = $1 AND status = 'pending' AND held = 1 ORDER BY next_attempt_at, id LIMIT $2)`,
        [id, rate],
      );
      if (released.rowCount < rate) {
        // Not while any of its rows is in flight: one claimed before the
        // re-enable may still come back held (its worker recorded it on the
        // status it read before the re-enable committed).
        await this.db.execute(
          `UPDATE webhook_subscriptions SET draining = 0 WHERE id = $1
             AND NOT EXISTS (SELECT 1 FROM webhook_deliveries${heldIndex} WHERE subscription_id = $1 AND status = 'pending' AND held = 1)
             AND NOT EXISTS (SELECT 1 FROM webhook_deliveries${indexedBy(this.db.dialect, 'webhook_deliveries_lease')} WHERE status = 'in_flight' AND subscription_id = $1)`,
          [id],
        );
      }
      if (released.rowCount) releasedAny = true;
    }
    return releasedAny;
  }
}
