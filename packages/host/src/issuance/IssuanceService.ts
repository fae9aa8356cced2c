import { createHash } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ErrorCodes,
  ValidationError,
  isConnectorError,
  pooledRandomBytes,
  validateIssueParams,
  type Clock,
  type IssueParams,
  type IssueRequest,
  type IssueResult,
  type Logger,
  type StatusQuery,
  type StatusResult,
} from '@relaypoint/core';
import type { Database, SqlExecutor } from '@relaypoint/store';
import { GroupCommit } from '@relaypoint/store';
// Spelled as the partial index `issuances_open_due` spells it: SQLite uses that index only for the same terms.
import { OPEN_STATUSES_SQL as OPEN_SQL } from './issuanceMigrations.js';
import type { ConnectorHandle } from '../connectors/ConnectorHandle.js';
import { HostError, HostErrorCodes } from '../HostError.js';
import {
  OPEN_STATUSES,
  toRecord,
  type IssuanceRecord,
  type IssuanceRow,
  type IssuanceStatus,
  type StoredParams,
  type StoredResult,
} from './IssuanceRecord.js';
import { buildRewardIssuedEvent } from './rewardIssuedEvent.js';

/** What POST /v1/issuances carries. */
export interface IssueInput {
  connector: string;
  productId: string;
  customerId: string;
  phoneNumber?: string;
  /** Decimal string in major units. */
  amount: string;
  currency: string;
  reference: string;
  metadata?: Record<string, string>;
}

/** The answer to one issue request. */
export interface IssueOutcome {
  /** The issuance as it stands when the request returns. */
  record: IssuanceRecord;
  /** True when the reference existed already with the same body (idempotent repeat). */
  repeat: boolean;
  /** For a fresh request that ended `failed`: whether the provider refused (`rejected`) or nothing could be sent (`not_sent`). */
  failure?: 'rejected' | 'not_sent';
}

/** Hooks the host maps to Prometheus metrics. */
export interface IssuanceMetrics {
  /** An issuance reached `status` (counted once per transition). */
  onStatus(connector: string, status: IssuanceStatus): void;
  /** A provider call took `seconds`. */
  onProviderCall(connector: string, operation: 'issue' | 'status', seconds: number, outcome: string): void;
  /** The provider reported a success for an issuance already recorded failed. */
  onOutcomeConflict?(connector: string): void;
}

/** The subset of the webhook service the journal needs: the outbox write inside our transaction. */
export interface EventOutbox {
  publishWith(tx: SqlExecutor, tenantId: string, event: { type: string; data: unknown; id?: string }): Promise<unknown>;
}

/** Options of {@link IssuanceService}. */
export interface IssuanceServiceOptions {
  db: Database;
  connectors: ReadonlyMap<string, ConnectorHandle>;
  outbox: EventOutbox;
  /** Checks an event before it joins a transaction, so a schema slip can never block recording a success. */
  validateEvent: (type: string, data: unknown) => string[];
  logger: Logger;
  metrics?: IssuanceMetrics;
  /** This process' id, written as the lease owner. */
  hostId: string;
  clock?: Clock;
  /** How long an issue request waits for a terminal state, ms. */
  waitMs: number;
  /** Lease on a row being worked on, ms. */
  leaseMs: number;
  /** How long a send whose outcome is unknown may still take effect at the provider, ms (see {@link IssuanceService}). */
  settleMs: number;
  /** First re-check delay and reconciler period, ms. */
  intervalMs: number;
  /** Largest re-check delay, ms. */
  maxIntervalMs: number;
  /** Age after which an open issuance needs attention, ms. */
  maxAgeMs: number;
  /** Rows claimed per reconciler pass. */
  batchSize: number;
  /** True when no other process can use the store (SQLite): leftover `in_flight` rows are orphans at start. */
  exclusiveStore: boolean;
}

type Failure = { code: string; message: string };

const RECONCILE_CONCURRENCY = 8;

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function newIssuanceId(): string {
  return `iss_${Date.now().toString(36).padStart(9, '0')}${pooledRandomBytes(8).toString('hex')}`;
}

/** Longest reference a provider accepts (core's reference rule). */
const MAX_PROVIDER_REFERENCE = 100;

/**
 * The reference sent to the provider: the tenant's reference prefixed with
 * the tenant id, so two tenants sharing a provider account can never
 * collide (a provider deduplicating on a bare reference would hand one
 * tenant the other's voucher).
 */
export function providerReference(tenantId: string, reference: string): string {
  return `${tenantId}:${reference}`;
}

/** True when the provider returns the original (or refuses) for a repeated reference, so re-sending cannot issue twice. */
export function repeatIsSafe(handle: ConnectorHandle): boolean {
  const d = handle.plugin.capabilities.duplicateReference;
  return d === 'return-original' || d === 'reject-duplicate';
}

