import type { IssueResult, Logger } from '@relaypoint/core';
import type { CallTracker } from './CallTracker.js';
import type { OpenReason } from './checkSchedule.js';
import type { IssuanceJournal, Failure, OpenFields } from './IssuanceJournal.js';
import type { IssuanceMetrics } from './IssuanceMetrics.js';
import type { IssuanceRow, StoredResult } from './IssuanceRecord.js';

/** How {@link IssuanceRecorder.terminal} records. */
export interface TerminalOptions {
  /** Log the result (a request's own log line reports it otherwise). Defaults to true. */
  announce?: boolean;
  /** Only when no earlier send may still take effect (a send's own failure). Defaults to false. */
  settledOnly?: boolean;
  /** Why the row was open before this, for the time-to-terminal metric. Defaults to `none`. */
  reason?: OpenReason;
}

/**
 * Records what a step learned in the journal and tells the rest of the
 * process: wakes the requests waiting on the row, counts the transition,
 * observes the time to terminal, and flags a success the journal already
 * holds as failed.
 */
export class IssuanceRecorder {
  constructor(
    private readonly journal: IssuanceJournal,
    private readonly tracker: CallTracker,
    private readonly logger: Logger,
    private readonly metrics: IssuanceMetrics | undefined,
  ) {}

  /** Writes a terminal result unless the row is terminal already; returns the row as it now stands. */
  async terminal(
    id: string,
    status: 'succeeded' | 'failed',
    result: StoredResult & Partial<IssueResult>,
    failure?: Failure,
    options: TerminalOptions = {},
  ): Promise<IssuanceRow> {
    const { row, changed } = await this.journal.recordTerminal(id, status, result, failure, options.settledOnly ?? false);
    if (changed) {
      this.tracker.changed(id);
      this.metrics?.onStatus(row.connector, status);
      this.metrics?.onTerminal?.(
        row.connector,
        options.reason ?? 'none',
        Math.max(0, Number(row.completed_at) - Number(row.created_at)) / 1000,
      );
      if (options.announce ?? true) {
        this.logger.info(
          { issuanceId: id, reference: row.reference, connector: row.connector, status, code: failure?.code },
          'issuance recorded',
        );
      }
      return row;
    }
    if (status === 'succeeded' && row.status === 'failed') {
      // The provider issued what the journal already recorded as failed. The record does not change by itself
      // (the tenant may have acted on the failure); a person has to settle it with the provider and the tenant.
      this.metrics?.onOutcomeConflict?.(row.connector);
      this.logger.error(
        {
          issuanceId: id,
          reference: row.reference,
          connector: row.connector,
          recorded: row.status,
          reported: status,
          transactionId: result.transactionId ?? null,
        },
        'the provider reported a success for an issuance recorded failed; needs a person to settle it',
      );
    }
    return row;
  }

  /** Keeps a row open with its next check time, releasing this process' lease; returns the row as it now stands. */
  async open(id: string, status: 'pending' | 'unknown', fields: OpenFields): Promise<IssuanceRow> {
    const { row, changed } = await this.journal.recordOpen(id, status, fields);
    if (changed) {
      this.tracker.changed(id);
      if (!fields.checked) this.metrics?.onStatus(row.connector, status);
    }
    return row;
  }
}
