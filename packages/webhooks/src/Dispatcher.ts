import type { Clock, Logger } from '@relaypoint/core';
import type { Database, SqlExecutor } from '@relaypoint/store';
import type { HttpSender, SendResult } from './HttpSender.js';
import { buildHeaders } from './signing.js';
import type { ErrorKind, WebhookMetrics } from './types.js';

/** Resolved dispatcher settings (see `WebhookServiceOptions` for meanings and defaults). */
export interface DispatcherSettings {
  retrySchedule: number[];
  jitter: number;
  maxRetryAfterMs: number;
  concurrency: number;
  perSubscriptionConcurrency: number;
  batchSize: number;
  pollIntervalMs: number;
  leaseMs: number;
  pauseAfterMs: number;
  minFailures: number;
  drainRatePerSecond: number;
  workerId: string;
}

interface ClaimedRow {
  id: string;
  subscription_id: string;
  event_key: string;
  event_type: string;
  attempts: number;
}

interface SubInfo {
  id: string;
  url: string;
  secret: string;
  previous_secret: string | null;
  previous_expires_at: number | null;
  status: string;
  deleted_at: number | null;
}

interface Job {
  row: ClaimedRow;
  body: string | undefined;
  sub: SubInfo | undefined;
}

/** What recording does with one claimed row. */
interface Outcome {
  id: string;
  subscriptionId: string;
  status: 'pending' | 'delivered' | 'failed';
  held: 0 | 1;
  /** 1 when an attempt was made (counted, and last_status/last_error overwritten). */
  attempted: 0 | 1;
  nextAttemptAt: number;
  lastStatus: number | null;
  lastError: string | null;
  deliveredAt: number | null;
  attempt?: SendResult;
  gone?: boolean;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref?.());

/**
 * The delivery loop of one process. Claims due rows in batches under a lease
 * (renewed while this process lives, so a claim held longer than one request
 * is never taken over), sends them with bounded global and per-subscription
 * concurrency, and records results in batched transactions.
 *
 * Memory stays flat whatever the backlog: at most `concurrency + batchSize`
 * claimed rows are held, and rows are read from the store a batch at a time.
 */
export class Dispatcher {
  private running = false;
  private closed = false;
  private loopDone: Promise<void> = Promise.resolve();
  private readonly queues = new Map<string, Job[]>();
  private readonly inflightBySub = new Map<string, number>();
  private readonly stoppedSubs = new Set<string>();
  private inflight = 0;
  private queued = 0;
  private results: Outcome[] = [];
  private flushing: Promise<void> | null = null;
  private flushTimer: NodeJS.Timeout | null = null;
  private wake: (() => void) | null = null;
  private waitMode: 'room' | 'poll' | null = null;
  private watched = new Set<string>();
  private timers: NodeJS.Timeout[] = [];
  private readonly idle = new Set<() => void>();

  constructor(
    private readonly db: Database,
    private readonly sender: HttpSender,
    private readonly clock: Clock,
    private readonly settings: DispatcherSettings,
    private readonly logger: Logger | undefined,
    private readonly metrics: WebhookMetrics | undefined,
  ) {}

  start(): void {
    if (this.running || this.closed) return;
    this.running = true;
    const s = this.settings;
    this.timers.push(setInterval(() => void this.heartbeat(), Math.max(100, Math.floor(s.leaseMs / 3))));
    this.timers.push(setInterval(() => void this.recoverLeases(), Math.max(100, Math.floor(s.leaseMs / 2))));
    this.timers.push(setInterval(() => void this.drainTick(), Math.max(50, Math.min(1000, s.pollIntervalMs))));
    this.loopDone = this.loop();
  }

  async stop(graceMs = 10_000): Promise<void> {
    if (this.closed) return;
    this.running = false;
    this.wake?.();
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.loopDone;
    // Claims not started yet go back to the queue straight away.
    const unsent: Outcome[] = [];
    for (const [subId, q] of this.queues) for (const j of q) unsent.push(this.release(j.row.id, subId, 0));
    this.queues.clear();
    this.queued = 0;
    this.results.push(...unsent);
    if (this.inflight > 0) {
      await Promise.race([new Promise<void>((r) => this.idle.add(r)), sleep(graceMs)]);
    }
    await this.flushAll();
    // Requests still running past the grace period keep their lease: another worker resends them after it expires.
    this.closed = true;
    await this.sender.close(this.inflight > 0);
  }

