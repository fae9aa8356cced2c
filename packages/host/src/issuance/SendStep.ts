import { ErrorCodes, ValidationError, isConnectorError, type IssueParams, type IssueResult, type Logger } from '@relaypoint/core';
import type { ConnectorHandle } from '../connectors/ConnectorHandle.js';
import { HostErrorCodes } from '../HostError.js';
import type { CallTracker } from './CallTracker.js';
import type { IssuanceJournal, Failure } from './IssuanceJournal.js';
import type { IssuanceMetrics } from './IssuanceMetrics.js';
import type { IssuanceRecorder } from './IssuanceRecorder.js';
import { OPEN_STATUSES, type IssuanceRow, type StoredResult } from './IssuanceRecord.js';
import { errorSummary, issueRequest, repeatIsSafe } from './issueRequest.js';
import type { OpenReason } from './checkSchedule.js';

/** What a send ended with: the row, and for a failure whether the provider refused or nothing could be sent. */
export interface SendOutcome {
  row: IssuanceRow;
  failure?: 'rejected' | 'not_sent';
}

/** What {@link SendStep} needs. */
export interface SendStepOptions {
  journal: IssuanceJournal;
  recorder: IssuanceRecorder;
  tracker: CallTracker;
  logger: Logger;
  metrics?: IssuanceMetrics;
  clock: { now(): number };
  /** First re-check delay after a send left the outcome open, ms. */
  intervalMs: number;
}

/**
 * The send: calls the provider for a row this process holds, then records
 * what happened. A refusal, or a send that never left, is final only when
 * no earlier send of the reference can still take effect: a send whose
 * outcome is unknown may be processed by the provider for a while (until the
 * row's `settle_until`), and a re-send refused meanwhile (insufficient
 * balance, "recently recharged", an operator outage) would otherwise record
 * `failed` for a voucher the provider then issued.
 */
export class SendStep {
  constructor(private readonly options: SendStepOptions) {}

  private now(): number {
    return this.options.clock.now();
  }

  /**
   * Calls the provider for row `id`; its lease is renewed until the outcome is
   * recorded, so a call that retries for longer than the lease is never
   * re-sent by a reconciler meanwhile, here or on another host.
   */
  send(
    id: string,
    handle: ConnectorHandle,
    params: IssueParams,
    context: { announce?: boolean; reason?: OpenReason; dueAt?: number } = {},
  ): Promise<SendOutcome> {
    return this.options.tracker.calls(id, async () => {
      const started = performance.now();
      let result: IssueResult | undefined;
      let error: unknown;
      try {
        result = await handle.resilient.issue(params, { signal: this.options.tracker.signal });
      } catch (e) {
        error = e;
      }
      const outcome = result ? result.status : isConnectorError(error) ? error.outcome : 'error';
      this.options.metrics?.onProviderCall(handle.name, 'issue', (performance.now() - started) / 1000, outcome);
      return this.apply(id, handle, result, error, params, {
        announce: context.announce ?? true,
        reason: context.reason ?? 'none',
        dueAt: context.dueAt ?? this.now(),
      });
    });
  }

