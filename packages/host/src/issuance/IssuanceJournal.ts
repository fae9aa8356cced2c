import type { IssueResult, Logger } from '@relaypoint/core';
import { GroupCommit, LeaseTable, type Database, type SqlExecutor } from '@relaypoint/store';
import { IssuanceError, IssuanceErrorCodes } from './IssuanceError.js';
// Spelled as the partial index `issuances_open_due` spells it: SQLite uses that index only for the same terms.
import { OPEN_STATUSES_SQL as OPEN_SQL } from './issuanceMigrations.js';
import {
  toRecord,
  type IssuanceRecord,
  type IssuanceRow,
  type IssuanceStatus,
  type StoredParams,
  type StoredResult,
} from './IssuanceRecord.js';
import { buildRewardIssuedEvent } from './rewardIssuedEvent.js';

/** The subset of the webhook service the journal needs: the outbox write inside our transaction. */
export interface EventOutbox {
  publishWith(tx: SqlExecutor, tenantId: string, event: { type: string; data: unknown; id?: string }): Promise<unknown>;
}

/** Why an issuance failed, or the last error seen while it is open. */
export interface Failure {
  code: string;
  message: string;
}

/** Options of {@link IssuanceJournal}. */
export interface IssuanceJournalOptions {
  db: Database;
  outbox: EventOutbox;
  /** Checks an event before it joins a transaction, so a schema slip can never block recording a success. */
  validateEvent: (type: string, data: unknown) => string[];
  logger: Logger;
  /** This process' id, written as the lease owner. */
  hostId: string;
  clock: { now(): number };
  /** Lease on a row being worked on, ms. */
  leaseMs: number;
  /** How long a send whose outcome is unknown may still take effect at the provider, ms. */
  settleMs: number;
  /** Age after which an open issuance needs attention, ms. */
  maxAgeMs: number;
}

/** How {@link IssuanceJournal.recordOpen} keeps a row open. */
export interface OpenFields {
  result?: Partial<IssueResult>;
  failure?: Failure;
  /** Next check, ms since the epoch. */
  next: number;
  /** The result of a check (not of a send). */
  checked?: boolean;
  /** Count it toward the backoff. Defaults to `checked`: a check that reached no provider does not count. */
  counted?: boolean;
  /** A send whose outcome is unknown: it may still take effect until `settleMs` from now. */
  uncertain?: boolean;
}

/**
 * The issuance journal: one row per (tenant, reference), unique across every
 * host sharing the store, leased through the store's {@link LeaseTable}.
 * Writes that must be durable before anyone acts on them go through a
 * {@link GroupCommit} (one WAL sync for many on SQLite). No provider call and
 * no HTTP here: only what the rows say and how they change.
 */
export class IssuanceJournal {
  readonly leases: LeaseTable;
  private readonly group: GroupCommit;

  constructor(private readonly options: IssuanceJournalOptions) {
    this.group = new GroupCommit(options.db);
    this.leases = new LeaseTable(options.db, { table: 'issuances', owner: options.hostId, leaseMs: options.leaseMs, clock: options.clock });
  }

  private now(): number {
    return this.options.clock.now();
  }

  /** The API shape of a row. */
  toRecord(row: IssuanceRow): IssuanceRecord {
    return toRecord(row, this.now(), this.options.maxAgeMs);
  }

  /**
   * Commits the intent before anything leaves, leased to this process: the
   * unique (tenant, reference) key decides, across every host, which request
   * calls the provider. Returns false when the reference exists already.
   */
  async insertIntent(intent: {
    id: string;
    tenantId: string;
    reference: string;
    connector: string;
    hash: string;
    stored: StoredParams;
  }): Promise<boolean> {
    const now = this.now();
    const inserted = await this.group.query<{ id: string }>(
      `INSERT INTO issuances (id, tenant_id, reference, connector, request_hash, params, status, sends, checks, lease_owner, lease_until, next_check_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'in_flight', 1, 0, $7, $8, $8, $9, $9)
       ON CONFLICT (tenant_id, reference) DO NOTHING RETURNING id`,
      [
        intent.id,
        intent.tenantId,
        intent.reference,
        intent.connector,
        intent.hash,
        JSON.stringify(intent.stored),
        this.options.hostId,
        now + this.options.leaseMs,
        now,
      ],
    );
    return inserted.length > 0;
  }

