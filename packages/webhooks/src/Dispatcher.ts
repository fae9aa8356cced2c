import type { Clock, Logger } from '@relaypoint/core';
import type { Database, SqlExecutor } from '@relaypoint/store';
import type { HttpSender, SendResult } from './HttpSender.js';
import { buildHeaders } from './signing.js';
import { jsonList, jsonRows } from './store/jsonRows.js';
import { parsePreviousSecrets, type PreviousSecret } from './store/rows.js';
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

/** What sending needs of a subscription, as read at claim time. */
interface SubInfo {
  id: string;
  url: string;
  secret: string;
  /** Rotated-out secrets, newest first, parsed once per claim (expired ones are skipped at signing). */
  previous: readonly PreviousSecret[];
  status: string;
  deleted_at: number | null;
}

const NO_SECRETS: readonly string[] = Object.freeze([]);

/**
 * The previous secrets, plus the one in the layout before migration 4 when it is not among them: a process still on
 * the previous version, during a rolling deploy, rotates by writing only that column.
 */
function withLegacyPrevious(list: PreviousSecret[], secret: string | null, expiresAt: number | string | null): PreviousSecret[] {
  if (secret === null || expiresAt === null || list.some((p) => p.secret === secret)) return list;
  return [{ secret, expiresAt: Number(expiresAt) }, ...list];
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
  /** For a row going back to `pending`, only what this worker saw: recording holds it when its subscription is not active then. */
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

/**
 * How long results wait to be committed together, ms. Every commit costs a
 * WAL sync on SQLite (`synchronous=FULL`) and its statements run on the
 * store's thread: one commit per interval instead of one per few dozen
 * results keeps that cost per delivery small. A result waiting here is still `in_flight`
 * under this worker's lease, so a crash before the commit resends it (at
 * least once), never loses it.
 */
const COMMIT_INTERVAL_MS = 50;

/**
 * Subscriptions with pending rows a claim looks at beyond the due-order
 * read, when that read was all other subscriptions' backlogs (one index seek
 * each); the next claim resumes after the last one.
 */
const FAIR_SCAN = 256;

const ATTEMPT_COLUMNS = [
  ['delivery_id', 'text'],
  ['at', 'bigint'],
  ['status_code', 'integer'],
  ['latency_ms', 'integer'],
  ['response_body', 'text'],
  ['error_kind', 'text'],
  ['error_message', 'text'],
] as const;

const RESULT_COLUMNS = [
  ['id', 'text'],
  ['status', 'text'],
  ['held', 'integer'],
  ['attempted', 'integer'],
  ['next_attempt_at', 'bigint'],
  ['last_status', 'integer'],
  ['last_error', 'text'],
  ['delivered_at', 'bigint'],
] as const;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref?.());

/**
 * The delivery loop of one process, built around one store transaction at a
 * time (group commit): each transaction records every result waiting (one
 * multi-row statement per table), applies endpoint health, and claims the
 * next rows under a lease, topping up a local queue so senders never wait
 * for a claim. It runs every {@link COMMIT_INTERVAL_MS}, sooner when the
 * queue runs low or many results wait. Leases are renewed while this process
 * lives, so a claim held longer than one request is never taken over.
 *
 * Memory stays flat whatever the backlog: at most `2 × concurrency +
 * 8 × batchSize` rows are queued, plus those in flight and their results
 * awaiting the next commit; rows are read from the store a batch at a time.
 */
