import type { ClaimedDelivery } from './ClaimedDelivery.js';

/** Limits of a {@link Scheduler}. */
export interface SchedulerLimits {
  /** Deliveries running at once. */
  concurrency: number;
  /** Deliveries running at once for one subscription. */
  perSubscriptionConcurrency: number;
  /** Claimed deliveries waiting here at most. */
  maxQueued: number;
}

/** How many more rows each subscription may have queued here: the claim's room per subscription, and those with none. */
export interface ClaimRoom {
  room: Map<string, number>;
  full: string[];
}

/**
 * The in-memory side of dispatch: claimed deliveries wait in one queue per
 * subscription and start round-robin (one per subscription per pass), at most
 * `concurrency` at once and `perSubscriptionConcurrency` per subscription, so
 * a busy endpoint shares the slots. It also sizes each subscription's share of
 * the next claim from how fast that subscription drains. Nothing here is the
 * only copy of anything: every queued or running delivery is leased in the store.
 */
export class Scheduler {
  private readonly queues = new Map<string, ClaimedDelivery[]>();
  private readonly runningBySubscription = new Map<string, number>();
  /** Completions per subscription since the last claim: a fast endpoint may queue more ahead than a slow one. */
  private readonly doneBySubscription = new Map<string, number>();
  /** Rows a subscription may have queued here (at least twice its cap; more for one that drains fast). */
  private readonly allowanceBySubscription = new Map<string, number>();
  private readonly idleWaiters = new Set<() => void>();
  private runningCount = 0;
  private queuedCount = 0;
  private closed = false;

  /**
   * @param limits concurrency caps and queue size
   * @param run sends one delivery; its promise settles when the delivery's result is handed on
   * @param onSlotFreed called after each delivery finishes (the dispatcher may claim more)
   */
  constructor(
    private readonly limits: SchedulerLimits,
    private readonly run: (delivery: ClaimedDelivery) => Promise<void>,
    private readonly onSlotFreed: () => void,
  ) {}

  /** Deliveries waiting to start. */
  get queued(): number {
    return this.queuedCount;
  }

  /** Deliveries running. */
  get running(): number {
    return this.runningCount;
  }

  /** Subscriptions with deliveries waiting here. */
  subscriptions(): string[] {
    return [...this.queues.keys()];
  }

  /** The deliveries waiting for one subscription (not removed). */
  waiting(subscriptionId: string): readonly ClaimedDelivery[] {
    return this.queues.get(subscriptionId) ?? [];
  }

  /** Queues claimed deliveries and starts what the caps allow. */
  enqueue(deliveries: readonly ClaimedDelivery[]): void {
    for (const delivery of deliveries) {
      const subscriptionId = delivery.row.subscription_id;
      let queue = this.queues.get(subscriptionId);
      if (!queue) this.queues.set(subscriptionId, (queue = []));
      queue.push(delivery);
      this.queuedCount++;
    }
    if (deliveries.length) this.startWaiting();
  }

  /** Removes and returns the deliveries waiting for one subscription. */
  take(subscriptionId: string): ClaimedDelivery[] {
    const queue = this.queues.get(subscriptionId);
    if (!queue) return [];
    this.queues.delete(subscriptionId);
    this.queuedCount -= queue.length;
    return queue;
  }

  /** Removes and returns every waiting delivery, and starts nothing more. */
  close(): ClaimedDelivery[] {
    this.closed = true;
    const all = [...this.queues.values()].flat();
    this.queues.clear();
    this.queuedCount = 0;
    return all;
  }

  /** Resolves when nothing is running, or after `timeoutMs`. */
  async whenIdle(timeoutMs: number): Promise<void> {
    if (this.runningCount === 0) return;
    let timer: NodeJS.Timeout | undefined;
    let waiter: (() => void) | undefined;
    await new Promise<void>((resolve) => {
      waiter = resolve;
      this.idleWaiters.add(resolve);
      timer = setTimeout(resolve, timeoutMs);
    });
    clearTimeout(timer);
    if (waiter) this.idleWaiters.delete(waiter);
  }

  /**
   * How many more rows each subscription may queue here: roughly two commit
   * intervals of what it completed since the last claim, at least twice its
   * cap, decaying by half per claim while it completes nothing.
   */
  claimRoom(): ClaimRoom {
    const floor = 2 * this.limits.perSubscriptionConcurrency;
    for (const [subscriptionId, allowance] of this.allowanceBySubscription) {
      if (this.doneBySubscription.has(subscriptionId)) continue;
      const next = Math.max(floor, Math.floor(allowance / 2));
      if (next === floor && !this.queues.has(subscriptionId)) this.allowanceBySubscription.delete(subscriptionId);
      else this.allowanceBySubscription.set(subscriptionId, next);
    }
    for (const [subscriptionId, done] of this.doneBySubscription) {
      const previous = this.allowanceBySubscription.get(subscriptionId) ?? floor;
      this.allowanceBySubscription.set(
        subscriptionId,
        Math.min(this.limits.maxQueued, Math.max(floor, 2 * done, Math.floor(previous / 2))),
      );
    }
    this.doneBySubscription.clear();
    const room = new Map<string, number>();
    const full: string[] = [];
    for (const subscriptionId of new Set([...this.queues.keys(), ...this.allowanceBySubscription.keys()])) {
      const left = (this.allowanceBySubscription.get(subscriptionId) ?? floor) - (this.queues.get(subscriptionId)?.length ?? 0);
      room.set(subscriptionId, left);
      if (left <= 0) full.push(subscriptionId);
    }
    return { room, full };
  }

  private startWaiting(): void {
    if (this.closed) return;
    const { concurrency, perSubscriptionConcurrency } = this.limits;
    let progressed = true;
    while (this.runningCount < concurrency && progressed) {
      progressed = false;
      for (const [subscriptionId, queue] of this.queues) {
        if (this.runningCount >= concurrency) break;
        const running = this.runningBySubscription.get(subscriptionId) ?? 0;
        if (running >= perSubscriptionConcurrency) continue;
        const delivery = queue.shift();
        if (!delivery) continue;
        if (!queue.length) this.queues.delete(subscriptionId);
        this.queuedCount--;
        this.runningCount++;
        this.runningBySubscription.set(subscriptionId, running + 1);
        progressed = true;
        void this.run(delivery).finally(() => this.finished(subscriptionId));
      }
    }
  }

  private finished(subscriptionId: string): void {
    this.runningCount--;
    const running = (this.runningBySubscription.get(subscriptionId) ?? 1) - 1;
    if (running <= 0) this.runningBySubscription.delete(subscriptionId);
    else this.runningBySubscription.set(subscriptionId, running);
    this.doneBySubscription.set(subscriptionId, (this.doneBySubscription.get(subscriptionId) ?? 0) + 1);
    this.startWaiting();
    this.onSlotFreed();
    if (this.runningCount === 0) for (const waiter of this.idleWaiters) waiter();
  }
}