  async findById(id: string): Promise<IssuanceRow | undefined> {
    return (await this.options.db.query<IssuanceRow>('SELECT * FROM issuances WHERE id = $1', [id]))[0];
  }

  async findByReference(tenantId: string, reference: string): Promise<IssuanceRow | undefined> {
    return (
      await this.options.db.query<IssuanceRow>('SELECT * FROM issuances WHERE tenant_id = $1 AND reference = $2', [tenantId, reference])
    )[0];
  }

  /**
   * Leases due open rows whose lease is free or expired, oldest due first.
   * With `orphans`, every `in_flight` row not leased to this process instead
   * (right only when no other process can use the store). An `in_flight` row
   * taken over was being sent by a process that went silent or died: its
   * request may still take effect, so its settle time moves to `settleMs`
   * from now.
   */
  claimDue(limit: number, orphans = false): Promise<IssuanceRow[]> {
    const now = this.now();
    return this.leases.claim<IssuanceRow>({
      where: orphans
        ? { sql: `status IN ${OPEN_SQL} AND status = 'in_flight'` }
        : { sql: `status IN ${OPEN_SQL} AND next_check_at <= $1`, params: [now] },
      orderBy: 'next_check_at',
      limit,
      takeOver: orphans ? 'others' : 'expired',
      sqliteIndex: 'issuances_open_due',
      set: {
        sql: `settle_until = CASE WHEN status = 'in_flight' AND settle_until < $1 THEN $1 ELSE settle_until END`,
        params: [now + this.options.settleMs],
      },
    });
  }

  /** Leases one open row that is due now, for a request waiting on it: undefined when it is not due or someone holds it. */
  async claimIfDue(id: string): Promise<IssuanceRow | undefined> {
    const rows = await this.leases.claimIds<IssuanceRow>([id], {
      where: { sql: `status IN ('pending', 'unknown') AND next_check_at <= $1`, params: [this.now()] },
    });
    return rows[0];
  }

  /** Extends the leases of rows whose provider call this process is making. */
  renew(ids: readonly string[]): Promise<number> {
    return this.leases.renew(ids, { where: { sql: `status IN ${OPEN_SQL}` } }, this.group);
  }

  /** Gives up this process' leases on open rows it is not calling the provider for (at shutdown). */
  releaseOpen(): Promise<number> {
    return this.leases.release(undefined, { where: { sql: `status IN ('pending', 'unknown')` } });
  }

  /** Counts one more send of a row this process holds; false when it lost the lease or the row is terminal. */
  async countResend(id: string): Promise<boolean> {
    const claimed = await this.options.db.execute(
      `UPDATE issuances SET sends = sends + 1, checks = checks + 1, updated_at = $2 WHERE id = $1 AND lease_owner = $3 AND status IN ${OPEN_SQL}`,
      [id, this.now(), this.options.hostId],
    );
    return claimed.rowCount === 1;
  }