export class Dispatcher {
  private running = false;
  private closed = false;
  private pumpDone: Promise<void> = Promise.resolve();
  private readonly queues = new Map<string, Job[]>();
  private readonly inflightBySub = new Map<string, number>();
  /** Completions per subscription since the last claim: a fast endpoint may queue more ahead than a slow one. */
  private readonly doneBySub = new Map<string, number>();
  /** Rows a subscription may have queued here (at least twice its cap; more for one that drains fast). */
  private readonly allowanceBySub = new Map<string, number>();
  private readonly stoppedSubs = new Set<string>();
  private inflight = 0;
  private queued = 0;
  private results: Outcome[] = [];
  /** When the oldest result not yet committed arrived (`performance.now()`), or null. */
  private resultsSince: number | null = null;
  /** The last claim filled what it asked for: more rows may be due right now. */
  private moreDue = true;
  private nextPollAt = 0;
  private wake: (() => void) | null = null;
  /** The pump sleeps until a deadline that already counts the results waiting. */
  private sleepingOnResults = false;
  private timers: NodeJS.Timeout[] = [];
  private readonly idle = new Set<() => void>();
  private readonly maxQueued: number;
  private readonly lowWater: number;
  /** Where the next fair-claim scan of subscriptions resumes (`''`: from the first). */
  private fairCursor = '';
  /** When the subscriptions of the claims queued here were last compared with the store (`performance.now()`). */
  private queuedCheckedAt = 0;

  constructor(
    private readonly db: Database,
    private readonly sender: HttpSender,
    private readonly clock: Clock,
    private readonly settings: DispatcherSettings,
    private readonly logger: Logger | undefined,
    private readonly metrics: WebhookMetrics | undefined,
  ) {
    this.maxQueued = 2 * settings.concurrency + 8 * settings.batchSize;
    // Refill while half the queue is left: a transaction takes milliseconds, and senders must not run dry meanwhile.
    this.lowWater = Math.max(settings.concurrency, Math.floor(this.maxQueued / 2));
  }

  start(): void {
    if (this.running || this.closed) return;
    this.running = true;
    const s = this.settings;
    this.timers.push(setInterval(() => void this.heartbeat(), Math.max(100, Math.floor(s.leaseMs / 3))));
    this.timers.push(setInterval(() => void this.recoverLeases(), Math.max(100, Math.floor(s.leaseMs / 2))));
    this.timers.push(setInterval(() => void this.drainTick(), Math.max(50, Math.min(1000, s.pollIntervalMs))));
    this.pumpDone = this.pump();
  }

  async stop(graceMs = 10_000): Promise<void> {
    if (this.closed) return;
    this.running = false;
    this.wake?.();
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.pumpDone;
    // Claims not started yet go back to the queue straight away.
    for (const [subId, q] of this.queues) for (const j of q) this.pushResult(this.release(j.row.id, subId, 0));
    this.queues.clear();
    this.queued = 0;
    if (this.inflight > 0) {
      await Promise.race([new Promise<void>((r) => this.idle.add(r)), sleep(graceMs)]);
    }
    await this.flushAll();
    // Requests still running past the grace period keep their lease: another worker resends them after it expires.
    this.closed = true;
    await this.sender.close(this.inflight > 0);
  }

  /**
   * A subscription was changed on this process (disabled, deleted, its URL
   * or secret changed): its claims queued here and not started yet go back
   * to the store now (a deleted one's are recorded failed), to be claimed
   * again with what it is now, instead of being sent with what it was when
   * they were claimed. Requests already sent cannot be called back. Another
   * process hears of the change when it next compares its queued claims
   * with the store, within `pollIntervalMs` (see {@link changedElsewhere}).
   */
  subscriptionChanged(id: string, change: { deleted?: boolean } = {}): void {
    const q = this.queues.get(id);
    if (!q) return;
    this.queues.delete(id);
    this.queued -= q.length;
    for (const j of q) {
      const released = this.release(j.row.id, id, 0);
      this.pushResult(change.deleted ? { ...released, status: 'failed', held: 1, lastError: 'subscription deleted' } : released);
    }
  }

  /** Rows held by this process (queued or in flight), for tests and stats. */
  get held(): number {
    return this.queued + this.inflight;
  }

