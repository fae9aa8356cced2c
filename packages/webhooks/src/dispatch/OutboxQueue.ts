import type { Clock } from '@relaypoint/core';
import { jsonList, LeaseTable, type Database, type SqlExecutor } from '@relaypoint/store';
import { jsonRows } from '../store/jsonRows.js';
import { parsePreviousSecrets, type PreviousSecret } from '../store/rows.js';
import type { ClaimedDelivery, ClaimedRow, SubscriptionSnapshot } from './ClaimedDelivery.js';
import type { DispatchResult } from './DispatchResult.js';
import type { ClaimRoom } from './Scheduler.js';

/** Settings of an {@link OutboxQueue}. */
export interface OutboxQueueSettings {
  /** Identifies this process in leases. */
  workerId: string;
  /** How long a claim is held before another worker may take it over, ms. */
  leaseMs: number;
  /** Rows one subscription gets in a claim when it has no room recorded (twice its concurrency cap). */
  roomFloor: number;
}

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

/**
 * The previous secrets, plus the one in the layout before migration 4 when it is not among them: a process still on
 * the previous version, during a rolling deploy, rotates by writing only that column.
 */
function withLegacyPrevious(list: PreviousSecret[], secret: string | null, expiresAt: number | string | null): PreviousSecret[] {
  if (secret === null || expiresAt === null || list.some((previous) => previous.secret === secret)) return list;
  return [{ secret, expiresAt: Number(expiresAt) }, ...list];
}

/** The lease is held only while a row is `in_flight`: a claim sets it, renewals and take-overs look for it. */
const IN_FLIGHT = { sql: "status = 'in_flight'" };
/**
 * Rows waiting to be sent. The partial indexes the claim walks
 * (`webhook_deliveries_due`, `webhook_deliveries_due_sub`) have exactly this condition: SQLite uses one only when the
 * query repeats it word for word.
 */
const PENDING = "status = 'pending' AND held = 0";
/** Pending rows whose time has come (`$1`: now). */
const DUE = `${PENDING} AND next_attempt_at <= $1`;

/**
 * The outbox as a queue of leased work over the store's {@link LeaseTable}
 * (`worker` owns a row until `lease_until`): claims due deliveries fairly
 * across subscriptions under this process' lease, records their results
 * (which ends the lease), renews the leases it holds and hands expired ones
 * back. Every statement runs on the executor it is given (the dispatcher's
 * group commit, or a transaction of it).
 */