/**
 * The money path. Every issuance is a journal row keyed by (tenant,
 * reference), unique in the store: the intent is committed before the
 * provider call, the result after it, and a success enqueues `reward.issued`
 * in the same transaction as the result. Open rows (`in_flight` with an
 * expired lease, `pending`, `unknown`) are reconciled by reference until
 * they are terminal; a re-send happens only when the plugin says a repeated
 * reference is safe.
 *
 * A send's refusal (or a send that never left) is final only when no earlier
 * send of the reference can still take effect. A send whose outcome is
 * unknown (a timeout after the request left, a reset, a call another host
 * was making when it went silent) may still be processed by the provider
 * for a while: until `settleMs` after it, a later send's failure keeps the
 * row `unknown`, and once that time has passed the provider is asked again
 * by reference. Otherwise a re-send refused while the first request was
 * still being processed (insufficient balance, "recently recharged", an
 * operator outage) would record `failed` for a voucher the provider then
 * issued.
 */
export class IssuanceService {
  private readonly o: IssuanceServiceOptions;
  private readonly clock: Clock;
  private readonly inFlight = new Set<Promise<unknown>>();
  /**
   * Aborted when shutdown gives up on the provider calls still in flight. One for every call, not one per
   * call: each AbortSignal Node makes survives the young-generation collections (see createResilientConnector).
   */
  private readonly shutdown = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<unknown> | undefined;
  private stopped = false;
  private readonly group: GroupCommit;
  /** Issuances whose provider call this process is making, by id: their leases are renewed until it is recorded. */
  private readonly calling = new Set<string>();
  private leaseTimer: NodeJS.Timeout | undefined;
  /** Requests waiting on a row this process may change, by issuance id: woken as soon as it records the change. */
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(options: IssuanceServiceOptions) {
    this.o = options;
    this.clock = options.clock ?? { now: () => Date.now() };
    this.group = new GroupCommit(options.db);
    // Every provider call in flight listens on it; a busy host has far more than Node's default of 10.
    setMaxListeners(0, this.shutdown.signal);
  }

  /** One statement, committed before it resolves: batched with concurrent writes on SQLite (one fsync for many), direct on PostgreSQL. */
  private write<T>(sql: string, params: readonly unknown[]): Promise<T[]> {
    return this.group.query<T>(sql, params);
  }

  /** Rows claimed or sent by this process are marked with this id. */
  get hostId(): string {
    return this.o.hostId;
  }

  /** Number of provider calls this process is waiting on. */
  get inFlightCount(): number {
    return this.inFlight.size;
  }

  private now(): number {
    return this.clock.now();
  }

  private record(row: IssuanceRow): IssuanceRecord {
    return toRecord(row, this.now(), this.o.maxAgeMs);
  }

  private backoff(checks: number): number {
    return Math.min(this.o.intervalMs * 2 ** Math.min(checks, 20), this.o.maxIntervalMs);
  }

  /** Issues once per (tenant, reference); see the class doc for the guarantees. */
  async issue(tenantId: string, input: IssueInput): Promise<IssueOutcome> {
    if (this.stopped) throw new HostError(503, HostErrorCodes.SHUTTING_DOWN, 'the host is shutting down; retry on another instance or later');
    const handle = this.o.connectors.get(input.connector);
    if (!handle) {
      throw new HostError(400, HostErrorCodes.UNKNOWN_CONNECTOR, `no connector named "${input.connector}" is configured`, {
        errors: [`connector: unknown connector "${input.connector}" (configured: ${[...this.o.connectors.keys()].join(', ') || 'none'})`],
      });
    }
    const sentReference = providerReference(tenantId, input.reference);
    if (sentReference.length > MAX_PROVIDER_REFERENCE) {
      const max = MAX_PROVIDER_REFERENCE - tenantId.length - 1;
      throw new HostError(400, ErrorCodes.INVALID_REFERENCE, `reference must be at most ${max} characters for this tenant`, {
        errors: [`body.reference: must be at most ${max} characters (the provider sees "${tenantId}:<reference>", at most ${MAX_PROVIDER_REFERENCE})`],
      });
    }
    const params: IssueParams = {
      productId: input.productId,
      customerId: input.customerId,
      amount: input.amount,
      currency: input.currency,
      reference: sentReference,
      ...(input.phoneNumber !== undefined ? { phoneNumber: input.phoneNumber } : {}),
      ...(input.metadata !== undefined ? { metadata: input.metadata } : {}),
    };
    const req = issueRequest(params, handle);
    const stored: StoredParams = {
      productId: req.productId,
      customerId: req.customerId,
      ...(req.phoneNumber !== undefined ? { phoneNumber: req.phoneNumber } : {}),
      amount: req.amount.decimal,
      currency: req.amount.currency,
      ...(req.metadata !== undefined && Object.keys(req.metadata).length > 0 ? { metadata: req.metadata } : {}),
    };
    const hash = createHash('sha256').update(canonical({ connector: input.connector, ...stored })).digest('hex');
    const now = this.now();
    const id = newIssuanceId();
    // The intent, committed before anything leaves: a crash from here on leaves an `in_flight` row to reconcile.
    // The unique (tenant, reference) key decides, across every host, which request calls the provider.
    const deadline = now + this.o.waitMs;
    // Tracked from here, in the same turn as the `stopped` check: a shutdown that starts while the intent is being
    // written waits for its provider call too, instead of returning before the call starts.
    const sent = await this.track(
      (async () => {
        const inserted = await this.write<{ id: string }>(
          `INSERT INTO issuances (id, tenant_id, reference, connector, request_hash, params, status, sends, checks, lease_owner, lease_until, next_check_at, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, 'in_flight', 1, 0, $7, $8, $8, $9, $9)
           ON CONFLICT (tenant_id, reference) DO NOTHING RETURNING id`,
          [id, tenantId, input.reference, input.connector, hash, JSON.stringify(stored), this.o.hostId, now + this.o.leaseMs, now],
        );
        if (inserted.length === 0) return undefined;
        this.o.metrics?.onStatus(input.connector, 'in_flight');
        // The caller's request log line reports this result, so the journal does not log it a second time.
        return this.send(id, handle, { ...params, amount: stored.amount }, false);
      })(),
    );
    if (!sent) return this.repeat(tenantId, input.reference, hash);
    let row = sent.row;
    if (OPEN_STATUSES.includes(row.status)) row = await this.waitForTerminal(row, deadline);
    return { record: this.record(row), repeat: false, ...(sent.failure && row.status === 'failed' ? { failure: sent.failure } : {}) };
  }