  /** Rows held by this process (queued or in flight), for tests and stats. */
  get held(): number {
    return this.queued + this.inflight;
  }

  private async loop(): Promise<void> {
    await this.recoverLeases();
    const s = this.settings;
    while (this.running) {
      if (!this.hasRoom()) {
        await this.waitFor('room');
        continue;
      }
      if (this.results.length || this.flushing) {
        // Results are waiting: record them and claim in the same commit.
        await this.flush();
        if (this.held > 0) continue;
      }
      let claimed = 0;
      const asked = Math.min(s.batchSize, s.concurrency + s.batchSize - this.held);
      try {
        claimed = await this.claim(asked);
      } catch (e) {
        this.logger?.error({ err: errText(e) }, 'webhook claim failed');
        await sleep(s.pollIntervalMs);
        continue;
      }
      if (!this.running) break;
      if (claimed >= asked) continue;
      // Nothing more due, or only rows of subscriptions already at their cap:
      // poll again later, or as soon as one of those subscriptions has room.
      this.watched = new Set([...this.queues].filter(([, q]) => q.length >= s.perSubscriptionConcurrency).map(([id]) => id));
      await this.waitFor('poll');
    }
  }

  /** Claim when less than one round of work is queued and the held rows and unrecorded results are bounded. */
  private hasRoom(): boolean {
    const s = this.settings;
    return this.queued < s.concurrency && this.held < s.concurrency + s.batchSize && this.results.length <= s.batchSize * 4;
  }