  private async apply(
    id: string,
    handle: ConnectorHandle,
    result: IssueResult | undefined,
    error: unknown,
    params: IssueParams,
    context: { announce: boolean; reason: OpenReason; dueAt: number },
  ): Promise<SendOutcome> {
    const { recorder } = this.options;
    const terminal = { announce: context.announce, reason: context.reason };
    if (result) {
      if (result.status === 'succeeded') return { row: await recorder.terminal(id, 'succeeded', result, undefined, terminal) };
      if (result.status === 'failed') {
        const code = result.providerCode ?? HostErrorCodes.PROVIDER_DECLINED;
        return this.failure(
          id,
          result,
          { code, message: result.providerMessage ?? 'the provider declined the issuance' },
          context,
          'rejected',
        );
      }
      return { row: await recorder.open(id, 'pending', { result, next: this.now() + this.options.intervalMs }) };
    }
    if (isConnectorError(error)) {
      const failure: Failure = { code: String(error.code), message: error.message };
      const fromProvider: StoredResult = error.providerCode ? { providerCode: error.providerCode } : {};
      if (error.outcome === 'rejected') return this.failure(id, fromProvider, failure, context, 'rejected');
      if (error.outcome === 'not_sent') {
        // A request the plugin found invalid (e.g. an amount outside the provider's catalogue) can never succeed:
        // it is refused like a provider refusal (422), not reported as a provider outage to retry (503).
        if (error instanceof ValidationError) return this.failure(id, fromProvider, failure, context, 'rejected');
        // Without safe re-sends, no earlier attempt can have had an unknown outcome (core reconciles those and
        // reports OUTCOME_UNKNOWN), so nothing was issued. With them, an earlier attempt may have reached the
        // provider: ask it by reference before calling this a failure.
        if (!repeatIsSafe(handle)) return this.failure(id, fromProvider, failure, context, 'not_sent');
        const verified = await this.lookupAfterNotSent(handle, params);
        if (verified === 'not_found') return this.failure(id, fromProvider, failure, context, 'not_sent');
        if (verified) return this.apply(id, handle, verified, undefined, params, context);
        // The provider could not be asked either (breaker open, bulkhead full): this send is no evidence about
        // it, so the row stays due and is sent again as soon as calls go through.
        return { row: await recorder.open(id, 'unknown', { failure, next: Math.min(context.dueAt, this.now()) }) };
      }
      // An unknown outcome: a send that may still take effect. Reconciled by reference.
      return { row: await recorder.open(id, 'unknown', { failure, next: this.now() + this.options.intervalMs, uncertain: true }) };
    }
    this.options.logger.error(
      { err: errorSummary(error), issuanceId: id },
      'unexpected error from a provider call; keeping the issuance unknown',
    );
    return {
      row: await recorder.open(id, 'unknown', {
        failure: { code: ErrorCodes.OUTCOME_UNKNOWN, message: 'unexpected error during the provider call' },
        next: this.now() + this.options.intervalMs,
        uncertain: true,
      }),
    };
  }

  /**
   * Records a send's failure (a refusal, or nothing sent) as the issuance's
   * end, unless an earlier send of the reference may still take effect at
   * the provider (its `settle_until` is ahead): then the row stays `unknown`
   * with this failure as its last error, and is checked by reference once
   * that time has passed.
   */
  private async failure(
    id: string,
    fromProvider: StoredResult & Partial<IssueResult>,
    failure: Failure,
    context: { announce: boolean; reason: OpenReason },
    kind: 'rejected' | 'not_sent',
  ): Promise<SendOutcome> {
    const row = await this.options.recorder.terminal(id, 'failed', fromProvider, failure, {
      announce: context.announce,
      reason: context.reason,
      settledOnly: true,
    });
    if (!OPEN_STATUSES.includes(row.status)) return { row, ...(row.status === 'failed' ? { failure: kind } : {}) };
    const settleAt = Number(row.settle_until);
    this.options.logger.warn(
      {
        issuanceId: id,
        reference: row.reference,
        connector: row.connector,
        code: failure.code,
        settleAt: new Date(settleAt).toISOString(),
      },
      'a send failed while an earlier send of the reference may still take effect at the provider; keeping the issuance unknown and checking it again after settleAt',
    );
    const open = await this.options.recorder.open(id, 'unknown', {
      failure: {
        code: failure.code,
        message: `${failure.message} (not final: an earlier send of this reference may still take effect; checked again after ${new Date(settleAt).toISOString()})`,
      },
      next: Math.max(settleAt, this.now() + this.options.intervalMs),
    });
    return { row: open };
  }

  /** A status lookup by reference after a `not_sent` failure: the transaction, `not_found`, or undefined when it cannot be known now. */
  private async lookupAfterNotSent(handle: ConnectorHandle, params: IssueParams): Promise<IssueResult | 'not_found' | undefined> {
    if (!handle.plugin.capabilities.statusByReference) return undefined;
    try {
      const request = issueRequest(params, handle);
      const status = await handle.resilient.checkStatus({ reference: params.reference, request }, { signal: this.options.tracker.signal });
      return status.status === 'not_found' ? 'not_found' : (status as IssueResult);
    } catch {
      // Including a reference held by another issuance: the reconciler's check records that.
      return undefined;
    }
  }
}