  private async repeat(tenantId: string, reference: string, hash: string): Promise<IssueOutcome> {
    const deadline = this.now() + this.o.waitMs;
    let row = await this.findRow(tenantId, reference);
    if (!row) throw new HostError(409, HostErrorCodes.REFERENCE_CONFLICT, `reference "${reference}" is being recorded; retry`);
    if (row.request_hash !== hash) {
      throw new HostError(409, HostErrorCodes.REFERENCE_CONFLICT, `reference "${reference}" was already used with a different request; nothing was sent`, {
        extra: { reference },
      });
    }
    // Another request (maybe on another host) owns the call: wait for its answer instead of sending.
    if (OPEN_STATUSES.includes(row.status)) row = await this.waitForTerminal(row, deadline);
    return { record: this.record(row), repeat: true };
  }

  private async waitForTerminal(row: IssuanceRow, deadline: number): Promise<IssuanceRow> {
    let delay = 100;
    while (OPEN_STATUSES.includes(row.status) && !this.stopped) {
      const left = deadline - this.now();
      if (left <= 0) break;
      if (row.status === 'in_flight') {
        // Someone is calling the provider for it; the row changes when they are done. When that someone is this
        // process, it wakes us the moment it has recorded the answer; polling covers another host owning the call.
        const woken = await this.changeOf(row.id, Math.min(delay, left));
        if (!woken) delay = Math.min(delay * 2, 1000);
        row = (await this.findById(row.id)) ?? row;
        continue;
      }
      await sleep(Math.min(delay, left));
      delay = Math.min(delay * 2, 1000);
      const handle = this.o.connectors.get(row.connector);
      if (!handle) break;
      // Reads only: re-sending belongs to the reconciler, under its lease.
      row = await this.track(this.check(row, handle, false));
    }
    return row;
  }