  /** Runs one store transaction at a time: records results and claims, as soon as worthwhile, else at the next deadline. */
  private async pump(): Promise<void> {
    await this.recoverLeases();
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
    const n = this.results.length;
    if (n >= this.maxQueued) return 0;
    // Senders are about to run dry and a claim can refill them. A low queue
    // alone is no reason: when the last claim got all there was (or all the
    // capped endpoints may take), results wait for the interval.
    if (this.queued < this.lowWater && this.moreDue) return 0;
    let wait = Infinity;
    if (n > 0 && this.resultsSince !== null) wait = this.resultsSince + COMMIT_INTERVAL_MS - now;
    if (!this.moreDue && this.queued < this.lowWater) wait = Math.min(wait, this.nextPollAt - now);
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
    const n = this.results.length;
    if (n >= this.maxQueued || (this.queued < this.lowWater && this.moreDue) || (n > 0 && !this.sleepingOnResults)) this.wake();
  }

  private pushResult(outcome: Outcome): void {
    if (!this.results.length) this.resultsSince = performance.now();
    this.results.push(outcome);
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
    const limit = claim && this.running ? this.maxQueued - this.queued : 0;
    const stopped: { id: string; status: 'paused' | 'disabled' }[] = [];
    let claimed: Job[] = [];
    const recheck = this.queues.size > 0 && performance.now() - this.queuedCheckedAt >= this.settings.pollIntervalMs;
    let changed: { id: string; deleted: boolean }[] = [];
    try {
      await this.db.transaction(async (tx) => {
        if (batch.length) await this.record(tx, batch, stopped);
        if (recheck) changed = await this.changedElsewhere(tx);
        if (limit > 0) claimed = await this.claimRows(tx, limit);
      });
    } catch (e) {
      this.logger?.error({ err: errText(e), results: batch.length }, 'webhook store transaction failed; will retry');
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
    for (const c of changed) this.subscriptionChanged(c.id, { deleted: c.deleted });
    for (const x of stopped) {
      this.stoppedSubs.add(x.id);
      this.hook(() => this.metrics?.onSubscriptionStopped?.(x.status));
      this.logger?.warn({ subscriptionId: x.id, status: x.status }, x.status === 'paused' ? 'webhook subscription paused: endpoint failing' : 'webhook subscription disabled: endpoint answered 410 Gone');
    }
    this.enqueue(claimed);
  }

  private async flushAll(): Promise<void> {
    for (let i = 0; i < 20 && this.results.length; i++) {
      await this.commit(false);
    }
  }

  /**
   * The subscriptions of the claims queued here that another process has
   * changed since they were claimed (deleted, disabled or paused, their URL
   * or secret changed). This process' own changes reach
   * {@link subscriptionChanged} at once; another's only through the store,
   * so they are looked up every `pollIntervalMs` while anything is queued.
   * A status this process set itself (it paused or disabled the endpoint) is
   * not a change: those claims are held when their turn comes.
   */
  private async changedElsewhere(tx: SqlExecutor): Promise<{ id: string; deleted: boolean }[]> {
    const ids = [...this.queues.keys()];
    const rows = await tx.query<{ id: string; url: string; secret: string; status: string; deleted_at: number | string | null }>(
      `SELECT id, url, secret, status, deleted_at FROM webhook_subscriptions WHERE id IN (${jsonList(this.db.dialect, '$1')})`,
      [JSON.stringify(ids)],
    );
    const current = new Map(rows.map((r) => [r.id, r]));
    const changed: { id: string; deleted: boolean }[] = [];
    for (const id of ids) {
      const is = current.get(id);
      const was = (this.queues.get(id) ?? []).map((j) => j.sub).filter((x): x is SubInfo => x !== undefined && x.deleted_at === null);
      if (!was.length) continue; // claimed for a subscription already gone: recorded failed when its turn comes
      if (!is || is.deleted_at !== null) {
        changed.push({ id, deleted: true });
        continue;
      }
      const ownStop = this.stoppedSubs.has(id) && is.status !== 'active';
      if (was.some((w) => w.url !== is.url || w.secret !== is.secret || (w.status !== is.status && !ownStop))) changed.push({ id, deleted: false });
    }
    return changed;
  }

  /** How many more rows each subscription may queue here (at least twice its cap; more for one that drains fast). */
  private claimRoom(): { room: Map<string, number>; full: string[] } {
    const cap = this.settings.perSubscriptionConcurrency;
    const floor = 2 * cap;
    // Roughly two commit intervals of what each endpoint completed, decaying by half per claim when it completes nothing.
    for (const [sub, a] of this.allowanceBySub) {
      if (this.doneBySub.has(sub)) continue;
      const next = Math.max(floor, Math.floor(a / 2));
      if (next === floor && !this.queues.has(sub)) this.allowanceBySub.delete(sub);
      else this.allowanceBySub.set(sub, next);
    }
    for (const [sub, done] of this.doneBySub) {
      const prev = this.allowanceBySub.get(sub) ?? floor;
      this.allowanceBySub.set(sub, Math.min(this.maxQueued, Math.max(floor, 2 * done, Math.floor(prev / 2))));
    }
    this.doneBySub.clear();
    const room = new Map<string, number>();
    const full: string[] = [];
    for (const sub of new Set([...this.queues.keys(), ...this.allowanceBySub.keys()])) {
      const left = (this.allowanceBySub.get(sub) ?? floor) - (this.queues.get(sub)?.length ?? 0);
      room.set(sub, left);
      if (left <= 0) full.push(sub);
    }
    return { room, full };
  }

  /**
   * Claims up to `limit` due rows inside `tx` and loads what sending them
   * needs. Candidates are read in due order (PostgreSQL: locked, skipping
   * rows another worker holds), skipping subscriptions whose local queue is
   * full; each subscription then gets at most its room. When that read was
   * all taken up by a few subscriptions' backlogs (it stopped at its limit
   * and the claim is still short), the other subscriptions with due rows get
   * their oldest ones too ({@link claimOthers}): otherwise a backlog that
   * drains at normal speed, always a place or two short of full, would fill
   * every claim and another tenant's fresh event would wait behind all of
   * it. The chosen rows are leased by primary key. Choosing in code keeps
   * the statements plain index walks.
   */
  private async claimRows(tx: SqlExecutor, limit: number): Promise<Job[]> {
    const s = this.settings;
    const d = this.db.dialect;
    const now = this.clock.now();
    const { room, full } = this.claimRoom();
    const lock = d === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
    const candidates = await tx.query<ClaimedRow>(
      `SELECT id, subscription_id, event_key, event_type, attempts FROM webhook_deliveries${this.indexedBy('webhook_deliveries_due')}
       WHERE status = 'pending' AND held = 0 AND next_attempt_at <= $1 AND subscription_id NOT IN (${jsonList(d, '$2')})
       ORDER BY next_attempt_at LIMIT $3${lock}`,
      [now, JSON.stringify(full), limit * 2],
    );
    if (!candidates.length) return [];
    const floor = 2 * s.perSubscriptionConcurrency;
    const rows: ClaimedRow[] = [];
    const take = (c: ClaimedRow): void => {
      const left = room.get(c.subscription_id) ?? floor;
      if (left <= 0 || rows.length >= limit) return;
      room.set(c.subscription_id, left - 1);
      rows.push(c);
    };
    for (const c of candidates) take(c);
    if (rows.length < limit && candidates.length >= limit * 2) {
      const served = new Set([...full, ...candidates.map((c) => c.subscription_id)]);
      for (const c of await this.claimOthers(tx, now, served, floor)) take(c);
    }
    // The rows were read in this transaction (SQLite: under its write lock; PostgreSQL: locked FOR UPDATE), so all of them change.
    await tx.execute(`UPDATE webhook_deliveries SET status = 'in_flight', lease_until = $1, worker = $2 WHERE id IN (${jsonList(d, '$3')})`, [
      now + s.leaseMs,
      s.workerId,
      JSON.stringify(rows.map((r) => r.id)),
    ]);
    const keys = [...new Set(rows.map((r) => r.event_key))];
    const subIds = [...new Set(rows.map((r) => r.subscription_id))];
    const events = await tx.query<{ key: string; body: string }>(`SELECT key, body FROM webhook_events WHERE key IN (${jsonList(d, '$1')})`, [JSON.stringify(keys)]);
    const subs = await tx.query<Omit<SubInfo, 'previous'> & { previous_secrets: string | null; previous_secret: string | null; previous_expires_at: number | string | null }>(
      `SELECT id, url, secret, previous_secrets, previous_secret, previous_expires_at, status, deleted_at FROM webhook_subscriptions WHERE id IN (${jsonList(d, '$1')})`,
      [JSON.stringify(subIds)],
    );
    const bodies = new Map(events.map((e) => [e.key, e.body]));
    const subById = new Map(
      subs.map(({ previous_secrets, previous_secret, previous_expires_at, ...x }): [string, SubInfo] => [
        x.id,
        { ...x, previous: withLegacyPrevious(parsePreviousSecrets(previous_secrets), previous_secret, previous_expires_at) },
      ]),
    );
    return rows.map((row) => ({ row: { ...row, attempts: Number(row.attempts) }, body: bodies.get(row.event_key), sub: subById.get(row.subscription_id) }));
  }

  /**
   * The oldest due rows (up to `perSub` each) of subscriptions not in
   * `served`, found without walking anyone's backlog: a skip scan lists the
   * subscriptions with pending rows (one index seek each, at most
   * {@link FAIR_SCAN} per claim, resuming where the last one stopped so
   * every subscription gets its turn), then each one's due rows are read
   * from the head of its own index range (PostgreSQL: locked, skipping rows
   * another worker holds).
   */
  private async claimOthers(tx: SqlExecutor, now: number, served: Set<string>, perSub: number): Promise<ClaimedRow[]> {
    const bySub = this.indexedBy('webhook_deliveries_due_sub');
    const next = `SELECT MIN(subscription_id) FROM webhook_deliveries${bySub} WHERE status = 'pending' AND held = 0 AND subscription_id >`;
    const scan = (after: string, max: number) =>
      tx.query<{ sub: string }>(
        `WITH RECURSIVE s(sub, n) AS (
           SELECT (${next} $1), 1
           UNION ALL
           SELECT (${next} s.sub), s.n + 1 FROM s WHERE s.sub IS NOT NULL AND s.n < $2
         ) SELECT sub FROM s WHERE sub IS NOT NULL`,
        [after, max],
      );
    const from = this.fairCursor;
    let found = (await scan(from, FAIR_SCAN)).map((r) => r.sub);
    this.fairCursor = found.length >= FAIR_SCAN ? found[found.length - 1] : '';
    if (found.length < FAIR_SCAN && from !== '') {
      // Wrapped around: the subscriptions before where this scan started.
      const rest = await scan('', FAIR_SCAN - found.length);
      found = found.concat(rest.map((r) => r.sub));
    }
    const wanted = [...new Set(found)].filter((x) => !served.has(x));
    if (!wanted.length) return [];
    const columns = 'id, subscription_id, event_key, event_type, attempts, next_attempt_at';
    const due = `subscription_id = s.sub AND status = 'pending' AND held = 0 AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT $3`;
    const rows = await tx.query<ClaimedRow & { next_attempt_at: number }>(
      this.db.dialect === 'postgres'
        ? `SELECT h.* FROM jsonb_array_elements_text(CAST($2 AS jsonb)) AS s(sub)
           CROSS JOIN LATERAL (SELECT ${columns} FROM webhook_deliveries WHERE ${due} FOR UPDATE SKIP LOCKED) AS h`
        : `SELECT h.id, h.subscription_id, h.event_key, h.event_type, h.attempts, h.next_attempt_at FROM (SELECT value AS sub FROM json_each($2)) AS s
           JOIN webhook_deliveries AS h ON h.id IN (SELECT id FROM webhook_deliveries${bySub} WHERE ${due})`,
      [now, JSON.stringify(wanted), perSub],
    );
    rows.sort((x, y) => Number(x.next_attempt_at) - Number(y.next_attempt_at));
    return rows.map(({ id, subscription_id, event_key, event_type, attempts }) => ({ id, subscription_id, event_key, event_type, attempts }));
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
   * SQLite's planner has no statistics unless ANALYZE ran and may prefer
   * another partial index on status, turning an O(batch) claim into a scan of
   * every pending row; pin the due index there. PostgreSQL plans from its own statistics.
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
        void this.run(job).finally(() => this.jobDone(subId));
      }
    }
  }

  private jobDone(subId: string): void {
    this.inflight--;
    const m = (this.inflightBySub.get(subId) ?? 1) - 1;
    if (m <= 0) this.inflightBySub.delete(subId);
    else this.inflightBySub.set(subId, m);
    this.doneBySub.set(subId, (this.doneBySub.get(subId) ?? 0) + 1);
    this.startJobs();
    this.maybeWake();
    if (this.inflight === 0) for (const r of this.idle) r();
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
      const previous = sub.previous.length ? sub.previous.filter((p) => p.expiresAt > now).map((p) => p.secret) : NO_SECRETS;
      const headers = buildHeaders({ msgId: row.id, eventType: row.event_type, body, timestampSec: Math.floor(now / 1000), secret: sub.secret, previousSecrets: previous });
      const res = await this.sender.send(sub.url, headers, body);
      outcome = this.decide(row, res);
    }
    this.pushResult(outcome);
  }

  /** Turns an attempt into the row's next state: delivered, retry later, disabled (410) or failed. */
  private decide(row: ClaimedRow, res: SendResult): Outcome {
    const s = this.settings;
    const attempts = row.attempts + 1;
    const now = this.clock.now();
    const base = { id: row.id, subscriptionId: row.subscription_id, attempted: 1 as const, lastStatus: res.statusCode ?? null, attempt: res };
    const m = this.metrics;
    // Hooks called directly (no closure per delivery); a throwing hook must never break delivery.
    if (m?.onAttempt) {
      try {
        m.onAttempt(res.errorKind && res.errorKind !== 'http_status' ? res.errorKind : (res.statusCode ?? 0), res.latencyMs);
      } catch {
        // ignored
      }
    }
    if (!res.errorKind) {
      if (m?.onDelivered) {
        try {
          m.onDelivered(res.latencyMs);
        } catch {
          // ignored
        }
      }
      return { ...base, status: 'delivered', held: 0, nextAttemptAt: now, lastError: null, deliveredAt: res.at };
    }
    const lastError = res.errorKind === 'http_status' ? `http_status: ${res.statusCode}` : `${res.errorKind}: ${res.errorMessage ?? ''}`.slice(0, 500);
    if (res.statusCode === 410) {
      // Gone: the subscription is disabled; this delivery stays queued (visible, sent again if re-enabled).
      return { ...base, status: 'pending', held: 1, nextAttemptAt: now, lastError, deliveredAt: null, gone: true };
    }
    if (res.blockedDetail !== undefined) {
      // The tenant sees a generic refusal; which internal address the name resolved to is for operators only.
      this.logger?.warn({ deliveryId: row.id, subscriptionId: row.subscription_id, detail: res.blockedDetail }, 'webhook delivery blocked by the SSRF guard');
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

  /** Records a batch of results: one statement for the attempts, one for the rows, then endpoint health. */
  private async record(tx: SqlExecutor, batch: Outcome[], stopped: { id: string; status: 'paused' | 'disabled' }[]): Promise<void> {
    const d = this.db.dialect;
    const attempts: unknown[][] = [];
    for (const o of batch) {
      const a = o.attempt;
      if (a) attempts.push([o.id, a.at, a.statusCode ?? null, a.latencyMs, a.responseBody, a.errorKind ?? null, a.errorKind ? (a.errorMessage ?? null) : null]);
    }
    if (attempts.length) {
      await tx.execute(
        `INSERT INTO webhook_attempts (delivery_id, at, status_code, latency_ms, response_body, error_kind, error_message)
         SELECT delivery_id, at, status_code, latency_ms, response_body, error_kind, error_message FROM ${jsonRows(d, '$1', ATTEMPT_COLUMNS)} AS a`,
        [JSON.stringify(attempts)],
      );
    }
    const rows = batch.map((o) => [o.id, o.status, o.held, o.attempted, o.nextAttemptAt, o.lastStatus, o.lastError, o.deliveredAt]);
    // Only rows still leased to this worker change. SQLite must find them by
    // primary key from the batch; offered the status term it walks every row
    // in flight once per batch row instead (the unary + hides it from the planner).
    // A row going back to pending is held exactly when its subscription is not
    // active now (a deleted one's rows stay claimable, to be recorded failed): the outcome was decided on the subscription as it was at
    // claim time, and a row released held after the user re-enabled it (the
    // drain having already found nothing held) would never be sent. A 410 or
    // a pause decided in this batch holds the rows again below (recordHealth).
    const plain = d === 'sqlite' ? '+' : '';
    await tx.execute(
      `UPDATE webhook_deliveries AS d SET
         status = v.status,
         held = CASE WHEN v.status <> 'pending' THEN v.held
                     WHEN EXISTS (SELECT 1 FROM webhook_subscriptions AS s WHERE s.id = d.subscription_id AND s.deleted_at IS NULL AND s.status <> 'active') THEN 1 ELSE 0 END,
         attempts = d.attempts + v.attempted, next_attempt_at = v.next_attempt_at,
         last_status = CASE WHEN v.attempted = 1 THEN v.last_status ELSE d.last_status END,
         last_error = CASE WHEN v.attempted = 1 OR v.last_error IS NOT NULL THEN v.last_error ELSE d.last_error END,
         delivered_at = v.delivered_at, lease_until = NULL, worker = NULL
       FROM ${jsonRows(d, '$2', RESULT_COLUMNS)} AS v
       WHERE d.id = v.id AND ${plain}d.worker = $1 AND ${plain}d.status = 'in_flight'`,
      [this.settings.workerId, JSON.stringify(rows)],
    );
    await this.recordHealth(tx, batch, stopped);
  }

  private async recordHealth(tx: SqlExecutor, batch: Outcome[], stopped: { id: string; status: 'paused' | 'disabled' }[]): Promise<void> {
    const s = this.settings;
    const now = this.clock.now();
    const bySub = new Map<string, Outcome[]>();
    const healthy: string[] = [];
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
          healthy.push(subId);
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
    // The common case, endpoints whose latest attempt succeeded, in one statement.
    if (healthy.length) {
      await tx.execute(`UPDATE webhook_subscriptions SET failure_count = 0, first_failure_at = NULL WHERE id IN (${jsonList(this.db.dialect, '$1')}) AND failure_count <> 0`, [
        JSON.stringify(healthy),
      ]);
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
          // Not while any of its rows is in flight: one claimed before the
          // re-enable may still come back held (its worker recorded it on the
          // status it read before the re-enable committed).
          await this.db.execute(
            `UPDATE webhook_subscriptions SET draining = 0 WHERE id = $1
               AND NOT EXISTS (SELECT 1 FROM webhook_deliveries${this.indexedBy('webhook_deliveries_held')} WHERE subscription_id = $1 AND status = 'pending' AND held = 1)
               AND NOT EXISTS (SELECT 1 FROM webhook_deliveries${this.indexedBy('webhook_deliveries_lease')} WHERE status = 'in_flight' AND subscription_id = $1)`,
            [id],
          );
        }
        if (released.rowCount) {
          this.moreDue = true;
          this.maybeWake();
        }
      }
    } catch (e) {
      this.logger?.warn({ err: errText(e) }, 'webhook drain tick failed');
    }
  }
}

function errText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}
