import type { Attempt, Delivery, DeliveryStatus, ErrorKind, Subscription, SubscriptionStatus } from '../types.js';
import { WebhookInputError } from '../errors/WebhookInputError.js';

/** A `webhook_subscriptions` row. */
export interface SubscriptionRow {
  id: string;
  tenant_id: string;
  url: string;
  events: string;
  description: string | null;
  active: number;
  status: string;
  disabled_reason: string | null;
  secret: string;
  /** JSON array of {@link PreviousSecret}, newest first (see {@link parsePreviousSecrets}); NULL when the secret was never rotated. */
  previous_secrets: string | null;
  deleted_at: number | null;
  created_at: number;
  updated_at: number;
}

/** A `webhook_deliveries` row. */
export interface DeliveryRow {
  id: string;
  tenant_id: string;
  subscription_id: string;
  event_key: string;
  event_id: string;
  event_type: string;
  status: string;
  attempts: number;
  next_attempt_at: number;
  last_status: number | null;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
}

/** Columns of {@link DeliveryRow}, for SELECT and RETURNING. */
export const DELIVERY_COLUMNS =
  'id, tenant_id, subscription_id, event_key, event_id, event_type, status, attempts, next_attempt_at, last_status, last_error, created_at, delivered_at';

/** Columns of {@link SubscriptionRow}. */
export const SUBSCRIPTION_COLUMNS =
  'id, tenant_id, url, events, description, active, status, disabled_reason, secret, previous_secrets, deleted_at, created_at, updated_at';

/** A rotated-out secret, still signing deliveries until `expiresAt` (epoch ms, exclusive). */
export interface PreviousSecret {
  secret: string;
  expiresAt: number;
}

/** Most previous secrets a subscription keeps; rotating past that drops the oldest at once. */
export const MAX_PREVIOUS_SECRETS = 10;

/**
 * The `previous_secrets` column, newest first. Never throws: a value that is
 * not a JSON array of `{ secret, expiresAt }` reads as no previous secrets
 * (one bad row must not stop the dispatcher's claim transaction).
 */
export function parsePreviousSecrets(json: string | null | undefined): PreviousSecret[] {
  if (!json) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  const out: PreviousSecret[] = [];
  for (const entry of parsed as unknown[]) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { secret, expiresAt } = entry as { secret?: unknown; expiresAt?: unknown };
    const at = typeof expiresAt === 'string' ? Number(expiresAt) : expiresAt;
    if (typeof secret === 'string' && secret !== '' && typeof at === 'number' && Number.isFinite(at)) out.push({ secret, expiresAt: at });
  }
  return out;
}

export function toSubscription(row: SubscriptionRow): Subscription {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    url: row.url,
    events: JSON.parse(row.events) as string[],
    ...(row.description !== null ? { description: row.description } : {}),
    active: Number(row.active) === 1,
    status: row.status as SubscriptionStatus,
    ...(row.disabled_reason !== null ? { disabledReason: row.disabled_reason } : {}),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export function toDelivery(row: DeliveryRow): Delivery {
  return {
    id: row.id,
    eventId: row.event_id,
    eventType: row.event_type,
    subscriptionId: row.subscription_id,
    status: row.status as DeliveryStatus,
    attempts: Number(row.attempts),
    nextAttemptAt: Number(row.next_attempt_at),
    ...(row.last_status !== null ? { lastStatus: Number(row.last_status) } : {}),
    ...(row.last_error !== null ? { lastError: row.last_error } : {}),
    createdAt: Number(row.created_at),
    ...(row.delivered_at !== null ? { deliveredAt: Number(row.delivered_at) } : {}),
  };
}

/** A `webhook_attempts` row. */
export interface AttemptRow {
  at: number;
  status_code: number | null;
  latency_ms: number;
  response_body: string;
  error_kind: string | null;
}

export function toAttempt(row: AttemptRow): Attempt {
  return {
    at: Number(row.at),
    ...(row.status_code !== null ? { statusCode: Number(row.status_code) } : {}),
    latencyMs: Number(row.latency_ms),
    responseBody: row.response_body,
    ...(row.error_kind !== null ? { errorKind: row.error_kind as ErrorKind } : {}),
  };
}

/** Opaque page cursor: the last id of the previous page. */
export function encodeCursor(lastId: string): string {
  return Buffer.from(lastId, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[a-z]+_[0-9A-Z]{26}$/.test(id)) throw WebhookInputError.invalid('cursor', 'cursor is not valid');
  return id;
}

/** A page size within 1..200. Defaults to 50. */
export function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return 50;
  if (!Number.isInteger(limit) || limit < 1) throw WebhookInputError.invalid('limit', 'limit must be a positive integer');
  return Math.min(limit, 200);
}
