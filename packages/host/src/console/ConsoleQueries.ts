import type { Database } from '@relaypoint/store';
import { HostError, HostErrorCodes } from '../HostError.js';
import { toRecord, type IssuanceRecord, type IssuanceRow, type IssuanceStatus } from '../issuance/IssuanceRecord.js';

/** Filters of the console's issuance list. */
export interface IssuanceSearch {
  status?: IssuanceStatus;
  connector?: string;
  /** References that start with this text. */
  reference?: string;
  /** Created at or after, epoch ms. */
  from?: number;
  /** Created before, epoch ms. */
  to?: number;
  cursor?: string;
  /** Rows per page, 1–200. Defaults to 50. */
  limit?: number;
}

/** A webhook delivery an issuance's event caused. */
export interface CausedDelivery {
  id: string;
  subscriptionId: string;
  url: string;
  status: string;
  attempts: number;
  lastStatus?: number;
  lastError?: string;
  createdAt: number;
  deliveredAt?: number;
}

/** A subscription's recent delivery figures. */
export interface SubscriptionHealth {
  /** Deliveries looked at (the most recent ones, up to 100). */
  recent: number;
  delivered: number;
  failed: number;
  pending: number;
  /** Delivered over finished (delivered + failed) among them; absent when none finished. */
  successRate?: number;
  lastError?: string;
}

/**
 * The console's reads that the `/v1` API does not offer: issuance search by
 * reference prefix and time, the deliveries an issuance caused, and
 * subscription health. Read-only SQL over the `issuances`,
 * `webhook_events`, `webhook_deliveries` and `webhook_subscriptions` tables,
 * each through an index the owning package already keeps.
 */
export class ConsoleQueries {
  constructor(
    private readonly db: Database,
    private readonly maxAgeMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** A page of issuances, newest first; `tenantId` null for every tenant (admin). */
  async issuances(tenantId: string | null, search: IssuanceSearch): Promise<{ items: IssuanceRecord[]; nextCursor?: string }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, ...values: unknown[]) => {
      let text = sql;
      for (const v of values) {
        params.push(v);
        text = text.replace('?', `$${params.length}`);
      }
      where.push(text);
    };
    if (tenantId !== null) add('tenant_id = ?', tenantId);
    if (search.status) add('status = ?', search.status);
    if (search.connector) add('connector = ?', search.connector);
    // A prefix as a range, so both engines can walk the (tenant_id, reference) index.
    if (search.reference) add('reference >= ? AND reference < ?', search.reference, `${search.reference}\u{10FFFF}`);
    if (search.from !== undefined) add('created_at >= ?', search.from);
    if (search.to !== undefined) add('created_at < ?', search.to);
    if (search.cursor) {
      const c = decodeCursor(search.cursor);
      add('(created_at < ? OR (created_at = ? AND id < ?))', c.createdAt, c.createdAt, c.id);
    }
    const limit = Math.min(Math.max(search.limit ?? 50, 1), 200);
    params.push(limit + 1);
    const rows = await this.db.query<IssuanceRow>(
      `SELECT * FROM issuances ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    const now = this.now();
    const items = rows.slice(0, limit).map((r) => toRecord(r, now, this.maxAgeMs));
    const last = rows.length > limit ? rows[limit - 1] : undefined;
    return {
      items,
      ...(last ? { nextCursor: Buffer.from(JSON.stringify([Number(last.created_at), last.id])).toString('base64url') } : {}),
    };
  }

  /** The deliveries of the `reward.issued` event an issuance published (`evt_<issuance id>`). */
  async deliveriesOfIssuance(tenantId: string, issuanceId: string): Promise<CausedDelivery[]> {
    const rows = await this.db.query<Record<string, unknown>>(
      `SELECT d.id, d.subscription_id, s.url, d.status, d.attempts, d.last_status, d.last_error, d.created_at, d.delivered_at
         FROM webhook_events e
         JOIN webhook_subscriptions s ON s.tenant_id = e.tenant_id
         JOIN webhook_deliveries d ON d.subscription_id = s.id AND d.event_key = e.key
        WHERE e.tenant_id = $1 AND e.id = $2
        ORDER BY d.created_at, d.id`,
      [tenantId, `evt_${issuanceId}`],
    );
    return rows.map((r) => ({
      id: String(r.id),
      subscriptionId: String(r.subscription_id),
      url: String(r.url),
      status: String(r.status),
      attempts: Number(r.attempts),
      ...(r.last_status !== null && r.last_status !== undefined ? { lastStatus: Number(r.last_status) } : {}),
      ...(r.last_error ? { lastError: String(r.last_error) } : {}),
      createdAt: Number(r.created_at),
      ...(r.delivered_at !== null && r.delivered_at !== undefined ? { deliveredAt: Number(r.delivered_at) } : {}),
    }));
  }

  /** Delivery figures over a subscription's 100 most recent deliveries. */
  async subscriptionHealth(tenantId: string, subscriptionId: string): Promise<SubscriptionHealth> {
    const rows = await this.db.query<{ status: string; last_error: string | null }>(
      `SELECT status, last_error FROM webhook_deliveries WHERE subscription_id = $2 AND tenant_id = $1 ORDER BY event_created_at DESC LIMIT 100`,
      [tenantId, subscriptionId],
    );
    let delivered = 0;
    let failed = 0;
    let lastError: string | undefined;
    for (const r of rows) {
      if (r.status === 'delivered') delivered++;
      else if (r.status === 'failed') failed++;
      if (!lastError && r.last_error && r.status !== 'delivered') lastError = r.last_error;
    }
    const finished = delivered + failed;
    return {
      recent: rows.length,
      delivered,
      failed,
      pending: rows.length - finished,
      ...(finished > 0 ? { successRate: delivered / finished } : {}),
      ...(lastError ? { lastError } : {}),
    };
  }
}

function decodeCursor(cursor: string): { createdAt: number; id: string } {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && Number.isSafeInteger(v[0]) && (v[0] as number) >= 0 && typeof v[1] === 'string')
      return { createdAt: v[0] as number, id: v[1] };
  } catch {
    // fall through
  }
  throw new HostError(400, HostErrorCodes.VALIDATION_FAILED, 'cursor is not one this API returned', {
    errors: ['query.cursor: is not a valid cursor'],
  });
}