  private waitFor(mode: 'room' | 'poll'): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = null;
        this.waitMode = null;
        resolve();
      };
      const timer = setTimeout(done, this.settings.pollIntervalMs);
      this.waitMode = mode;
      this.wake = done;
    });
  }

  /** Wakes the loop on the transition it waits for, not on every completion (each claim is a write). */
  private maybeWake(subId?: string): void {
    if (!this.wake) return;
    if (this.waitMode === 'room' ? this.hasRoom() : subId !== undefined && this.watched.has(subId) && (this.queues.get(subId)?.length ?? 0) < this.settings.perSubscriptionConcurrency) {
      this.wake();
    }
  }

  private async claim(limit: number): Promise<number> {
    const jobs = await this.claimRows(this.db, limit);
    this.enqueue(jobs);
    return jobs.length;
  }

  /** Claims up to `limit` due rows on `exec` (the pool, or a transaction that records results) and loads what sending them needs. */
  private async claimRows(exec: SqlExecutor, limit: number): Promise<Job[]> {
    const s = this.settings;
    const now = this.clock.now();
    const saturated: string[] = [];
    for (const [sub, q] of this.queues) {
      if (q.length >= s.perSubscriptionConcurrency) saturated.push(sub);
      if (saturated.length >= 100) break;
    }
    const params: unknown[] = [now + s.leaseMs, s.workerId, now, limit * 4, s.perSubscriptionConcurrency * 2, limit];
    const exclusion = saturated.length
      ? ` AND subscription_id NOT IN (${saturated.map((id) => {
          params.push(id);
          return `$${params.length}`;
        })})`
      : '';
    const lock = this.db.dialect === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
    // Candidates in due order, at most 2× the per-subscription cap from any one
    // subscription, so one endpoint's backlog cannot fill every claim. The
    // outer statement must find rows by primary key only: a status filter
    // there lets SQLite's planner walk every pending row per claim.
    const rows = await exec.query<ClaimedRow>(
      `UPDATE webhook_deliveries SET status = 'in_flight', lease_until = $1, worker = $2
       WHERE id IN (
         SELECT w.id FROM (
           SELECT c.id, c.next_attempt_at, ROW_NUMBER() OVER (PARTITION BY c.subscription_id ORDER BY c.next_attempt_at, c.id) AS rn
           FROM (
             SELECT id, subscription_id, next_attempt_at FROM webhook_deliveries${this.indexedBy('webhook_deliveries_due')}
             WHERE status = 'pending' AND held = 0 AND next_attempt_at <= $3${exclusion}
             ORDER BY next_attempt_at LIMIT $4${lock}
           ) c
         ) w WHERE w.rn <= $5 ORDER BY w.next_attempt_at LIMIT $6
       )
       RETURNING id, subscription_id, event_key, event_type, attempts`,
      params,
    );
    if (!rows.length) return [];
    const keys = [...new Set(rows.map((r) => r.event_key))];
    const subIds = [...new Set(rows.map((r) => r.subscription_id))];
    const [events, subs] = await Promise.all([
      exec.query<{ key: string; body: string }>(`SELECT key, body FROM webhook_events WHERE key IN (${keys.map((_, i) => `$${i + 1}`).join(', ')})`, keys),
      exec.query<SubInfo>(
        `SELECT id, url, secret, previous_secret, previous_expires_at, status, deleted_at FROM webhook_subscriptions WHERE id IN (${subIds.map((_, i) => `$${i + 1}`).join(', ')})`,
        subIds,
      ),
    ]);
    const bodies = new Map(events.map((e) => [e.key, e.body]));
    const subById = new Map(subs.map((x) => [x.id, x]));
    return rows.map((row) => ({ row: { ...row, attempts: Number(row.attempts) }, body: bodies.get(row.event_key), sub: subById.get(row.subscription_id) }));
  }

  private enqueue(jobs: Job[]): void {
    for (const job of jobs) {
      const sub = job.sub;
      if (sub && sub.status === 'active' && sub.deleted_at === null) this.stoppedSubs.delete(sub.id);
      let q = this.queues.get(job.row.subscription_id);
      if (!q) this.queues.set(job.row.subscription_id, (q = []));
      q.push(job);
      this.queued++;
    }
    if (jobs.length) this.startJobs();
  }

  /**
   * SQLite's planner has no statistics unless ANALYZE ran and may prefer the
   * broad status index, turning an O(batch) claim into a scan of every pending
   * row; pin the partial index there. PostgreSQL plans from its own statistics.
   */
  private indexedBy(index: string): string {
    return this.db.dialect === 'sqlite' ? ` INDEXED BY ${index}` : '';
  }

  private startJobs(): void {
    if (this.closed) return;
    const cap = this.settings.perSubscriptionConcurrency;
    let progressed = true;
    // Round-robin over subscriptions, one job each per pass, so a busy endpoint shares the global slots.
    while (this.inflight < this.settings.concurrency && progressed) {
      progressed = false;
      for (const [subId, q] of this.queues) {
        if (this.inflight >= this.settings.concurrency) break;
        const n = this.inflightBySub.get(subId) ?? 0;
        if (n >= cap) continue;
        const job = q.shift();
        if (!job) continue;
        if (!q.length) this.queues.delete(subId);
        this.queued--;
        this.inflight++;
        this.inflightBySub.set(subId, n + 1);
        progressed = true;
        void this.run(job).finally(() => {
          this.inflight--;
          const m = (this.inflightBySub.get(subId) ?? 1) - 1;
          if (m <= 0) this.inflightBySub.delete(subId);
          else this.inflightBySub.set(subId, m);
          this.startJobs();
          this.maybeWake(subId);
          if (this.inflight === 0) for (const r of this.idle) r();
        });
      }
    }
  }

  private release(id: string, subscriptionId: string, held: 0 | 1): Outcome {
    return { id, subscriptionId, status: 'pending', held, attempted: 0, nextAttemptAt: this.clock.now(), lastStatus: null, lastError: null, deliveredAt: null };
  }

  private async run(job: Job): Promise<void> {
    const { row, sub, body } = job;
    let outcome: Outcome;
    if (!sub || sub.deleted_at !== null || body === undefined) {
      outcome = { ...this.release(row.id, row.subscription_id, 1), status: 'failed', lastError: 'subscription deleted', attempted: 0 };
    } else if (sub.status !== 'active' || this.stoppedSubs.has(sub.id)) {
      outcome = this.release(row.id, row.subscription_id, 1);
    } else {
      const now = this.clock.now();
      const previous = sub.previous_secret && sub.previous_expires_at !== null && Number(sub.previous_expires_at) > now ? [sub.previous_secret] : [];
      const headers = buildHeaders({ msgId: row.id, eventType: row.event_type, body, timestampSec: Math.floor(now / 1000), secret: sub.secret, previousSecrets: previous });
      const res = await this.sender.send(sub.url, headers, body);
      outcome = this.decide(row, res);
    }
    this.results.push(outcome);
    this.scheduleFlush();
  }

  /** Turns an attempt into the row's next state: delivered, retry later, disabled (410) or failed. */
  private decide(row: ClaimedRow, res: SendResult): Outcome {
    const s = this.settings;
    const attempts = row.attempts + 1;
    const now = this.clock.now();
    const base = { id: row.id, subscriptionId: row.subscription_id, attempted: 1 as const, lastStatus: res.statusCode ?? null, attempt: res };
    this.hook(() => this.metrics?.onAttempt?.(res.errorKind && res.errorKind !== 'http_status' ? res.errorKind : (res.statusCode ?? 0), res.latencyMs));
    if (!res.errorKind) {
      this.hook(() => this.metrics?.onDelivered?.(res.latencyMs));
      return { ...base, status: 'delivered', held: 0, nextAttemptAt: now, lastError: null, deliveredAt: res.at };
    }
    const lastError = res.errorKind === 'http_status' ? `http_status: ${res.statusCode}` : `${res.errorKind}: ${res.errorMessage ?? ''}`.slice(0, 500);
    if (res.statusCode === 410) {
      // Gone: the subscription is disabled; this delivery stays queued (visible, sent again if re-enabled).
      return { ...base, status: 'pending', held: 1, nextAttemptAt: now, lastError, deliveredAt: null, gone: true };
    }
    if (res.errorKind === 'ssrf_blocked' || attempts >= s.retrySchedule.length) {
      this.hook(() => this.metrics?.onFailed?.(res.errorKind as ErrorKind));
      return { ...base, status: 'failed', held: 0, nextAttemptAt: now, lastError, deliveredAt: null };
    }
    const scheduled = s.retrySchedule[attempts];
    let delay = scheduled * (1 + (Math.random() * 2 - 1) * s.jitter);
    if (res.retryAfterMs !== undefined) delay = Math.max(delay, Math.min(res.retryAfterMs, s.maxRetryAfterMs));
    this.hook(() => this.metrics?.onRetried?.());
    return { ...base, status: 'pending', held: 0, nextAttemptAt: now + Math.round(delay), lastError, deliveredAt: null };
  }

  private hook(fn: () => void): void {
    try {
      fn();
    } catch {
      // A metrics hook must never break delivery.
    }
  }

  private scheduleFlush(): void {
    if (this.results.length >= this.settings.batchSize) {
      void this.flush();
      return;
    }
    if (!this.flushTimer) {
      this.flushTimer = setTimeout(() => {
        this.flushTimer = null;
        void this.flush();
      }, 20);
    }
  }

  private async flushAll(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    for (let i = 0; i < 20 && (this.results.length || this.flushing); i++) {
      await this.flush();
      if (this.results.length) await sleep(50);
    }
  }

  private flush(): Promise<void> {
    if (this.flushing) return this.flushing.then(() => (this.results.length ? this.flush() : undefined));
    if (!this.results.length || this.closed) return Promise.resolve();
    const batch = this.results.splice(0, this.settings.batchSize);
    this.flushing = this.record(batch)
      .catch((e) => {
        // Keep the results and try again: the rows are leased to us and the lease is renewed.
        this.logger?.error({ err: errText(e), count: batch.length }, 'recording webhook results failed; will retry');
        this.results.unshift(...batch);
        return sleep(200);
      })
      .finally(() => {
        this.flushing = null;
        if (this.results.length) this.scheduleFlush();
        this.maybeWake();
      });
    return this.flushing;
  }

  private async record(batch: Outcome[]): Promise<void> {
    const s = this.settings;
    const stopped: { id: string; status: 'paused' | 'disabled' }[] = [];
    let claimed: Job[] = [];
    await this.db.transaction(async (tx) => {
      const attempts = batch.filter((o) => o.attempt);
      if (attempts.length) {
        const params: unknown[] = [];
        const values = attempts.map((o) => {
          const a = o.attempt!;
          params.push(o.id, a.at, a.statusCode ?? null, a.latencyMs, a.responseBody, a.errorKind ?? null, a.errorKind ? (a.errorMessage ?? null) : null);
          const n = params.length;
          return `($${n - 6}, $${n - 5}, $${n - 4}, $${n - 3}, $${n - 2}, $${n - 1}, $${n})`;
        });
        await tx.execute(`INSERT INTO webhook_attempts (delivery_id, at, status_code, latency_ms, response_body, error_kind, error_message) VALUES ${values.join(', ')}`, params);
      }
      const params: unknown[] = [s.workerId];
      const values = batch.map((o) => {
        params.push(o.id, o.status, o.held, o.attempted, o.nextAttemptAt, o.lastStatus, o.lastError, o.deliveredAt);
        const n = params.length - 8;
        return `(CAST($${n + 1} AS TEXT), CAST($${n + 2} AS TEXT), CAST($${n + 3} AS INTEGER), CAST($${n + 4} AS INTEGER), CAST($${n + 5} AS BIGINT), CAST($${n + 6} AS INTEGER), CAST($${n + 7} AS TEXT), CAST($${n + 8} AS BIGINT))`;
      });
      // One statement for the whole batch; only rows still leased to this worker change.
      await tx.execute(
        `UPDATE webhook_deliveries AS d SET
           status = v.column2, held = v.column3, attempts = d.attempts + v.column4, next_attempt_at = v.column5,
           last_status = CASE WHEN v.column4 = 1 THEN v.column6 ELSE d.last_status END,
           last_error = CASE WHEN v.column4 = 1 OR v.column7 IS NOT NULL THEN v.column7 ELSE d.last_error END,
           delivered_at = v.column8, lease_until = NULL, worker = NULL
         FROM (VALUES ${values.join(', ')}) AS v
         WHERE d.id = v.column1 AND d.worker = $1 AND d.status = 'in_flight'`,
        params,
      );
      await this.recordHealth(tx, batch, stopped);
      // Claim the next batch in the same commit: on SQLite each commit is an fsync.
      if (this.running && this.hasRoom()) claimed = await this.claimRows(tx, Math.min(s.batchSize, s.concurrency + s.batchSize - this.held));
    });
    this.enqueue(claimed);
    for (const x of stopped) {
      this.stoppedSubs.add(x.id);
      this.hook(() => this.metrics?.onSubscriptionStopped?.(x.status));
      this.logger?.warn({ subscriptionId: x.id, status: x.status }, x.status === 'paused' ? 'webhook subscription paused: endpoint failing' : 'webhook subscription disabled: endpoint answered 410 Gone');
    }
  }

  /** Endpoint health: consecutive failures per subscription, pausing after sustained failure, disabling on 410. */
  private async recordHealth(tx: SqlExecutor, batch: Outcome[], stopped: { id: string; status: 'paused' | 'disabled' }[]): Promise<void> {
    const s = this.settings;
    const now = this.clock.now();
    const bySub = new Map<string, Outcome[]>();
    for (const o of batch) {
      if (!o.attempt) continue;
      let l = bySub.get(o.subscriptionId);
      if (!l) bySub.set(o.subscriptionId, (l = []));
      l.push(o);
    }
    for (const [subId, list] of bySub) {
      if (list.some((o) => o.gone)) {
        const r = await tx.execute(
          "UPDATE webhook_subscriptions SET active = 0, status = 'disabled', disabled_reason = $2, draining = 0, updated_at = $3 WHERE id = $1 AND status <> 'disabled'",
          [subId, 'endpoint answered 410 Gone', now],
        );
        await tx.execute("UPDATE webhook_deliveries SET held = 1 WHERE subscription_id = $1 AND status = 'pending'", [subId]);
        if (r.rowCount) stopped.push({ id: subId, status: 'disabled' });
        continue;
      }
      list.sort((a, b) => a.attempt!.at - b.attempt!.at);
      let lastOk = -1;
      list.forEach((o, i) => {
        if (o.status === 'delivered') lastOk = i;
      });
      const failures = list.slice(lastOk + 1);
      if (lastOk >= 0) {
        if (failures.length) {
          await tx.execute('UPDATE webhook_subscriptions SET failure_count = $2, first_failure_at = $3 WHERE id = $1', [subId, failures.length, failures[0].attempt!.at]);
        } else {
          await tx.execute('UPDATE webhook_subscriptions SET failure_count = 0, first_failure_at = NULL WHERE id = $1 AND failure_count <> 0', [subId]);
        }
      } else {
        await tx.execute('UPDATE webhook_subscriptions SET failure_count = failure_count + $2, first_failure_at = COALESCE(first_failure_at, $3) WHERE id = $1', [
          subId,
          failures.length,
          failures[0].attempt!.at,
        ]);
      }
      if (!failures.length) continue;
      const paused = await tx.query<{ id: string }>(
        "UPDATE webhook_subscriptions SET status = 'paused', disabled_reason = $2, draining = 0, updated_at = $3 WHERE id = $1 AND status = 'active' AND failure_count >= $4 AND first_failure_at <= $5 RETURNING id",
        [subId, 'endpoint failing: every attempt failed for the health window', now, s.minFailures, now - s.pauseAfterMs],
      );
      if (paused.length) {
        await tx.execute("UPDATE webhook_deliveries SET held = 1 WHERE subscription_id = $1 AND status = 'pending'", [subId]);
        stopped.push({ id: subId, status: 'paused' });
      }
    }
  }

  private async heartbeat(): Promise<void> {
    if (!this.running || this.held === 0) return;
    try {
      await this.db.execute("UPDATE webhook_deliveries SET lease_until = $1 WHERE worker = $2 AND status = 'in_flight'", [this.clock.now() + this.settings.leaseMs, this.settings.workerId]);
    } catch (e) {
      this.logger?.warn({ err: errText(e) }, 'webhook lease renewal failed');
    }
  }

  /** Hands rows whose lease expired (their worker died) back to the queue; they are resent with the same webhook-id. */
  private async recoverLeases(): Promise<void> {
    try {
      const r = await this.db.execute("UPDATE webhook_deliveries SET status = 'pending', lease_until = NULL, worker = NULL WHERE status = 'in_flight' AND lease_until < $1", [this.clock.now()]);
      if (r.rowCount) this.logger?.info({ count: r.rowCount }, 'recovered webhook deliveries from expired leases');
    } catch (e) {
      this.logger?.warn({ err: errText(e) }, 'webhook lease recovery failed');
    }
  }

  /** Releases a resumed subscription's backlog at `drainRatePerSecond`; one worker wins each second across processes. */
  private async drainTick(): Promise<void> {
    if (!this.running) return;
    try {
      const now = this.clock.now();
      const subs = await this.db.query<{ id: string }>('SELECT id FROM webhook_subscriptions WHERE draining = 1 AND drain_next_at <= $1', [now]);
      for (const { id } of subs) {
        const won = await this.db.execute('UPDATE webhook_subscriptions SET drain_next_at = $2 WHERE id = $1 AND draining = 1 AND drain_next_at <= $3', [id, now + 1000, now]);
        if (!won.rowCount) continue;
        const released = await this.db.execute(
          `UPDATE webhook_deliveries SET held = 0 WHERE id IN (SELECT id FROM webhook_deliveries${this.indexedBy('webhook_deliveries_held')} WHERE subscription_id = $1 AND status = 'pending' AND held = 1 ORDER BY next_attempt_at, id LIMIT $2)`,
          [id, this.settings.drainRatePerSecond],
        );
        if (released.rowCount < this.settings.drainRatePerSecond) {
          await this.db.execute(
            "UPDATE webhook_subscriptions SET draining = 0 WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM webhook_deliveries WHERE subscription_id = $1 AND status = 'pending' AND held = 1)",
            [id],
          );
        }
        if (released.rowCount && this.waitMode === 'poll') this.wake?.();
      }
    } catch (e) {
      this.logger?.warn({ err: errText(e) }, 'webhook drain tick failed');
    }
  }
}

function errText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}
