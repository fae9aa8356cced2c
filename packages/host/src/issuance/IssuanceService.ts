import { systemClock, type Clock, type Logger } from '@relaypoint/core';
import type { Database } from '@relaypoint/store';
import type { ConnectorHandle } from '../connectors/ConnectorHandle.js';
import { CallTracker } from './CallTracker.js';
import { CheckStep } from './CheckStep.js';
import { IssuanceError, IssuanceErrorCodes } from './IssuanceError.js';
import { IssuanceJournal, type EventOutbox } from './IssuanceJournal.js';
import type { IssuanceMetrics } from './IssuanceMetrics.js';
import { IssuanceRecorder } from './IssuanceRecorder.js';
import { OPEN_STATUSES, type IssuanceRecord, type IssuanceRow, type IssuanceStatus } from './IssuanceRecord.js';
import { newIssuanceId, prepareIssue, type IssueInput } from './issueRequest.js';
import { Reconciler } from './Reconciler.js';
import { SendStep } from './SendStep.js';

export type { IssueInput } from './issueRequest.js';
export type { EventOutbox } from './IssuanceJournal.js';
export type { IssuanceMetrics } from './IssuanceMetrics.js';

/** The answer to one issue request. */
export interface IssueOutcome {
  /** The issuance as it stands when the request returns. */
  record: IssuanceRecord;
  /** True when the reference existed already with the same body (idempotent repeat). */
  repeat: boolean;
  /** For a fresh request that ended `failed`: whether the provider refused (`rejected`) or nothing could be sent (`not_sent`). */
  failure?: 'rejected' | 'not_sent';
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
  /** Defaults to core's `systemClock`. */
  clock?: Clock;
  /** How long an issue request waits for a terminal state, ms. */
  waitMs: number;
  /** Lease on a row being worked on, ms. */
  leaseMs: number;
  /** How long a send whose outcome is unknown may still take effect at the provider, ms (see {@link SendStep}). */
  settleMs: number;
  /** First re-check delay and reconciler period, ms. */
  intervalMs: number;
  /** Largest re-check delay, ms. */
  maxIntervalMs: number;
  /** Age after which an open issuance needs attention, ms. */
  maxAgeMs: number;
  /** Open time after which an issuance is logged once as slow to resolve, ms. */
  slowAfterMs: number;
  /** Rows claimed per reconciler pass. */
  batchSize: number;
  /** True when no other process can use the store (SQLite): leftover `in_flight` rows are orphans at start. */
  exclusiveStore: boolean;
}

/**
 * The money path, issue and wait. Every issuance is a journal row keyed by
 * (tenant, reference), unique in the store ({@link IssuanceJournal}): the
 * intent is committed before the provider call ({@link SendStep}), the result
 * after it, and a success enqueues `reward.issued` in the same transaction.
 * Open rows are checked by reference until they are terminal
 * ({@link CheckStep}), on one schedule kept in the row: the reconciler
 * ({@link Reconciler}) and a request waiting on the row both take the row's
 * lease when it is due, so neither a waiting request nor a client polling
 * ever moves a check later.
 */
export class IssuanceService {
  private readonly options: IssuanceServiceOptions;
  private readonly clock: Clock;
  private readonly tracker = new CallTracker();
  private readonly journal: IssuanceJournal;
  private readonly sender: SendStep;
  private readonly checker: CheckStep;
  private readonly reconciler: Reconciler;
  private stopped = false;

  constructor(options: IssuanceServiceOptions) {
    this.options = options;
    const clock = (this.clock = options.clock ?? systemClock);
    const { logger, metrics, intervalMs } = options;
    this.journal = new IssuanceJournal({ ...options, clock });
    const recorder = new IssuanceRecorder(this.journal, this.tracker, logger, metrics);
    const shared = { journal: this.journal, recorder, tracker: this.tracker, logger, clock, ...(metrics ? { metrics } : {}) };
    this.sender = new SendStep({ ...shared, intervalMs });
    this.checker = new CheckStep({
      ...shared,
      sender: this.sender,
      pace: options,
      maxAgeMs: options.maxAgeMs,
      slowAfterMs: options.slowAfterMs,
    });
    this.reconciler = new Reconciler({ ...options, ...shared, checker: this.checker });
  }

