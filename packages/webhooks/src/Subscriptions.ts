import type { Clock } from '@relaypoint/core';
import type { Database } from '@relaypoint/store';
import { eventTypes } from './events/eventCatalogue.js';
import { WebhookInputError } from './errors/WebhookInputError.js';
import { newId } from './ids.js';
import { generateSecret } from './signing.js';
import type { SsrfGuard } from './ssrf/SsrfGuard.js';
import {
  decodeCursor,
  encodeCursor,
  MAX_PREVIOUS_SECRETS,
  pageLimit,
  parsePreviousSecrets,
  SUBSCRIPTION_COLUMNS,
  toSubscription,
  type PreviousSecret,
  type SubscriptionRow,
} from './store/rows.js';
import type { CreateSubscriptionInput, Page, Subscription, SubscriptionsApi, UpdateSubscriptionInput } from './types.js';

function checkEvents(events: unknown): string[] {
  if (!Array.isArray(events) || events.length === 0)
    throw WebhookInputError.invalid('events', 'events must be a non-empty array of event types or "*"');
  const out = new Set<string>();
  for (const type of events) {
    if (typeof type !== 'string' || (type !== '*' && !eventTypes.includes(type))) {
      throw WebhookInputError.invalid('events', `unknown event type ${JSON.stringify(type)} (known: ${eventTypes.join(', ')}, or "*")`);
    }
    out.add(type);
  }
  return out.has('*') ? ['*'] : [...out];
}

function checkDescription(description: unknown): string | null {
  if (description === undefined || description === null) return null;
  if (typeof description !== 'string' || description.length > 500)
    throw WebhookInputError.invalid('description', 'description must be a string of at most 500 characters');
  return description;
}

/** Subscription management over the store, tenant-scoped. */
export class Subscriptions implements SubscriptionsApi {
  constructor(
    private readonly db: Database,
    private readonly guard: SsrfGuard,
    private readonly clock: Clock,
    private readonly secretOverlapMs: number,
    /** Told after a change commits, so this process' dispatcher sends nothing queued with what it was (Dispatcher.subscriptionChanged). */
    private readonly onChange: (id: string, change: { deleted?: boolean }) => void = () => {},
  ) {}

  /**
   * Creates a subscription and returns it with its secret. An active one of
   * the tenant's with the same URL and the same events is returned instead
   * (with its secret, `existing: true`): subscribing twice by accident would
   * deliver each event twice.
   */
  async create(tenantId: string, input: CreateSubscriptionInput): Promise<Subscription & { secret: string; existing?: boolean }> {
    const url = this.guard.checkUrl(input.url);
    const events = checkEvents(input.events);
    const description = checkDescription(input.description);
    const active = input.active ?? true;
    if (active) {
      // The same URL and events again (a pasted command run twice) would deliver every event twice: answer the one there is.
      const same = await this.db.query<SubscriptionRow & { secret: string }>(
        `SELECT ${SUBSCRIPTION_COLUMNS}, secret FROM webhook_subscriptions WHERE tenant_id = $1 AND url = $2 AND deleted_at IS NULL AND status = 'active'`,
        [tenantId, url],
      );
      const wanted = [...events].sort().join(',');
      const existing = same.find((r) => (JSON.parse(r.events) as string[]).sort().join(',') === wanted);
      if (existing) return { ...toSubscription(existing), secret: existing.secret, existing: true };
    }
    const now = this.clock.now();
    const secret = generateSecret();
    const id = newId('sub', now);
    const [row] = await this.db.query<SubscriptionRow>(
      `INSERT INTO webhook_subscriptions (id, tenant_id, url, events, description, active, status, disabled_reason, secret, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING ${SUBSCRIPTION_COLUMNS}`,
      [
        id,
        tenantId,
        url,
        JSON.stringify(events),
        description,
        active ? 1 : 0,
        active ? 'active' : 'disabled',
        active ? null : 'deactivated',
        secret,
        now,
      ],
    );
    return { ...toSubscription(row), secret };
  }

  async get(tenantId: string, id: string): Promise<Subscription | null> {
    const row = await this.row(tenantId, id);
    return row ? toSubscription(row) : null;
  }

  private async row(tenantId: string, id: string): Promise<SubscriptionRow | null> {
    const [row] = await this.db.query<SubscriptionRow>(
      `SELECT ${SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions WHERE id = $1 AND tenant_id = $2 AND deleted_at IS NULL`,
      [id, tenantId],
    );
    return row ?? null;
  }

  async list(tenantId: string, options: { cursor?: string; limit?: number } = {}): Promise<Page<Subscription>> {
    const after = decodeCursor(options.cursor) ?? '';
    const limit = pageLimit(options.limit);
    const rows = await this.db.query<SubscriptionRow>(
      `SELECT ${SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions WHERE tenant_id = $1 AND deleted_at IS NULL AND id > $2 ORDER BY id LIMIT $3`,
      [tenantId, after, limit + 1],
    );
    const items = rows.slice(0, limit).map(toSubscription);
    return rows.length > limit ? { items, nextCursor: encodeCursor(items[items.length - 1].id) } : { items };
  }