export class OutboxQueue {
  /** Where the next fair-claim scan of subscriptions resumes (`''`: from the first). */
  private fairCursor = '';
  private readonly leases: LeaseTable;
  private readonly roomFloor: number;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    settings: OutboxQueueSettings,
  ) {
    this.roomFloor = settings.roomFloor;
    this.leases = new LeaseTable(db, {
      table: 'webhook_deliveries',
      ownerColumn: 'worker',
      leaseUntilColumn: 'lease_until',
      releasedLeaseUntil: null,
      owner: settings.workerId,
      leaseMs: settings.leaseMs,
      clock,
    });
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
  async claim(tx: SqlExecutor, limit: number, { room, full }: ClaimRoom): Promise<ClaimedDelivery[]> {
    const now = this.clock.now();
    const candidates = await this.leases.candidates<ClaimedRow>(
      {
        columns: 'id, subscription_id, event_key, event_type, attempts',
        where: { sql: `${DUE} AND subscription_id NOT IN (${jsonList(this.db.dialect, '$2')})`, params: [now, JSON.stringify(full)] },
        orderBy: 'next_attempt_at',
        limit: limit * 2,
        sqliteIndex: 'webhook_deliveries_due',
      },
      tx,
    );
    if (!candidates.length) return [];
    const floor = this.roomFloor;
    const rows: ClaimedRow[] = [];
    for (const candidate of candidates) {
      const left = room.get(candidate.subscription_id) ?? floor;
      if (left <= 0 || rows.length >= limit) continue;
      room.set(candidate.subscription_id, left - 1);
      rows.push(candidate);
    }
    // Chosen in this transaction (SQLite: under its write lock; PostgreSQL: locked FOR UPDATE), so the lease takes all
    // of them; only what it took is sent, in the order chosen.
    const claimed = await this.leases.claimIds<{ id: string }>(
      rows.map((row) => row.id),
      { set: IN_FLIGHT },
      tx,
    );
    const leased = new Set(claimed.map((row) => row.id));
    const chosen = leased.size === rows.length ? rows : rows.filter((row) => leased.has(row.id));
    if (rows.length < limit && candidates.length >= limit * 2) {
      const served = new Set([...full, ...candidates.map((candidate) => candidate.subscription_id)]);
      chosen.push(...(await this.claimOthers(tx, now, served, room, limit - rows.length)));
    }
    return this.load(tx, chosen);
  }

  /** The event bodies and subscriptions of claimed rows. */
  private async load(tx: SqlExecutor, rows: ClaimedRow[]): Promise<ClaimedDelivery[]> {
    const dialect = this.db.dialect;
    const keys = [...new Set(rows.map((row) => row.event_key))];
    const subscriptionIds = [...new Set(rows.map((row) => row.subscription_id))];
    const events = await tx.query<{ key: string; body: string }>(
      `SELECT key, body FROM webhook_events WHERE key IN (${jsonList(dialect, '$1')})`,
      [JSON.stringify(keys)],
    );
    type SubscriptionColumns = Omit<SubscriptionSnapshot, 'previous'> & {
      previous_secrets: string | null;
      previous_secret: string | null;
      previous_expires_at: number | string | null;
    };
    const subscriptions = await tx.query<SubscriptionColumns>(
      `SELECT id, url, secret, previous_secrets, previous_secret, previous_expires_at, status, deleted_at FROM webhook_subscriptions WHERE id IN (${jsonList(dialect, '$1')})`,
      [JSON.stringify(subscriptionIds)],
    );
    const bodies = new Map(events.map((event) => [event.key, event.body]));
    const byId = new Map(
      subscriptions.map(({ previous_secrets, previous_secret, previous_expires_at, ...columns }): [string, SubscriptionSnapshot] => [
        columns.id,
        { ...columns, previous: withLegacyPrevious(parsePreviousSecrets(previous_secrets), previous_secret, previous_expires_at) },
      ]),
    );
    return rows.map((row) => ({
      row: { ...row, attempts: Number(row.attempts) },
      body: bodies.get(row.event_key),
      subscription: byId.get(row.subscription_id),
    }));
  }

  /**
   * Leases the oldest due rows of subscriptions not in `served`, up to each
   * one's room (at most the floor) and `limit` in all, found without walking
   * anyone's backlog: a skip scan lists the subscriptions with pending rows
   * (at most {@link FAIR_SCAN} per claim, resuming where the last one stopped
   * so every subscription gets its turn), then the store's fair claim reads
   * each one's due rows from the head of its own index range.
   */
  private async claimOthers(
    tx: SqlExecutor,
    now: number,
    served: Set<string>,
    room: Map<string, number>,
    limit: number,
  ): Promise<ClaimedRow[]> {
    const scan = (after: string, max: number) =>
      this.leases.groupKeys(
        { groupColumn: 'subscription_id', where: { sql: PENDING }, after, limit: max, sqliteIndex: 'webhook_deliveries_due_sub' },
        tx,
      );
    const from = this.fairCursor;
    let found = await scan(from, FAIR_SCAN);
    this.fairCursor = found.length >= FAIR_SCAN ? found[found.length - 1] : '';
    // Wrapped around: the subscriptions before where this scan started.
    if (found.length < FAIR_SCAN && from !== '') found = found.concat(await scan('', FAIR_SCAN - found.length));
    const floor = this.roomFloor;
    const groups = [...new Set(found)]
      .filter((id) => !served.has(id))
      .map((key) => ({ key, limit: Math.min(floor, room.get(key) ?? floor) }));
    if (!groups.length) return [];
    const rows = await this.leases.claimPerGroup<ClaimedRow>(
      {
        groupColumn: 'subscription_id',
        groups,
        where: { sql: DUE, params: [now] },
        orderBy: 'next_attempt_at',
        limit,
        set: IN_FLIGHT,
        sqliteIndex: 'webhook_deliveries_due_sub',
      },
      tx,
    );
    return rows.map(({ id, subscription_id, event_key, event_type, attempts }) => ({
      id,
      subscription_id,
      event_key,
      event_type,
      attempts,
    }));
  }

  /** Records a batch of results and ends their leases: one statement for the attempts, one for the rows, one for the leases. */
  async record(tx: SqlExecutor, batch: readonly DispatchResult[]): Promise<void> {
    const dialect = this.db.dialect;
    const attempts: unknown[][] = [];
    for (const result of batch) {
      const attempt = result.attempt;
      if (!attempt) continue;
      attempts.push([
        result.id,
        attempt.at,
        attempt.statusCode ?? null,
        attempt.latencyMs,
        attempt.responseBody,
        attempt.errorKind ?? null,
        attempt.errorKind ? (attempt.errorMessage ?? null) : null,
      ]);
    }
    if (attempts.length) {
      await tx.execute(
        `INSERT INTO webhook_attempts (delivery_id, at, status_code, latency_ms, response_body, error_kind, error_message)
         SELECT delivery_id, at, status_code, latency_ms, response_body, error_kind, error_message FROM ${jsonRows(dialect, '$1', ATTEMPT_COLUMNS)} AS a`,
        [JSON.stringify(attempts)],
      );
    }
    const rows = batch.map((result) => [
      result.id,
      result.status,
      result.held,
      result.attempted,
      result.nextAttemptAt,
      result.lastStatus,
      result.lastError,
      result.deliveredAt,
    ]);
    // Only rows still leased to this worker change. SQLite must find them by
    // primary key from the batch; offered the status term it walks every row
    // in flight once per batch row instead (the unary + hides it from the planner).
    // A row going back to pending is held exactly when its subscription is not
    // active now (a deleted one's rows stay claimable, to be recorded failed): the result was decided on the subscription as it was at
    // claim time, and a row released held after the user re-enabled it (the
    // drain having already found nothing held) would never be sent. A 410 or
    // a pause decided in this batch holds the rows again (EndpointHealth.record).
    const plain = dialect === 'sqlite' ? '+' : '';
    await tx.execute(
      `UPDATE webhook_deliveries AS d SET
         status = v.status,
         held = CASE WHEN v.status <> 'pending' THEN v.held
                     WHEN EXISTS (SELECT 1 FROM webhook_subscriptions AS s WHERE s.id = d.subscription_id AND s.deleted_at IS NULL AND s.status <> 'active') THEN 1 ELSE 0 END,
         attempts = d.attempts + v.attempted, next_attempt_at = v.next_attempt_at,
         last_status = CASE WHEN v.attempted = 1 THEN v.last_status ELSE d.last_status END,
         last_error = CASE WHEN v.attempted = 1 OR v.last_error IS NOT NULL THEN v.last_error ELSE d.last_error END,
         delivered_at = v.delivered_at
       FROM ${jsonRows(dialect, '$2', RESULT_COLUMNS)} AS v
       WHERE d.id = v.id AND ${plain}d.worker = $1 AND ${plain}d.status = 'in_flight'`,
      [this.leases.owner, JSON.stringify(rows)],
    );
    await this.leases.release(
      batch.map((result) => result.id),
      {},
      tx,
    );
  }

  /** The subscriptions among `ids` as they are in the store now (deleted ones included; gone ones absent). */
  async subscriptionsNow(tx: SqlExecutor, ids: readonly string[]): Promise<Map<string, Omit<SubscriptionSnapshot, 'previous'>>> {
    const rows = await tx.query<Omit<SubscriptionSnapshot, 'previous'>>(
      `SELECT id, url, secret, status, deleted_at FROM webhook_subscriptions WHERE id IN (${jsonList(this.db.dialect, '$1')})`,
      [JSON.stringify(ids)],
    );
    return new Map(rows.map((row) => [row.id, row]));
  }

  /** Extends the lease of every row this process holds. */
  async renewLeases(executor: SqlExecutor): Promise<void> {
    await this.leases.renew(undefined, { where: IN_FLIGHT }, executor);
  }

  /** Hands rows whose lease expired (their worker died) back to the queue; they are resent with the same webhook-id. Returns how many. */
  async takeOverExpired(executor: SqlExecutor): Promise<number> {
    return this.leases.releaseExpired({ where: IN_FLIGHT, set: { sql: "status = 'pending'" } }, executor);
  }
}
