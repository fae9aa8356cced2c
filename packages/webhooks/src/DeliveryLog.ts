import type { Clock } from '@relaypoint/core';
import type { Database } from '@relaypoint/store';
import { WebhookErrorCodes } from './errors/codes.js';
import { WebhookConflictError } from './errors/WebhookConflictError.js';
import { WebhookInputError } from './errors/WebhookInputError.js';
import {
  DELIVERY_COLUMNS,
  decodeCursor,
  encodeCursor,
  pageLimit,
  toAttempt,
  toDelivery,
  type AttemptRow,
  type DeliveryRow,
} from './store/rows.js';
import type { DeliveriesApi, Delivery, DeliveryStatus, DeliveryWithAttempts, Page } from './types.js';

const STATUSES: readonly DeliveryStatus[] = ['pending', 'in_flight', 'delivered', 'failed'];

/** The delivery log (read) and manual controls (retry, replay), tenant-scoped. */
export class DeliveryLog implements DeliveriesApi {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  private async subscription(tenantId: string, id: string, includeDeleted: boolean): Promise<{ status: string } | null> {
    const [row] = await this.db.query<{ status: string }>(
      `SELECT status FROM webhook_subscriptions WHERE id = $1 AND tenant_id = $2${includeDeleted ? '' : ' AND deleted_at IS NULL'}`,
      [id, tenantId],
    );
    return row ?? null;
  }

  async list(
    tenantId: string,
    subscriptionId: string,
    options: { status?: DeliveryStatus; cursor?: string; limit?: number } = {},
  ): Promise<Page<Delivery> | null> {
    if (!(await this.subscription(tenantId, subscriptionId, true))) return null;
    if (options.status !== undefined && !STATUSES.includes(options.status))
      throw WebhookInputError.invalid('status', `status must be one of ${STATUSES.join(', ')}`);
    const limit = pageLimit(options.limit);
    const params: unknown[] = [subscriptionId, decodeCursor(options.cursor) ?? '', limit + 1];
    let where = 'subscription_id = $1 AND id > $2';
    if (options.status) {
      params.push(options.status);
      where += ` AND status = $${params.length}`;
    }
    const rows = await this.db.query<DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE ${where} ORDER BY id LIMIT $3`,
      params,
    );
    const items = rows.slice(0, limit).map(toDelivery);
    return rows.length > limit ? { items, nextCursor: encodeCursor(items[items.length - 1].id) } : { items };
  }

  async get(tenantId: string, deliveryId: string): Promise<DeliveryWithAttempts | null> {
    const [row] = await this.db.query<DeliveryRow>(`SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = $1 AND tenant_id = $2`, [
      deliveryId,
      tenantId,
    ]);
    if (!row) return null;
    const attempts = await this.db.query<AttemptRow>(
      'SELECT at, status_code, latency_ms, response_body, error_kind FROM webhook_attempts WHERE delivery_id = $1 ORDER BY id',
      [deliveryId],
    );
    return { ...toDelivery(row), attempts: attempts.map(toAttempt) };
  }

  /**
   * Makes a delivery due now (a paused or disabled endpoint keeps it queued
   * until re-enabled). Refused with `DELIVERY_IN_FLIGHT` while an attempt is
   * being made (its outcome lands in the attempt log; retry after it), and
   * with `SUBSCRIPTION_DELETED` when its endpoint was deleted. Null for
   * another tenant's or an unknown delivery.
   */
  async retry(tenantId: string, deliveryId: string): Promise<Delivery | null> {
    const now = this.clock.now();
    return this.db.transaction(async (tx) => {
      const [row] = await tx.query<{ status: string; sub_status: string; deleted_at: number | null }>(
        `SELECT d.status, s.status AS sub_status, s.deleted_at FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id WHERE d.id = $1 AND d.tenant_id = $2`,
        [deliveryId, tenantId],
      );
      if (!row) return null;
      if (row.deleted_at !== null)
        throw new WebhookConflictError(
          WebhookErrorCodes.SUBSCRIPTION_DELETED,
          `delivery "${deliveryId}" belongs to a deleted webhook; nothing is sent for it`,
        );
      const updated = await tx.execute(
        "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $2, held = $3, delivered_at = NULL WHERE id = $1 AND status <> 'in_flight'",
        [deliveryId, now, row.sub_status === 'active' ? 0 : 1],
      );
      // Also when a dispatcher claimed it between the two statements (PostgreSQL): the attempt decides its state.
      if (updated.rowCount === 0) {
        throw new WebhookConflictError(
          WebhookErrorCodes.DELIVERY_IN_FLIGHT,
          `delivery "${deliveryId}" is being attempted now; its outcome will be in its attempt log, retry after that`,
        );
      }
      const [out] = await tx.query<DeliveryRow>(`SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = $1`, [deliveryId]);
      return toDelivery(out);
    });
  }

  async replay(tenantId: string, subscriptionId: string, range: { from: number; to: number }): Promise<{ scheduled: number } | null> {
    if (!Number.isFinite(range?.from) || !Number.isFinite(range?.to) || range.from > range.to) {
      throw WebhookInputError.invalid('range', 'replay needs from <= to, epoch milliseconds');
    }
    const sub = await this.subscription(tenantId, subscriptionId, false);
    if (!sub) return null;
    const replayed = await this.db.execute(
      `UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = $4, held = $5, delivered_at = NULL
       WHERE subscription_id = $1 AND event_created_at >= $2 AND event_created_at < $3 AND status <> 'in_flight'`,
      [subscriptionId, range.from, range.to, this.clock.now(), sub.status === 'active' ? 0 : 1],
    );
    return { scheduled: replayed.rowCount };
  }
}
