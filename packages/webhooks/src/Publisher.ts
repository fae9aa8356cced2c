import type { Clock } from '@relaypoint/core';
import type { Database, SqlExecutor } from '@relaypoint/store';
import { normalizeEventData, testEventDefinition, validateEvent, validateTestEvent } from './events/eventCatalogue.js';
import { WebhookErrorCodes } from './errors/codes.js';
import { EventValidationError } from './errors/EventValidationError.js';
import { WebhookConflictError } from './errors/WebhookConflictError.js';
import { WebhookInputError } from './errors/WebhookInputError.js';
import { newId } from './ids.js';
import type { PublishEvent, PublishResult, TestEventResult } from './types.js';

/**
 * Writes an event and its deliveries (the outbox) in one transaction. The
 * body is serialised once here and stored with the event, so every attempt,
 * retry and replay sends the same bytes.
 */
export class Publisher {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly firstDelayMs: number,
  ) {}

  async publish(tenantId: string, event: PublishEvent): Promise<PublishResult> {
    const prepared = this.prepare(event);
    return this.db.transaction((tx) => this.write(tx, tenantId, prepared));
  }

  async publishWith(tx: SqlExecutor, tenantId: string, event: PublishEvent): Promise<PublishResult> {
    return this.write(tx, tenantId, this.prepare(event));
  }

  /**
   * Queues one `webhook.test` event for one subscription, whatever its event
   * filter, through the outbox like any other (signed, SSRF-checked, retried,
   * logged): `null` for an unknown or another tenant's subscription.
   */
  async publishTest(tenantId: string, subscriptionId: string): Promise<TestEventResult | null> {
    const data = { subscriptionId, message: 'Test event sent on request from Relaypoint.' };
    const errors = validateTestEvent(data);
    if (errors.length) throw new EventValidationError(testEventDefinition.type, errors);
    return this.db.transaction(async (tx) => {
      const [subscription] = await tx.query<{ status: string; deleted_at: number | string | null }>(
        `SELECT status, deleted_at FROM webhook_subscriptions WHERE id = $1 AND tenant_id = $2${tx.dialect === 'postgres' ? ' FOR SHARE' : ''}`,
        [subscriptionId, tenantId],
      );
      if (!subscription) return null;
      if (subscription.deleted_at !== null)
        throw new WebhookConflictError(
          WebhookErrorCodes.SUBSCRIPTION_DELETED,
          `webhook subscription "${subscriptionId}" was deleted; nothing is sent to a deleted endpoint`,
        );
      // The dispatcher sends only to active endpoints (a queued row of a paused one is held): refused rather than left waiting.
      if (subscription.status !== 'active') {
        throw new WebhookConflictError(
          WebhookErrorCodes.SUBSCRIPTION_INACTIVE,
          `webhook subscription "${subscriptionId}" is ${subscription.status}; resume it (active: true) before sending a test event`,
        );
      }
      const now = this.clock.now();
      const eventId = newId('evt', now);
      const key = newId('evk', now);
      const deliveryId = newId('msg', now);
      const type = testEventDefinition.type;
      const body = JSON.stringify({ type, timestamp: new Date(now).toISOString(), data });
      await tx.execute('INSERT INTO webhook_events (key, tenant_id, id, type, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)', [
        key,
        tenantId,
        eventId,
        type,
        body,
        now,
      ]);
      await tx.execute(
        `INSERT INTO webhook_deliveries (id, tenant_id, subscription_id, event_key, event_id, event_type, event_created_at, status, held, attempts, next_attempt_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0, 0, $7, $7)`,
        [deliveryId, tenantId, subscriptionId, key, eventId, type, now],
      );
      return { eventId, deliveryId, subscriptionId };
    });
  }

  private prepare(event: PublishEvent): { id: string; type: string; body: string; now: number } {
    if (typeof event !== 'object' || event === null) throw new EventValidationError('unknown', ['event: must be an object']);
    const errors = validateEvent(event.type, event.data);
    if (errors.length) throw new EventValidationError(String(event.type), errors);
    if (event.id !== undefined && (typeof event.id !== 'string' || !/^[A-Za-z0-9._:-]{1,128}$/.test(event.id))) {
      throw WebhookInputError.invalid('id', 'event id must be 1-128 characters of [A-Za-z0-9._:-]');
    }
    const now = this.clock.now();
    const id = event.id ?? newId('evt', now);
    const body = JSON.stringify({
      type: event.type,
      timestamp: new Date(now).toISOString(),
      data: normalizeEventData(event.type, event.data),
    });
    return { id, type: event.type, body, now };
  }

  private async write(
    tx: SqlExecutor,
    tenantId: string,
    event: { id: string; type: string; body: string; now: number },
  ): Promise<PublishResult> {
    const key = newId('evk', event.now);
    const inserted = await tx.query<{ key: string }>(
      'INSERT INTO webhook_events (key, tenant_id, id, type, body, created_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tenant_id, id) DO NOTHING RETURNING key',
      [key, tenantId, event.id, event.type, event.body, event.now],
    );
    if (!inserted.length) {
      // Published before (possibly by a concurrent transaction that has now committed): nothing new.
      const [row] = await tx.query<{ n: number }>(
        'SELECT COUNT(*) AS n FROM webhook_deliveries d JOIN webhook_events ev ON ev.key = d.event_key WHERE ev.tenant_id = $1 AND ev.id = $2',
        [tenantId, event.id],
      );
      return { id: event.id, deliveries: Number(row?.n ?? 0), duplicate: true };
    }
    const subs = await tx.query<{ id: string; status: string; events: string }>(
      'SELECT id, status, events FROM webhook_subscriptions WHERE tenant_id = $1 AND active = 1 AND deleted_at IS NULL',
      [tenantId],
    );
    const matching = subs.filter((subscription) => {
      const types = JSON.parse(subscription.events) as string[];
      return types.includes('*') || types.includes(event.type);
    });
    // Multi-row inserts keep the round trips (and SQLite's per-statement cost) low for wide fan-out.
    for (let i = 0; i < matching.length; i += 50) {
      const chunk = matching.slice(i, i + 50);
      const params: unknown[] = [tenantId, key, event.id, event.type, event.now, event.now + this.firstDelayMs];
      const values = chunk.map((subscription) => {
        params.push(newId('msg', event.now), subscription.id, subscription.status === 'paused' ? 1 : 0);
        const last = params.length;
        return `($${last - 2}, $1, $${last - 1}, $2, $3, $4, $5, 'pending', $${last}, 0, $6, $5)`;
      });
      await tx.execute(
        `INSERT INTO webhook_deliveries (id, tenant_id, subscription_id, event_key, event_id, event_type, event_created_at, status, held, attempts, next_attempt_at, created_at) VALUES ${values.join(', ')}`,
        params,
      );
    }
    return { id: event.id, deliveries: matching.length, duplicate: false };
  }
}