  /** Resolves true when this process records a change of the row, or false after `ms`. */
  private changeOf(id: string, ms: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      let set = this.waiters.get(id);
      if (!set) this.waiters.set(id, (set = new Set()));
      const waiting = set;
      const settle = (woken: boolean) => {
        clearTimeout(timer);
        waiting.delete(wake);
        if (waiting.size === 0 && this.waiters.get(id) === waiting) this.waiters.delete(id);
        resolve(woken);
      };
      const wake = () => settle(true);
      const timer = setTimeout(() => settle(false), ms);
      waiting.add(wake);
    });
  }

  /** Wakes the requests waiting on a row this process has just changed (committed). */
  private changed(id: string): void {
    const set = this.waiters.get(id);
    if (set) for (const wake of [...set]) wake();
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inFlight.add(p);
    const done = () => this.inFlight.delete(p);
    p.then(done, done);
    return p;
  }

  /** Calls the provider for a row this process owns, then records what happened. */
  private async send(id: string, handle: ConnectorHandle, params: IssueParams, announce = true): Promise<{ row: IssuanceRow; failure?: 'rejected' | 'not_sent' }> {
    // Until the outcome is recorded, the row's lease is renewed (see renewLeases): a call that retries for longer
    // than the lease must not let a reconciler, here or on another host, re-send the reference meanwhile.
    this.calling.add(id);
    try {
      const started = performance.now();
      let result: IssueResult | undefined;
      let error: unknown;
      try {
        result = await handle.resilient.issue(params, { signal: this.shutdown.signal });
      } catch (e) {
        error = e;
      }
      const outcome = result ? result.status : isConnectorError(error) ? error.outcome : 'error';
      this.o.metrics?.onProviderCall(handle.name, 'issue', (performance.now() - started) / 1000, outcome);
      return await this.applyIssueOutcome(id, handle, result, error, params, announce);
    } finally {
      this.calling.delete(id);
    }
  }

  /**
   * Extends the lease of every row this process is calling the provider
   * for, every third of `leaseMs`: a lease expires only when its owner has
   * stopped (crashed, or stalled for longer than the lease), not because a
   * provider call retried for longer than the lease.
   */
  private async renewLeases(): Promise<void> {
    const ids = [...this.calling];
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const list = chunk.map((_, k) => `$${k + 3}`).join(', ');
      await this.write(
        `UPDATE issuances SET lease_until = $1 WHERE lease_owner = $2 AND status IN ${OPEN_SQL} AND id IN (${list})`,
        [this.now() + this.o.leaseMs, this.o.hostId, ...chunk],
      );
    }
  }

  private async applyIssueOutcome(
    id: string,
    handle: ConnectorHandle,
    result: IssueResult | undefined,
    error: unknown,
    params: IssueParams,
    announce: boolean,
  ): Promise<{ row: IssuanceRow; failure?: 'rejected' | 'not_sent' }> {
    if (result) {
      if (result.status === 'succeeded') return { row: await this.recordTerminal(id, 'succeeded', result, undefined, announce) };
      if (result.status === 'failed') {
        const code = result.providerCode ?? HostErrorCodes.PROVIDER_DECLINED;
        return this.recordSendFailure(id, result, { code, message: result.providerMessage ?? 'the provider declined the issuance' }, announce, 'rejected');
      }
      return { row: await this.recordOpen(id, 'pending', { result, next: this.now() + this.o.intervalMs }) };
    }
    if (isConnectorError(error)) {
      const failure: Failure = { code: String(error.code), message: error.message };
      const fromProvider: StoredResult = error.providerCode ? { providerCode: error.providerCode } : {};
      if (error.outcome === 'rejected') return this.recordSendFailure(id, fromProvider, failure, announce, 'rejected');
      if (error.outcome === 'not_sent') {
        // Without safe re-sends, no earlier attempt can have had an unknown outcome (core reconciles those and
        // reports OUTCOME_UNKNOWN), so nothing was issued. With them, an earlier attempt may have reached the
        // provider: ask it by reference before calling this a failure.
        // A request the plugin found invalid (e.g. an amount outside the provider's catalogue) can never succeed:
        // it is refused like a provider refusal (422), not reported as a provider outage to retry (503).
        if (error instanceof ValidationError) return this.recordSendFailure(id, fromProvider, failure, announce, 'rejected');
        if (!repeatIsSafe(handle)) return this.recordSendFailure(id, fromProvider, failure, announce, 'not_sent');
        const verified = await this.lookupAfterNotSent(handle, params);
        if (verified === 'not_found') return this.recordSendFailure(id, fromProvider, failure, announce, 'not_sent');
        if (verified) return this.applyIssueOutcome(id, handle, verified, undefined, params, announce);
      }
      // unknown, or not_sent when the provider could not be asked whether an earlier send landed: reconcile by
      // reference. Only an unknown outcome is a send that may still take effect.
      return { row: await this.recordOpen(id, 'unknown', { failure, next: this.now() + this.o.intervalMs, uncertain: error.outcome === 'unknown' }) };
    }
    this.o.logger.error({ err: errorSummary(error), issuanceId: id }, 'unexpected error from a provider call; keeping the issuance unknown');
    return {
      row: await this.recordOpen(id, 'unknown', {
        failure: { code: ErrorCodes.OUTCOME_UNKNOWN, message: 'unexpected error during the provider call' },
        next: this.now() + this.o.intervalMs,
        uncertain: true,
      }),
    };
  }

  /**
   * Records a send's failure (a refusal, or nothing sent) as the issuance's
   * end, unless an earlier send of the reference may still take effect at
   * the provider (its `settle_until` is ahead): then the row stays `unknown`
   * with this failure as its last error, and is checked by reference once
   * that time has passed (a re-send then, if the provider still has nothing,
   * gets a final answer).
   */
  private async recordSendFailure(
    id: string,
    fromProvider: StoredResult & Partial<IssueResult>,
    failure: Failure,
    announce: boolean,
    kind: 'rejected' | 'not_sent',
  ): Promise<{ row: IssuanceRow; failure?: 'rejected' | 'not_sent' }> {
    const row = await this.recordTerminal(id, 'failed', fromProvider, failure, announce, true);
    if (!OPEN_STATUSES.includes(row.status)) return { row, ...(row.status === 'failed' ? { failure: kind } : {}) };
    const settleAt = Number(row.settle_until);
    this.o.logger.warn(
      { issuanceId: id, reference: row.reference, connector: row.connector, code: failure.code, settleAt: new Date(settleAt).toISOString() },
      'a send failed while an earlier send of the reference may still take effect at the provider; keeping the issuance unknown and checking it again after settleAt',
    );
    const open = await this.recordOpen(id, 'unknown', {
      failure: { code: failure.code, message: `${failure.message} (not final: an earlier send of this reference may still take effect; checked again after ${new Date(settleAt).toISOString()})` },
      next: Math.max(settleAt, this.now() + this.o.intervalMs),
    });
    return { row: open };
  }

  /** A status lookup by reference after a `not_sent` failure: the transaction, `not_found`, or undefined when it cannot be known now. */
  private async lookupAfterNotSent(handle: ConnectorHandle, params: IssueParams): Promise<IssueResult | 'not_found' | undefined> {
    if (!handle.plugin.capabilities.statusByReference) return undefined;
    try {
      const request = issueRequest(params, handle);
      const status = await handle.resilient.checkStatus({ reference: params.reference, request }, { signal: this.shutdown.signal });
      return status.status === 'not_found' ? 'not_found' : (status as IssueResult);
    } catch {
      // Including a reference held by another issuance: the reconciler's check records that.
      return undefined;
    }
  }

  /** The issue request of a journal row, as sent to the provider (for status lookups to compare with); undefined if it no longer validates. */
  private requestOf(row: IssuanceRow, handle: ConnectorHandle): IssueRequest | undefined {
    try {
      const params = JSON.parse(row.params) as StoredParams;
      return issueRequest({ ...params, reference: providerReference(row.tenant_id, row.reference) }, handle);
    } catch {
      return undefined;
    }
  }

  /** Writes a terminal result unless the row is already terminal; a success enqueues `reward.issued` in the same transaction. */
  private async recordTerminal(
    id: string,
    status: 'succeeded' | 'failed',
    result: StoredResult & Partial<IssueResult>,
    failure?: Failure,
    announce = true,
    /** Only when no earlier send may still take effect (a send's own failure; see recordSendFailure). */
    settledOnly = false,
  ): Promise<IssuanceRow> {
    const now = this.now();
    const stored: StoredResult = {
      ...(result.voucher ? { voucher: result.voucher } : {}),
      ...(result.providerCode ? { providerCode: result.providerCode } : {}),
      ...(result.providerMessage ? { providerMessage: result.providerMessage } : {}),
    };
    const updated = await this.group.run(async (tx) => {
      const rows = await tx.query<IssuanceRow>(
        `UPDATE issuances SET status = $2, transaction_id = COALESCE($3, transaction_id), result = $4, error_code = $5, error_message = $6,
           lease_owner = NULL, lease_until = 0, updated_at = $7, completed_at = $7
         WHERE id = $1 AND status IN ${OPEN_SQL}${settledOnly ? ' AND settle_until <= $7' : ''} RETURNING *`,
        [id, status, result.transactionId ?? null, JSON.stringify(stored), failure?.code ?? null, failure?.message ?? null, now],
      );
      const row = rows[0];
      if (row && status === 'succeeded') {
        const event = buildRewardIssuedEvent(row, now);
        const problems = this.o.validateEvent(event.type, event.data);
        if (problems.length === 0) await this.o.outbox.publishWith(tx, row.tenant_id, event);
        else this.o.logger.error({ issuanceId: id, problems }, 'reward.issued event does not match its schema; the success is recorded without it');
      }
      return row;
    });
    if (updated) {
      this.changed(id);
      this.o.metrics?.onStatus(updated.connector, status);
      if (announce) this.o.logger.info({ issuanceId: id, reference: updated.reference, connector: updated.connector, status, code: failure?.code }, 'issuance recorded');
      return updated;
    }
    const row = (await this.findById(id)) as IssuanceRow;
    if (status === 'succeeded' && row.status === 'failed') {
      // The provider issued what the journal already recorded as failed. The record does not change by itself
      // (the tenant may have acted on the failure); a person has to settle it with the provider and the tenant.
      this.o.metrics?.onOutcomeConflict?.(row.connector);
      this.o.logger.error(
        { issuanceId: id, reference: row.reference, connector: row.connector, recorded: row.status, reported: status, transactionId: result.transactionId ?? null },
        'the provider reported a success for an issuance recorded failed; needs a person to settle it',
      );
    }
    return row;
  }

  /** Keeps a row open (pending/unknown) with its next check time, releasing this process' lease. */
  private async recordOpen(
    id: string,
    status: 'pending' | 'unknown',
    fields: { result?: Partial<IssueResult>; failure?: Failure; next: number; checked?: boolean; uncertain?: boolean },
  ): Promise<IssuanceRow> {
    const now = this.now();
    // A send whose outcome is unknown may still take effect until settleMs from now (never moved earlier).
    const settle = fields.uncertain ? now + this.o.settleMs : 0;
    const stored: StoredResult | null = fields.result
      ? {
          ...(fields.result.providerCode ? { providerCode: fields.result.providerCode } : {}),
          ...(fields.result.providerMessage ? { providerMessage: fields.result.providerMessage } : {}),
        }
      : null;
    const rows = await this.write<IssuanceRow>(
      `UPDATE issuances SET status = $2, transaction_id = COALESCE($3, transaction_id), result = COALESCE($4, result),
         error_code = $5, error_message = $6, lease_owner = NULL, lease_until = 0, next_check_at = $7, updated_at = $8,
         checks = checks + $9, settle_until = CASE WHEN settle_until > $11 THEN settle_until ELSE $11 END
       WHERE id = $1 AND status IN ${OPEN_SQL} AND (lease_owner IS NULL OR lease_owner = $10 OR lease_until <= $8) RETURNING *`,
      [
        id,
        status,
        fields.result?.transactionId ?? null,
        stored ? JSON.stringify(stored) : null,
        fields.failure?.code ?? null,
        fields.failure?.message ?? null,
        fields.next,
        now,
        fields.checked ? 1 : 0,
        this.o.hostId,
        settle,
      ],
    );
    if (rows[0]) {
      this.changed(id);
      if (!fields.checked) this.o.metrics?.onStatus(rows[0].connector, status);
      return rows[0];
    }
    return (await this.findById(id)) as IssuanceRow;
  }

  /**
   * One reconciliation step for an open row: ask the provider by
   * transaction id or reference; record a terminal answer; on `not_found`
   * re-send with the same reference only when `resend` and the plugin makes
   * a repeat safe; otherwise keep it open with backoff.
   */
  private async check(row: IssuanceRow, handle: ConnectorHandle, resend: boolean): Promise<IssuanceRow> {
    const caps = handle.plugin.capabilities;
    // By reference, with the request: the transaction holding the reference may be another issuance's.
    const query: StatusQuery | null = row.transaction_id
      ? { transactionId: row.transaction_id }
      : caps.statusByReference
        ? withRequest({ reference: providerReference(row.tenant_id, row.reference) }, this.requestOf(row, handle))
        : null;
    const openStatus: 'pending' | 'unknown' = row.status === 'pending' ? 'pending' : 'unknown';
    // A request waiting on the row (resend false) checks too, but the schedule is the reconciler's: a waiter's check
    // never moves the next one later. Before, a client repeating its POST every few seconds moved the row's next
    // check out by the growing backoff each time, and the reconciler, the only path that re-sends, never got it.
    const backedOff = this.now() + this.backoff(Number(row.checks) + 1);
    const next = resend ? backedOff : Math.min(Number(row.next_check_at), backedOff);
    if (this.isNeedingAttention(row)) {
      this.o.logger.warn({ issuanceId: row.id, reference: row.reference, connector: row.connector, status: row.status }, 'issuance needs attention: still not terminal past reconciliation.maxAgeMs');
    }
    let status: StatusResult | undefined;
    if (query) {
      const started = performance.now();
      try {
        status = await handle.resilient.checkStatus(query, { signal: this.shutdown.signal });
        this.o.metrics?.onProviderCall(handle.name, 'status', (performance.now() - started) / 1000, status.status);
      } catch (e) {
        this.o.metrics?.onProviderCall(handle.name, 'status', (performance.now() - started) / 1000, 'error');
        if (isConnectorError(e) && e.outcome === 'rejected' && e.code === ErrorCodes.PROVIDER_REFERENCE_CONFLICT) {
          // The provider holds this reference for a different issuance (another system on the account): ours was
          // not issued under it and cannot be, so it has failed. Never taken as our success.
          return this.recordTerminal(row.id, 'failed', e.providerCode ? { providerCode: e.providerCode } : {}, { code: String(e.code), message: e.message });
        }
        const failure = isConnectorError(e) ? { code: String(e.code), message: e.message } : { code: ErrorCodes.OUTCOME_UNKNOWN, message: 'status lookup failed' };
        return this.recordOpen(row.id, openStatus, { failure, next, checked: true });
      }
    }
    if (status && status.status !== 'not_found') {
      const result = status as IssueResult;
      if (result.status === 'succeeded') return this.recordTerminal(row.id, 'succeeded', result);
      if (result.status === 'failed') {
        return this.recordTerminal(row.id, 'failed', result, { code: result.providerCode ?? HostErrorCodes.PROVIDER_DECLINED, message: result.providerMessage ?? 'the provider declined the issuance' });
      }
      return this.recordOpen(row.id, 'pending', { result, next, checked: true });
    }
    // The provider has no such transaction (or cannot be asked).
    if (resend && row.status !== 'pending' && repeatIsSafe(handle)) {
      const claimed = await this.o.db.execute(`UPDATE issuances SET sends = sends + 1, checks = checks + 1, updated_at = $2 WHERE id = $1 AND lease_owner = $3 AND status IN ${OPEN_SQL}`, [
        row.id,
        this.now(),
        this.o.hostId,
      ]);
      if (claimed.rowCount === 1) {
        this.o.logger.info({ issuanceId: row.id, reference: row.reference, connector: row.connector }, 'provider has no record of the reference; re-sending it (the provider deduplicates references)');
        const params = JSON.parse(row.params) as StoredParams;
        return (await this.send(row.id, handle, { ...params, reference: providerReference(row.tenant_id, row.reference) })).row;
      }
      return (await this.findById(row.id)) ?? row;
    }
    const failure = query
      ? { code: ErrorCodes.PROVIDER_NOT_FOUND, message: 'the provider has no transaction for this reference yet' }
      : { code: ErrorCodes.OUTCOME_UNKNOWN, message: 'the provider offers no status lookup for this issuance' };
    return this.recordOpen(row.id, 'unknown', { failure, next, checked: true });
  }

  private isNeedingAttention(row: IssuanceRow): boolean {
    return OPEN_STATUSES.includes(row.status) && this.now() - Number(row.created_at) >= this.o.maxAgeMs;
  }

  /**
   * One reconciler pass: claims due open rows (expired leases only; with
   * `orphans`, every `in_flight` row, which is right only when no other
   * process can use the store) under a lease, then checks each. Returns the
   * number of rows processed.
   */
  async reconcileOnce(options: { orphans?: boolean } = {}): Promise<number> {
    const now = this.now();
    const lock = this.o.db.dialect === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
    // Orphans: every in_flight row not already ours (a row whose check failed stays leased to us, so it is not retried in a loop).
    const [where, params] = options.orphans
      ? [`status IN ${OPEN_SQL} AND status = 'in_flight' AND (lease_owner IS NULL OR lease_owner <> $1)`, [this.o.hostId, now + this.o.leaseMs]]
      : [`status IN ${OPEN_SQL} AND next_check_at <= $3 AND lease_until <= $3`, [this.o.hostId, now + this.o.leaseMs, now]];
    // An `in_flight` row taken over was being sent by a process that went silent or died: its request may have
    // reached the provider and still take effect, so a refusal of our re-send is not final before settleMs.
    const settle = `$${params.length + 2}`;
    const rows = await this.o.db.query<IssuanceRow>(
      `UPDATE issuances SET lease_owner = $1, lease_until = $2,
         settle_until = CASE WHEN status = 'in_flight' AND settle_until < ${settle} THEN ${settle} ELSE settle_until END
       WHERE id IN (SELECT id FROM issuances WHERE ${where} ORDER BY next_check_at LIMIT $${params.length + 1}${lock})
       RETURNING *`,
      [...params, this.o.batchSize, now + this.o.settleMs],
    );
    if (rows.length === 0) return 0;
    // A row whose call this process is still making (its lease ran out before a renewal landed) is not ours to
    // check or re-send: the call records its outcome. Claiming it only renewed our own lease.
    const queue = rows.filter((r) => !this.calling.has(r.id));
    const worker = async () => {
      for (let row = queue.shift(); row; row = queue.shift()) {
        const handle = this.o.connectors.get(row.connector);
        try {
          if (!handle) {
            await this.recordOpen(row.id, row.status === 'pending' ? 'pending' : 'unknown', {
              failure: { code: HostErrorCodes.UNKNOWN_CONNECTOR, message: `connector "${row.connector}" is not configured on this host` },
              next: this.now() + this.o.maxIntervalMs,
              checked: true,
            });
            continue;
          }
          await this.check(row, handle, true);
        } catch (e) {
          this.o.logger.error({ err: errorSummary(e), issuanceId: row.id }, 'reconciliation step failed; the lease will expire and it will be retried');
        }
      }
    };
    await this.track(Promise.all(Array.from({ length: Math.min(RECONCILE_CONCURRENCY, rows.length) }, worker)));
    return rows.length;
  }

  /** Reconciles every `in_flight` row a dead process left (all of them when the store is exclusive to us), before new work is served. */
  async recoverOrphans(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.reconcileOnce({ orphans: this.o.exclusiveStore });
      total += n;
      if (n < this.o.batchSize || !this.o.exclusiveStore) break;
    }
    if (total > 0) this.o.logger.info({ count: total }, 'reconciled issuances left open by an earlier process');
    return total;
  }

  /** Starts the background reconciler (every `intervalMs`). */
  start(): void {
    const tick = async () => {
      if (this.stopped) return;
      try {
        // Drain due rows in batches; one pass at a time per process.
        while (!this.stopped && (await (this.pass = this.reconcileOnce())) === this.o.batchSize);
      } catch (e) {
        this.o.logger.error({ err: errorSummary(e) }, 'reconciler pass failed');
      } finally {
        this.pass = undefined;
      }
      if (!this.stopped) this.timer = setTimeout(tick, this.o.intervalMs);
    };
    this.timer = setTimeout(tick, Math.min(this.o.intervalMs, 1000));
    this.leaseTimer = setInterval(() => {
      if (this.calling.size === 0) return;
      this.renewLeases().catch((e) => this.o.logger.error({ err: errorSummary(e) }, 'renewing the leases of provider calls in flight failed; retrying'));
    }, Math.max(Math.floor(this.o.leaseMs / 3), 50));
    this.leaseTimer.unref();
  }

  /**
   * Stops taking work; waits up to `graceMs` for provider calls in flight,
   * then aborts the rest (they are recorded `unknown` and reconciled later,
   * by us or another instance) and releases this process' leases.
   */
  async stop(graceMs: number): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    // Requests waiting on another request's call answer now with what the store holds.
    for (const set of [...this.waiters.values()]) for (const wake of [...set]) wake();
    const all = () => Promise.allSettled([...this.inFlight, ...(this.pass ? [this.pass] : [])]);
    let timeout: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      all().then(() => false),
      new Promise<boolean>((r) => {
        timeout = setTimeout(() => r(true), graceMs);
      }),
    ]);
    clearTimeout(timeout);
    if (timedOut) {
      this.o.logger.warn({ inFlight: this.inFlight.size }, 'shutdown grace elapsed; aborting provider calls still in flight (they stay open and are reconciled)');
      this.shutdown.abort();
      await all();
    }
    clearInterval(this.leaseTimer);
    await this.o.db.execute(`UPDATE issuances SET lease_owner = NULL, lease_until = 0 WHERE lease_owner = $1 AND status IN ('pending', 'unknown')`, [this.o.hostId]);
  }

  private async findById(id: string): Promise<IssuanceRow | undefined> {
    return (await this.o.db.query<IssuanceRow>('SELECT * FROM issuances WHERE id = $1', [id]))[0];
  }

  private async findRow(tenantId: string, reference: string): Promise<IssuanceRow | undefined> {
    return (await this.o.db.query<IssuanceRow>('SELECT * FROM issuances WHERE tenant_id = $1 AND reference = $2', [tenantId, reference]))[0];
  }

  /** The tenant's issuance with this reference, or null (another tenant's reference looks the same as a missing one). */
  async get(tenantId: string, reference: string): Promise<IssuanceRecord | null> {
    const row = await this.findRow(tenantId, reference);
    return row ? this.record(row) : null;
  }

  /** A page of the tenant's issuances (every tenant's when `tenantId` is null: admin), newest first. */
  async list(
    tenantId: string | null,
    filter: { status?: IssuanceStatus; connector?: string; needsAttention?: boolean; cursor?: string; limit?: number } = {},
  ): Promise<{ items: IssuanceRecord[]; nextCursor?: string }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (tenantId !== null) {
      params.push(tenantId);
      where.push('tenant_id = $1');
    }
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.status) add('status = ?', filter.status);
    if (filter.connector) add('connector = ?', filter.connector);
    if (filter.needsAttention !== undefined) {
      const cutoff = this.now() - this.o.maxAgeMs;
      if (filter.needsAttention) {
        where.push(`status IN ${OPEN_SQL}`);
        add('created_at <= ?', cutoff);
      } else {
        add(`(status NOT IN ${OPEN_SQL} OR created_at > ?)`, cutoff);
      }
    }
    if (filter.cursor) {
      const c = decodeCursor(filter.cursor);
      params.push(c.createdAt, c.id);
      where.push(`(created_at < $${params.length - 1} OR (created_at = $${params.length - 1} AND id < $${params.length}))`);
    }
    const limit = Math.min(Math.max(filter.limit ?? 50, 1), 200);
    params.push(limit + 1);
    const rows = await this.o.db.query<IssuanceRow>(`SELECT * FROM issuances ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC LIMIT $${params.length}`, params);
    const items = rows.slice(0, limit).map((r) => this.record(r));
    const last = rows.length > limit ? rows[limit - 1] : undefined;
    return { items, ...(last ? { nextCursor: encodeCursor(Number(last.created_at), last.id) } : {}) };
  }

  /** Open issuances older than `maxAgeMs` (the `relaypoint_issuances_needs_attention` gauge). */
  async countNeedingAttention(): Promise<number> {
    const rows = await this.o.db.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM issuances WHERE status IN ${OPEN_SQL} AND created_at <= $1`, [this.now() - this.o.maxAgeMs]);
    return Number(rows[0]?.n ?? 0);
  }
}

function encodeCursor(createdAt: number, id: string): string {
  return Buffer.from(JSON.stringify([createdAt, id])).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: number; id: string } {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    // A safe non-negative integer only: PostgreSQL refuses 1.5 or 1e20 for a BIGINT (a 500 for a forged cursor).
    if (Array.isArray(v) && Number.isSafeInteger(v[0]) && (v[0] as number) >= 0 && typeof v[1] === 'string') return { createdAt: v[0] as number, id: v[1] };
  } catch {
    // fall through
  }
  throw new HostError(400, HostErrorCodes.VALIDATION_FAILED, 'cursor is not one this API returned', { errors: ['cursor: is not a valid cursor'] });
}

/** The request a plugin is sent for these parameters: core's validation, with the plugin's phone rule (throws ValidationError). */
function issueRequest(params: IssueParams, handle: ConnectorHandle): IssueRequest {
  return validateIssueParams(params, { requirePhone: handle.plugin.requiresPhone ?? false });
}

function withRequest(query: { reference: string }, request: IssueRequest | undefined): StatusQuery {
  return request ? { ...query, request } : query;
}

/** A loggable summary of an error: code and message only (never a request config or body). */
export function errorSummary(e: unknown): Record<string, unknown> {
  if (e instanceof Error) return { name: e.name, message: e.message, ...((e as { code?: unknown }).code !== undefined ? { code: (e as { code?: unknown }).code } : {}) };
  return { message: String(e) };
}