  async update(tenantId: string, id: string, patch: UpdateSubscriptionInput): Promise<Subscription | null> {
    const sets: string[] = [];
    const params: unknown[] = [id, tenantId, this.clock.now()];
    const set = (col: string, v: unknown) => {
      params.push(v);
      sets.push(`${col} = $${params.length}`);
    };
    if (patch.url !== undefined) set('url', this.guard.checkUrl(patch.url));
    if (patch.events !== undefined) set('events', JSON.stringify(checkEvents(patch.events)));
    if (patch.description !== undefined) set('description', checkDescription(patch.description));
    return this.db
      .transaction(async (tx) => {
        const [current] = await tx.query<SubscriptionRow>(
          `SELECT ${SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions WHERE id = $1 AND tenant_id = $2 AND deleted_at IS NULL${tx.dialect === 'postgres' ? ' FOR UPDATE' : ''}`,
          [id, tenantId],
        );
        if (!current) return null;
        let stop = false;
        if (patch.active === true && (current.status !== 'active' || Number(current.active) !== 1)) {
          // Re-enabled: its backlog (held rows) drains at the throttled rate.
          sets.push(
            "active = 1, status = 'active', disabled_reason = NULL, failure_count = 0, first_failure_at = NULL, draining = 1, drain_next_at = 0",
          );
        } else if (patch.active === false && Number(current.active) === 1) {
          sets.push("active = 0, status = 'disabled', disabled_reason = 'deactivated', draining = 0");
          stop = true;
        }
        const [row] = await tx.query<SubscriptionRow>(
          `UPDATE webhook_subscriptions SET updated_at = $3${sets.length ? ', ' + sets.join(', ') : ''} WHERE id = $1 AND tenant_id = $2 RETURNING ${SUBSCRIPTION_COLUMNS}`,
          params,
        );
        if (stop) await tx.execute("UPDATE webhook_deliveries SET held = 1 WHERE subscription_id = $1 AND status = 'pending'", [id]);
        return toSubscription(row);
      })
      .then((updated) => {
        if (updated) this.onChange(id, {});
        return updated;
      });
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    const now = this.clock.now();
    return this.db
      .transaction(async (tx) => {
        const deleted = await tx.execute(
          "UPDATE webhook_subscriptions SET deleted_at = $3, active = 0, status = 'disabled', disabled_reason = 'deleted', draining = 0, updated_at = $3 WHERE id = $1 AND tenant_id = $2 AND deleted_at IS NULL",
          [id, tenantId, now],
        );
        if (deleted.rowCount === 0) return false;
        // Kept in the log, visibly finished: nothing will be sent for a deleted endpoint.
        await tx.execute(
          "UPDATE webhook_deliveries SET status = 'failed', held = 1, last_error = 'subscription deleted' WHERE subscription_id = $1 AND status = 'pending'",
          [id],
        );
        return true;
      })
      .then((deleted) => {
        if (deleted) this.onChange(id, { deleted: true });
        return deleted;
      });
  }

  /**
   * Replaces the secret. The one replaced keeps signing deliveries (after
   * the new one) until `previousExpiresAt`, and so does every secret rotated
   * out before it until its own expiry: rotating twice within an overlap
   * drops nothing a receiver may still verify with. Expired previous secrets
   * are pruned here; at most {@link MAX_PREVIOUS_SECRETS} are kept (the
   * oldest beyond that are dropped at once). Read and written in one
   * transaction, the row locked on PostgreSQL, so concurrent rotations each
   * keep the secret the other replaced.
   */
  async rotateSecret(
    tenantId: string,
    id: string,
    options: { overlapMs?: number } = {},
  ): Promise<{ secret: string; previousExpiresAt: number } | null> {
    const overlap = options.overlapMs ?? this.secretOverlapMs;
    if (!Number.isFinite(overlap) || overlap < 0)
      throw WebhookInputError.invalid('overlapMs', 'overlapMs must be a non-negative number of milliseconds');
    const now = this.clock.now();
    const secret = generateSecret();
    const previousExpiresAt = now + overlap;
    const rotated = await this.db.transaction(async (tx) => {
      const [current] = await tx.query<{ secret: string; previous_secrets: string | null }>(
        `SELECT secret, previous_secrets FROM webhook_subscriptions WHERE id = $1 AND tenant_id = $2 AND deleted_at IS NULL${tx.dialect === 'postgres' ? ' FOR UPDATE' : ''}`,
        [id, tenantId],
      );
      if (!current) return false;
      const previous: PreviousSecret[] = [
        { secret: current.secret, expiresAt: previousExpiresAt },
        ...parsePreviousSecrets(current.previous_secrets),
      ]
        .filter((p) => p.expiresAt > now)
        .slice(0, MAX_PREVIOUS_SECRETS);
      // previous_secret / previous_expires_at (the layout before migration 4) are kept current too: a process still on
      // the previous version, during a rolling deploy, signs with the secret this rotation replaced.
      await tx.execute(
        'UPDATE webhook_subscriptions SET secret = $3, previous_secrets = $4, previous_secret = $5, previous_expires_at = $6, updated_at = $7 WHERE id = $1 AND tenant_id = $2',
        [id, tenantId, secret, previous.length ? JSON.stringify(previous) : null, current.secret, previousExpiresAt, now],
      );
      return true;
    });
    if (!rotated) return null;
    this.onChange(id, {});
    return { secret, previousExpiresAt };
  }
}