  /** Rows claimed or sent by this process are marked with this id. */
  get hostId(): string {
    return this.options.hostId;
  }

  /** Number of provider calls (and reconciler passes) this process is waiting on. */
  get inFlightCount(): number {
    return this.tracker.size;
  }

  /** Issues once per (tenant, reference): the intent is durable before the provider call, the result before the answer. */
  async issue(tenantId: string, input: IssueInput): Promise<IssueOutcome> {
    if (this.stopped)
      throw new IssuanceError(IssuanceErrorCodes.SHUTTING_DOWN, 'the host is shutting down; retry on another instance or later');
    const handle = this.options.connectors.get(input.connector);
    if (!handle) {
      throw new IssuanceError(IssuanceErrorCodes.UNKNOWN_CONNECTOR, `no connector named "${input.connector}" is configured`, {
        errors: [
          `connector: unknown connector "${input.connector}" (configured: ${[...this.options.connectors.keys()].join(', ') || 'none'})`,
        ],
      });
    }
    const prepared = prepareIssue(tenantId, input, handle);
    const deadline = this.clock.now() + this.options.waitMs;
    const id = newIssuanceId();
    // Tracked from here, in the same turn as the `stopped` check: a shutdown that starts while the intent is being
    // written waits for its provider call too, instead of returning before the call starts.
    const sent = await this.tracker.track(
      (async () => {
        const fresh = await this.journal.insertIntent({
          id,
          tenantId,
          reference: input.reference,
          connector: input.connector,
          hash: prepared.hash,
          stored: prepared.stored,
        });
        if (!fresh) return undefined;
        this.options.metrics?.onStatus(input.connector, 'in_flight');
        // The caller's request log line reports this result, so the journal does not log it a second time.
        return this.sender.send(id, handle, prepared.params, { announce: false });
      })(),
    );
    if (!sent) return this.repeat(tenantId, input.reference, prepared.hash);
    let row = sent.row;
    if (OPEN_STATUSES.includes(row.status)) row = await this.waitForTerminal(row, deadline);
    return {
      record: this.journal.toRecord(row),
      repeat: false,
      ...(sent.failure && row.status === 'failed' ? { failure: sent.failure } : {}),
    };
  }

  private async repeat(tenantId: string, reference: string, hash: string): Promise<IssueOutcome> {
    const deadline = this.clock.now() + this.options.waitMs;
    let row = await this.journal.findByReference(tenantId, reference);
    if (!row) throw new IssuanceError(IssuanceErrorCodes.REFERENCE_CONFLICT, `reference "${reference}" is being recorded; retry`);
    if (row.request_hash !== hash) {
      throw new IssuanceError(
        IssuanceErrorCodes.REFERENCE_CONFLICT,
        `reference "${reference}" was already used with a different request; nothing was sent`,
        {
          extra: { reference },
        },
      );
    }
    // Another request (maybe on another host) owns the call: wait for its answer instead of sending.
    if (OPEN_STATUSES.includes(row.status)) row = await this.waitForTerminal(row, deadline);
    return { record: this.journal.toRecord(row), repeat: true };
  }

