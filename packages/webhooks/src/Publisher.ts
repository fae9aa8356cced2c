import type { Clock } from '@relaypoint/core';
import type { Database, SqlExecutor } from '@relaypoint/store';
import { normalizeEventData, validateEvent } from './events/eventCatalogue.js';
import { EventValidationError } from './errors/EventValidationError.js';
import { WebhookInputError } from './errors/WebhookInputError.js';
import { newId } from './ids.js';
import type { PublishEvent, PublishResult } from './types.js';

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

  private prepare(event: PublishEvent): { id: string; type: string; body: string; now: number } {
    if (typeof event !== 'object' || event === null) throw new EventValidationError('unknown', ['event: must be an object']);
    const errors = validateEvent(event.type, event.data);
    if (errors.length) throw new EventValidationError(String(event.type), errors);
    if (event.id !== undefined && (typeof event.id !== 'string' || !/^[A-Za-z0-9._:-]{1,128}$/.test(event.id))) {
      throw WebhookInputError.invalid('id', 'event id must be 1-128 characters of [A-Za-z0-9._:-]');
    }
    const now = this.clock.now();
    const id = event.id ?? newId('evt', now);
    const body = JSON.stringify({ type: event.type, timestamp: new Date(now).toISOString(), data: normalizeEventData(event.type, event.data) });
    return { id, type: event.type, body, now };
  }

  private async write(tx: SqlExecutor, tenantId: string, e: { id: string; type: string; body: string; now: number }): Promise<PublishResult> {
    const key = newId('evk', e.now);
    const inserted = await tx.query<{ key: string }>(
      'INSERT INTO webhook_events (key, tenant_id, id, type, body, created_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tenant_id, id) DO NOTHING RETURNING key',
      [key, tenantId, e.id, e.type, e.body, e.now],
    );
    if (!inserted.length) {
      // Published before (possibly by a concurrent transaction that has now committed): nothing new.
      const [row] = await tx.query<{ n: number }>(
        'SELECT COUNT(*) AS n FROM webhook_deliveries d JOIN webhook_events ev ON ev.key = d.event_key WHERE ev.tenant_id = $1 AND ev.id = $2',
        [tenantId, e.id],
      );
      return { id: e.id, deliveries: Number(row?.n ?? 0), duplicate: true };
    }
    const subs = await tx.query<{ id: string; status: string; events: string }>(
      'SELECT id, status, events FROM webhook_subscriptions WHERE tenant_id = $1 AND active = 1 AND deleted_at IS NULL',
      [tenantId],
    );
    const matching = subs.filter((s) => {
      const ev = JSON.parse(s.events) as string[];
      return ev.includes('*') || ev.includes(e.type);
    });
    // Multi-row inserts keep the round trips (and SQLite's per-statement cost) low for wide fan-out.
    for (let i = 0; i < matching.length; i += 50) {
      const chunk = matching.slice(i, i + 50);
      const params: unknown[] = [tenantId, key, e.id, e.type, e.now, e.now + this.firstDelayMs];
      const values = chunk.map((s) => {
        params.push(newId('msg', e.now), s.id, s.status === 'paused' ? 1 : 0);
        const n = params.length;
        return `($${n - 2}, $1, $${n - 1}, $2, $3, $4, $5, 'pending', $${n}, 0, $6, $5)`;
      });
      await tx.execute(
        `INSERT INTO webhook_deliveries (id, tenant_id, subscription_id, event_key, event_id, event_type, event_created_at, status, held, attempts, next_attempt_at, created_at) VALUES ${values.join(', ')}`,
        params,
      );
    }
    return { id: e.id, deliveries: matching.length, duplicate: false };
  }
}
