import type { Clock, Logger } from '@relaypoint/core';
import type { Database, GroupCommit } from '@relaypoint/store';
import type { HttpSender } from '../HttpSender.js';
import type { ResolvedWebhookSettings } from '../resolveWebhookSettings.js';
import type { WebhookMetrics } from '../types.js';
import type { ClaimedDelivery } from './ClaimedDelivery.js';
import { completeDispatch, handleCompleted, notify, prepareDispatch, type DispatchObserver } from './dispatchStages.js';
import { deletedResult, releasedResult, type DispatchResult } from './DispatchResult.js';
import { EndpointHealth, type StoppedSubscription } from './EndpointHealth.js';
import type { RetryPolicy } from './nextAttempt.js';
import { OutboxQueue } from './OutboxQueue.js';
import { Scheduler } from './Scheduler.js';
import { staleSubscriptions, type StaleSubscription } from './staleSubscriptions.js';

/**
 * How long results wait to be committed together, ms. Every commit costs a
 * WAL sync on SQLite (`synchronous=FULL`) and its statements run on the
 * store's thread: one commit per interval instead of one per few dozen
 * results keeps that cost per delivery small. A result waiting here is still `in_flight`
 * under this worker's lease, so a crash before the commit resends it (at
 * least once), never loses it.
 */
const COMMIT_INTERVAL_MS = 50;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref?.());

/**
 * The delivery loop of one process. One store transaction at a time (a unit
 * of the store's group commit) records every result waiting, applies endpoint health, and claims
 * the next rows, topping up the {@link Scheduler}'s queues so senders never
 * wait for a claim. It runs every {@link COMMIT_INTERVAL_MS}, sooner when the
 * queue runs low or many results wait. Each claimed delivery goes through the
 * stages of `dispatchStages.ts`. Leases are renewed while this process lives,
 * so a claim held longer than one request is never taken over.
 *
 * Memory stays flat whatever the backlog: at most `2 × concurrency +
 * 8 × batchSize` rows are queued, plus those in flight and their results
 * awaiting the next commit; rows are read from the store a batch at a time.
 */
export class Dispatcher {
  private running = false;
  private closed = false;
  private pumpDone: Promise<void> = Promise.resolve();
  private readonly scheduler: Scheduler;
  private readonly queue: OutboxQueue;
  private readonly health: EndpointHealth;
  private readonly policy: RetryPolicy;
  private readonly observer: DispatchObserver;
  private results: DispatchResult[] = [];
  /** When the oldest result not yet committed arrived (`performance.now()`), or null. */
  private resultsSince: number | null = null;
  /** The last claim filled what it asked for: more rows may be due right now. */
  private moreDue = true;
  private nextPollAt = 0;
  private wake: (() => void) | null = null;
  /** The pump sleeps until a deadline that already counts the results waiting. */
  private sleepingOnResults = false;
  private timers: NodeJS.Timeout[] = [];
  private readonly maxQueued: number;
  private readonly lowWater: number;
  /** When the subscriptions of the claims queued here were last compared with the store (`performance.now()`). */
  private queuedCheckedAt = 0;

  /**
   * @param commits the store's group commit: each pump transaction is one unit of it (and shares its commit with
   *   any other writer using the same instance, on SQLite)
   */
  constructor(
    db: Database,
    private readonly commits: GroupCommit,
    private readonly sender: HttpSender,
    private readonly clock: Clock,
    private readonly settings: ResolvedWebhookSettings,
    private readonly logger: Logger | undefined,
    metrics: WebhookMetrics | undefined,
    random: () => number = Math.random,
  ) {
    this.maxQueued = 2 * settings.concurrency + 8 * settings.batchSize;
    // Refill while half the queue is left: a transaction takes milliseconds, and senders must not run dry meanwhile.
    this.lowWater = Math.max(settings.concurrency, Math.floor(this.maxQueued / 2));
    const { concurrency, perSubscriptionConcurrency } = settings;
    this.scheduler = new Scheduler(
      { concurrency, perSubscriptionConcurrency, maxQueued: this.maxQueued },
      (delivery) => this.dispatch(delivery),
      () => this.maybeWake(),
    );
    this.queue = new OutboxQueue(db, clock, {
      workerId: settings.workerId,
      leaseMs: settings.leaseMs,
      roomFloor: 2 * perSubscriptionConcurrency,
    });
    this.health = new EndpointHealth(db, clock, settings.health, logger);
    this.policy = { schedule: settings.retrySchedule, jitter: settings.jitter, maxRetryAfterMs: settings.maxRetryAfterMs, random };
    this.observer = { metrics, logger };
  }

