import {
  ErrorCodes,
  isConnectorError,
  resendIsSafe,
  type IssueResult,
  type Logger,
  type StatusQuery,
  type StatusResult,
} from '@relaypoint/core';
import type { ConnectorHandle } from '../connectors/ConnectorHandle.js';
import { HostErrorCodes } from '../HostError.js';
import type { CallTracker } from './CallTracker.js';
import { nextCheck, openReason, type CheckPace } from './checkSchedule.js';
import type { IssuanceJournal } from './IssuanceJournal.js';
import type { IssuanceMetrics } from './IssuanceMetrics.js';
import type { IssuanceRecorder } from './IssuanceRecorder.js';
import { OPEN_STATUSES, type IssuanceRow, type StoredParams } from './IssuanceRecord.js';
import { providerReference, repeatIsSafe, requestOfRow, withRequest } from './issueRequest.js';
import type { SendStep } from './SendStep.js';

/** What {@link CheckStep} needs. */
export interface CheckStepOptions {
  journal: IssuanceJournal;
  recorder: IssuanceRecorder;
  sender: SendStep;
  tracker: CallTracker;
  logger: Logger;
  metrics?: IssuanceMetrics;
  clock: { now(): number };
  pace: CheckPace;
  /** Age after which an open issuance needs attention, ms. */
  maxAgeMs: number;
  /** Open time after which an issuance is logged once as slow to resolve, ms. */
  slowAfterMs: number;
}

/**
 * One reconciliation step for an open row this process holds the lease on
 * (the reconciler's, or a waiting request's when the row is due): ask the
 * provider by transaction id or reference; record a terminal answer; on
 * `not_found` re-send with the same reference when the plugin makes a repeat
 * safe; otherwise keep it open on the schedule of {@link nextCheck}.
 */
export class CheckStep {
  constructor(private readonly options: CheckStepOptions) {}

  private now(): number {
    return this.options.clock.now();
  }

  async check(row: IssuanceRow, handle: ConnectorHandle): Promise<IssuanceRow> {
    const { recorder, tracker } = this.options;
    const capabilities = handle.plugin.capabilities;
    // By reference, with the request: the transaction holding the reference may be another issuance's.
    const query: StatusQuery | null = row.transaction_id
      ? { transactionId: row.transaction_id }
      : capabilities.statusByReference
        ? withRequest({ reference: providerReference(row.tenant_id, row.reference) }, requestOfRow(row, handle))
        : null;
    const openStatus: 'pending' | 'unknown' = row.status === 'pending' ? 'pending' : 'unknown';
    const reason = openReason(row);
    this.logIfLate(row);
    let status: StatusResult | undefined;
    if (query) {
      const started = performance.now();
      try {
        status = await handle.resilient.checkStatus(query, { signal: tracker.signal });
        this.options.metrics?.onProviderCall(handle.name, 'status', (performance.now() - started) / 1000, status.status);
      } catch (e) {
        this.options.metrics?.onProviderCall(handle.name, 'status', (performance.now() - started) / 1000, 'error');
        if (isConnectorError(e) && e.outcome === 'rejected' && e.code === ErrorCodes.PROVIDER_REFERENCE_CONFLICT) {
          // The provider holds this reference for a different issuance (another system on the account): ours was
          // not issued under it and cannot be, so it has failed. Never taken as our success.
          return recorder.terminal(
            row.id,
            'failed',
            e.providerCode ? { providerCode: e.providerCode } : {},
            { code: String(e.code), message: e.message },
            { reason },
          );
        }
        const failure = isConnectorError(e)
          ? { code: String(e.code), message: e.message }
          : { code: ErrorCodes.OUTCOME_UNKNOWN, message: 'status lookup failed' };
        // A lookup that reached no provider (breaker open, bulkhead full) neither counts nor moves the next check.
        const evidence = isConnectorError(e) && e.outcome === 'not_sent' ? 'not_sent' : 'asked';
        const next = nextCheck(row, evidence, this.now(), this.options.pace);
        return recorder.open(row.id, openStatus, { failure, next: next.at, checked: true, counted: next.counted });
      }
    }
    const next = nextCheck(row, 'asked', this.now(), this.options.pace).at;
    if (status && status.status !== 'not_found') {
      const result = status as IssueResult;
      if (result.status === 'succeeded') return recorder.terminal(row.id, 'succeeded', result, undefined, { reason });
      if (result.status === 'failed') {
        return recorder.terminal(
          row.id,
          'failed',
          result,
          {
            code: result.providerCode ?? HostErrorCodes.PROVIDER_DECLINED,
            message: result.providerMessage ?? 'the provider declined the issuance',
          },
          { reason },
        );
      }
      return recorder.open(row.id, 'pending', { result, next, checked: true });
    }
    // The provider has no such transaction (or cannot be asked). A re-send is safe only while the provider still
    // remembers the reference; the window runs from the intent's creation, which precedes its first send.
    const mayResend = resendIsSafe(handle.plugin.capabilities, Number(row.created_at), this.now());
    const windowPassed = repeatIsSafe(handle) && !mayResend;
    if (row.status !== 'pending' && windowPassed) {
      this.options.logger.warn(
        {
          issuanceId: row.id,
          reference: row.reference,
          connector: row.connector,
          referenceWindowMs: handle.plugin.capabilities.referenceWindowMs,
        },
        'the provider no longer remembers this reference (its window has passed); reconciling by lookup, never re-sending',
      );
    }
    if (row.status !== 'pending' && mayResend) {
      if (await this.options.journal.countResend(row.id)) {
        this.options.logger.info(
          { issuanceId: row.id, reference: row.reference, connector: row.connector },
          'provider has no record of the reference; re-sending it (the provider deduplicates references)',
        );
        const params = JSON.parse(row.params) as StoredParams;
        const reference = providerReference(row.tenant_id, row.reference);
        return (await this.options.sender.send(row.id, handle, { ...params, reference }, { reason, dueAt: Number(row.next_check_at) })).row;
      }
      return (await this.options.journal.findById(row.id)) ?? row;
    }
    const failure = query
      ? {
          code: ErrorCodes.PROVIDER_NOT_FOUND,
          message: windowPassed
            ? 'the provider has no transaction for this reference, and its reference window has passed: a re-send would be a new issuance, so it is only looked up'
            : 'the provider has no transaction for this reference yet',
        }
      : { code: ErrorCodes.OUTCOME_UNKNOWN, message: 'the provider offers no status lookup for this issuance' };
    return recorder.open(row.id, 'unknown', { failure, next, checked: true });
  }

  /** Logs a row past `maxAgeMs` at every check, and once when it first is past `slowAfterMs`. */
  private logIfLate(row: IssuanceRow): void {
    if (!OPEN_STATUSES.includes(row.status)) return;
    const now = this.now();
    const created = Number(row.created_at);
    const fields = { issuanceId: row.id, reference: row.reference, connector: row.connector, status: row.status, openMs: now - created };
    if (now - created >= this.options.maxAgeMs) {
      this.options.logger.warn(fields, 'issuance needs attention: still not terminal past reconciliation.maxAgeMs');
    } else if (now - created >= this.options.slowAfterMs && Number(row.updated_at) - created < this.options.slowAfterMs) {
      // Each step updates the row, so the step that first finds it past the threshold is the only one to log it.
      this.options.logger.warn(
        { ...fields, slowAfterMs: this.options.slowAfterMs },
        'issuance open longer than reconciliation.slowAfterMs',
      );
    }
  }
}