  /**
   * Writes a terminal result unless the row is terminal already (then
   * returns `changed: false` and the row as it is); a success enqueues
   * `reward.issued` in the same transaction. With `settledOnly`, only when
   * no earlier send may still take effect.
   */
  async recordTerminal(
    id: string,
    status: 'succeeded' | 'failed',
    result: StoredResult & Partial<IssueResult>,
    failure?: Failure,
    settledOnly = false,
  ): Promise<{ row: IssuanceRow; changed: boolean }> {
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
        const problems = this.options.validateEvent(event.type, event.data);
        if (problems.length === 0) await this.options.outbox.publishWith(tx, row.tenant_id, event);
        else
          this.options.logger.error(
            { issuanceId: id, problems },
            'reward.issued event does not match its schema; the success is recorded without it',
          );
      }
      return row;
    });
    if (updated) return { row: updated, changed: true };
    return { row: (await this.findById(id)) as IssuanceRow, changed: false };
  }

  /** Keeps a row open (pending/unknown) with its next check time, releasing this process' lease. `changed: false` when another owner holds it or it is terminal. */
  async recordOpen(id: string, status: 'pending' | 'unknown', fields: OpenFields): Promise<{ row: IssuanceRow; changed: boolean }> {
    const now = this.now();
    // A send whose outcome is unknown may still take effect until settleMs from now (never moved earlier).
    const settle = fields.uncertain ? now + this.options.settleMs : 0;
    const stored: StoredResult | null = fields.result
      ? {
          ...(fields.result.providerCode ? { providerCode: fields.result.providerCode } : {}),
          ...(fields.result.providerMessage ? { providerMessage: fields.result.providerMessage } : {}),
        }
      : null;
    const rows = await this.group.query<IssuanceRow>(
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
        (fields.counted ?? fields.checked) ? 1 : 0,
        this.options.hostId,
        settle,
      ],
    );
    if (rows[0]) return { row: rows[0], changed: true };
    return { row: (await this.findById(id)) as IssuanceRow, changed: false };
  }

  /** A page of the tenant's issuances (every tenant's when `tenantId` is null: admin), newest first. */
  async list(
    tenantId: string | null,
    filter: { status?: IssuanceStatus; connector?: string; needsAttention?: boolean; cursor?: string; limit?: number } = {},
  ): Promise<{ items: IssuanceRecord[]; nextCursor?: string }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (tenantId !== null) add('tenant_id = ?', tenantId);
    if (filter.status) add('status = ?', filter.status);
    if (filter.connector) add('connector = ?', filter.connector);
    if (filter.needsAttention !== undefined) {
      const cutoff = this.now() - this.options.maxAgeMs;
      if (filter.needsAttention) {
        where.push(`status IN ${OPEN_SQL}`);
        add('created_at <= ?', cutoff);
      } else {
        add(`(status NOT IN ${OPEN_SQL} OR created_at > ?)`, cutoff);
      }
    }
    if (filter.cursor) {
      const cursor = decodeCursor(filter.cursor);
      params.push(cursor.createdAt, cursor.id);
      where.push(`(created_at < $${params.length - 1} OR (created_at = $${params.length - 1} AND id < $${params.length}))`);
    }
    const limit = Math.min(Math.max(filter.limit ?? 50, 1), 200);
    params.push(limit + 1);
    const rows = await this.options.db.query<IssuanceRow>(
      `SELECT * FROM issuances ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    const items = rows.slice(0, limit).map((row) => this.toRecord(row));
    const last = rows.length > limit ? rows[limit - 1] : undefined;
    return { items, ...(last ? { nextCursor: encodeCursor(Number(last.created_at), last.id) } : {}) };
  }

  /** Open issuances older than `maxAgeMs` (the `relaypoint_issuances_needs_attention` gauge). */
  async countNeedingAttention(): Promise<number> {
    const rows = await this.options.db.query<{ n: number | string }>(
      `SELECT COUNT(*) AS n FROM issuances WHERE status IN ${OPEN_SQL} AND created_at <= $1`,
      [this.now() - this.options.maxAgeMs],
    );
    return Number(rows[0]?.n ?? 0);
  }
}

function encodeCursor(createdAt: number, id: string): string {
  return Buffer.from(JSON.stringify([createdAt, id])).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: number; id: string } {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    // A safe non-negative integer only: PostgreSQL refuses 1.5 or 1e20 for a BIGINT (a 500 for a forged cursor).
    if (Array.isArray(value) && Number.isSafeInteger(value[0]) && (value[0] as number) >= 0 && typeof value[1] === 'string')
      return { createdAt: value[0] as number, id: value[1] };
  } catch {
    // fall through
  }
  throw new IssuanceError(IssuanceErrorCodes.VALIDATION_FAILED, 'cursor is not one this API returned', {
    errors: ['cursor: is not a valid cursor'],
  });
}