  start(): void {
    if (this.running || this.closed) return;
    this.running = true;
    const { leaseMs, pollIntervalMs } = this.settings;
    this.every(Math.max(100, Math.floor(leaseMs / 3)), 'lease renewal', () => this.renewLeases());
    this.every(Math.max(100, Math.floor(leaseMs / 2)), 'lease recovery', () => this.takeOverExpired());
    this.every(Math.max(50, Math.min(1000, pollIntervalMs)), 'drain tick', () => this.drainTick());
    this.pumpDone = this.pump();
  }

  async stop(graceMs = 10_000): Promise<void> {
    if (this.closed) return;
    this.running = false;
    this.wake?.();
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    await this.pumpDone;
    // Claims not started yet go back to the queue straight away.
    for (const delivery of this.scheduler.close())
      this.pushResult(releasedResult(delivery.row.id, delivery.row.subscription_id, this.clock.now(), 0));
    await this.scheduler.whenIdle(graceMs);
    await this.flushAll();
    // Requests still running past the grace period keep their lease: another worker resends them after it expires.
    this.closed = true;
    await this.sender.close(this.scheduler.running > 0);
  }

  /**
   * A subscription was changed on this process (disabled, deleted, its URL
   * or secret changed): its claims queued here and not started yet go back
   * to the store now (a deleted one's are recorded failed), to be claimed
   * again with what it is now, instead of being sent with what it was when
   * they were claimed. Requests already sent cannot be called back. Another
   * process hears of the change when it next compares its queued claims
   * with the store, within `pollIntervalMs` (see {@link staleSubscriptions}).
   */
  subscriptionChanged(id: string, change: { deleted?: boolean } = {}): void {
    const now = this.clock.now();
    for (const { row } of this.scheduler.take(id)) {
      this.pushResult(change.deleted ? deletedResult(row.id, id, now) : releasedResult(row.id, id, now, 0));
    }
  }

  /** Rows held by this process (queued or in flight). */
  private get held(): number {
    return this.scheduler.queued + this.scheduler.running;
  }

  /** One delivery through the stages: prepare → send → completed → handle; its result waits for the next commit. */
  private async dispatch(delivery: ClaimedDelivery): Promise<void> {
    const prepared = prepareDispatch(delivery, this.clock.now(), this.health.stoppedHere);
    if (prepared.kind === 'skip') {
      this.pushResult(prepared.result);
      return;
    }
    const answer = await this.sender.send(prepared.url, prepared.headers, prepared.body);
    this.pushResult(handleCompleted(delivery, completeDispatch(answer), this.clock.now(), this.policy, this.observer));
  }

  /** Runs one store transaction at a time: records results and claims, as soon as worthwhile, else at the next deadline. */
  private async pump(): Promise<void> {
    await this.takeOverExpired();
    while (this.running) {
      const wait = this.untilNextCommit();
      if (wait > 0) {
        await this.sleep(wait);
        continue;
      }
      await this.commit(true);
    }
  }