  /**
   * Waits for the row to become terminal, until `deadline`. A row someone is
   * calling the provider for changes when they are done: this process wakes
   * us the moment it records the answer, and polling covers another host. A
   * row that is due is checked here, under its lease, exactly as the
   * reconciler would: one schedule, whoever runs it.
   */
  private async waitForTerminal(row: IssuanceRow, deadline: number): Promise<IssuanceRow> {
    let delay = 100;
    while (OPEN_STATUSES.includes(row.status) && !this.stopped) {
      const now = this.clock.now();
      const left = deadline - now;
      if (left <= 0) break;
      const handle = this.options.connectors.get(row.connector);
      const dueIn = Number(row.next_check_at) - now;
      if (row.status !== 'in_flight' && handle && dueIn <= 0) {
        const claimed = await this.journal.claimIfDue(row.id);
        if (claimed) {
          row = await this.tracker.track(this.checker.check(claimed, handle));
          // A check that reached no provider leaves the row due: wait for a change (the reconciler runs a pass
          // when the breaker closes) or the reconciler's period before asking again.
          if (OPEN_STATUSES.includes(row.status) && Number(row.next_check_at) <= this.clock.now()) {
            // Unless the breaker closed meanwhile (its wake-up came while this check was running): then shortly.
            const pause = handle.resilient.breaker.state === 'closed' ? 100 : this.options.intervalMs;
            await this.tracker.changeOf(row.id, Math.min(pause, left));
          }
          continue;
        }
      }
      const wait = Math.min(row.status === 'in_flight' || dueIn <= 0 ? delay : Math.min(dueIn, delay * 4), left);
      const woken = await this.tracker.changeOf(row.id, wait);
      if (!woken) delay = Math.min(delay * 2, 1000);
      row = (await this.journal.findById(row.id)) ?? row;
    }
    return row;
  }

  /** Reconciles every `in_flight` row a dead process left, before new work is served. */
  recoverOrphans(): Promise<number> {
    return this.reconciler.recoverOrphans();
  }

  /** Starts the background reconciler (every `intervalMs`, and whenever a breaker closes). */
  start(): void {
    this.reconciler.start();
  }

  /**
   * Stops taking work; waits up to `graceMs` for provider calls in flight,
   * then aborts the rest (they are recorded `unknown` and reconciled later,
   * by us or another instance) and releases this process' leases.
   */
  async stop(graceMs: number): Promise<void> {
    this.stopped = true;
    const reconciling = this.reconciler.stop();
    // Requests waiting on another request's call answer now with what the store holds.
    this.tracker.wakeAll();
    const all = () => this.tracker.settled([reconciling]);
    let timeout: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      all().then(() => false),
      new Promise<boolean>((resolve) => {
        timeout = setTimeout(() => resolve(true), graceMs);
      }),
    ]);
    clearTimeout(timeout);
    if (timedOut) {
      this.options.logger.warn(
        { inFlight: this.tracker.size },
        'shutdown grace elapsed; aborting provider calls still in flight (they stay open and are reconciled)',
      );
      this.tracker.abort();
      await all();
    }
    this.reconciler.stopRenewing();
    await this.journal.releaseOpen();
  }

  /** Runs one reconciler pass now, outside its timer (tests drive the schedule with a fake clock this way). */
  reconcileOnce(): Promise<{ claimed: number; stillDue: number; retrySoon: boolean }> {
    return this.reconciler.reconcileOnce();
  }

  /** The tenant's issuance with this reference, or null (another tenant's reference looks the same as a missing one). */
  async get(tenantId: string, reference: string): Promise<IssuanceRecord | null> {
    const row = await this.journal.findByReference(tenantId, reference);
    return row ? this.journal.toRecord(row) : null;
  }

  /** A page of the tenant's issuances (every tenant's when `tenantId` is null: admin), newest first. */
  list(
    tenantId: string | null,
    filter: { status?: IssuanceStatus; connector?: string; needsAttention?: boolean; cursor?: string; limit?: number } = {},
  ): Promise<{ items: IssuanceRecord[]; nextCursor?: string }> {
    return this.journal.list(tenantId, filter);
  }

  /** Open issuances older than `maxAgeMs` (the `relaypoint_issuances_needs_attention` gauge). */
  countNeedingAttention(): Promise<number> {
    return this.journal.countNeedingAttention();
  }
}