  /** ms until the next transaction is worth its commit (0: now). */
  private untilNextCommit(): number {
    const now = performance.now();
    const waiting = this.results.length;
    if (waiting >= this.maxQueued) return 0;
    // Senders are about to run dry and a claim can refill them. A low queue
    // alone is no reason: when the last claim got all there was (or all the
    // capped endpoints may take), results wait for the interval.
    if (this.scheduler.queued < this.lowWater && this.moreDue) return 0;
    let wait = Infinity;
    if (waiting > 0 && this.resultsSince !== null) wait = this.resultsSince + COMMIT_INTERVAL_MS - now;
    if (!this.moreDue && this.scheduler.queued < this.lowWater) wait = Math.min(wait, this.nextPollAt - now);
    if (wait === Infinity) wait = this.settings.pollIntervalMs;
    return Math.max(0, Math.ceil(wait));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepingOnResults = this.results.length > 0;
      this.wake = done;
    });
  }

  /** Wakes the pump on a transition that moves its deadline, not on every completion. */
  private maybeWake(): void {
    if (!this.wake) return;
    const waiting = this.results.length;
    if (waiting >= this.maxQueued || (this.scheduler.queued < this.lowWater && this.moreDue) || (waiting > 0 && !this.sleepingOnResults))
      this.wake();
  }

  private pushResult(result: DispatchResult): void {
    if (!this.results.length) this.resultsSince = performance.now();
    this.results.push(result);
    this.maybeWake();
  }

  /**
   * One transaction: records every waiting result and, when `claim`, tops
   * the local queue up. The claimed rows are handed to senders only after
   * the commit. On failure the results stay waiting (their rows are still
   * leased to this worker) and are recorded by a later transaction.
   */
  private async commit(claim: boolean): Promise<void> {
    const batch = this.results;
    this.results = [];
    this.resultsSince = null;
    const limit = claim && this.running ? this.maxQueued - this.scheduler.queued : 0;
    const recheck = this.scheduler.subscriptions().length > 0 && performance.now() - this.queuedCheckedAt >= this.settings.pollIntervalMs;
    let stopped: StoppedSubscription[] = [];
    let stale: StaleSubscription[] = [];
    let claimed: ClaimedDelivery[] = [];
    try {
      await this.commits.run(async (tx) => {
        if (batch.length) {
          await this.queue.record(tx, batch);
          stopped = await this.health.record(tx, batch);
        }
        if (recheck) {
          const queued = new Map(
            this.scheduler.subscriptions().map((id) => [id, this.scheduler.waiting(id).map((delivery) => delivery.subscription)]),
          );
          stale = staleSubscriptions(queued, await this.queue.subscriptionsNow(tx, [...queued.keys()]), this.health.stoppedHere);
        }
        if (limit > 0) claimed = await this.queue.claim(tx, limit, this.scheduler.claimRoom());
      });
    } catch (error) {
      this.logger?.error({ err: errorText(error), results: batch.length }, 'webhook store transaction failed; will retry');
      this.results = batch.concat(this.results);
      this.resultsSince = performance.now();
      await sleep(200);
      return;
    }
    if (limit > 0) {
      this.moreDue = claimed.length >= limit;
      if (!this.moreDue) this.nextPollAt = performance.now() + this.settings.pollIntervalMs;
    }
    if (recheck) this.queuedCheckedAt = performance.now();
    // Before the new claims join the queues: those were read with the subscription as it is now.
    for (const { id, deleted } of stale) this.subscriptionChanged(id, { deleted });
    for (const { status } of stopped) notify(this.observer.metrics?.onSubscriptionStopped, this.observer.metrics, status);
    this.health.stopped(stopped);
    for (const { subscription } of claimed) {
      if (subscription && subscription.status === 'active' && subscription.deleted_at === null) this.health.seenActive(subscription.id);
    }
    this.scheduler.enqueue(claimed);
  }

  private async flushAll(): Promise<void> {
    for (let round = 0; round < 20 && this.results.length; round++) await this.commit(false);
  }

  /** Runs `task` every `intervalMs`; a failure is logged and the next tick tries again. */
  private every(intervalMs: number, what: string, task: () => Promise<void>): void {
    const run = () => task().catch((error: unknown) => this.logger?.warn({ err: errorText(error) }, `webhook ${what} failed`));
    this.timers.push(setInterval(() => void run(), intervalMs));
  }

  private async renewLeases(): Promise<void> {
    if (this.running && this.held > 0) await this.queue.renewLeases(this.commits);
  }

  private async takeOverExpired(): Promise<void> {
    try {
      const count = await this.queue.takeOverExpired(this.commits);
      if (count) this.logger?.info({ count }, 'recovered webhook deliveries from expired leases');
    } catch (error) {
      this.logger?.warn({ err: errorText(error) }, 'webhook lease recovery failed');
    }
  }

  private async drainTick(): Promise<void> {
    if (this.running && (await this.health.drainTick())) {
      this.moreDue = true;
      this.maybeWake();
    }
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
