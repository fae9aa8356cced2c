import type { Clock, Logger } from '@relaypoint/core';
import type { Database, GroupCommit, SqlExecutor } from '@relaypoint/store';
import type { SsrfOptions } from './ssrf/SsrfGuard.js';
import type { WebhookSettings } from './WebhookSettings.types.js';

/** Why an attempt failed without (or besides) an HTTP status. */
export type ErrorKind = 'timeout' | 'dns' | 'refused' | 'reset' | 'tls' | 'ssrf_blocked' | 'http_status';

/** Lifecycle of a subscription: `paused` by endpoint health (still queues), `disabled` by 410, deactivation or deletion (queues nothing new). */
export type SubscriptionStatus = 'active' | 'paused' | 'disabled';

/** A tenant's webhook endpoint. The secret is only ever returned by `create` and `rotateSecret`. */
export interface Subscription {
  id: string;
  tenantId: string;
  url: string;
  /** Event types, or `['*']` for all. */
  events: string[];
  description?: string;
  /** What the tenant asked for; `false` stops new deliveries. */
  active: boolean;
  status: SubscriptionStatus;
  /** Why the subscription is paused or disabled. */
  disabledReason?: string;
  /** Epoch ms. */
  createdAt: number;
  /** Epoch ms. */
  updatedAt: number;
}

/** Where a delivery is. */
export type DeliveryStatus = 'pending' | 'in_flight' | 'delivered' | 'failed';

/** One event sent to one subscription (the outbox row). Its id is the `webhook-id` header, stable across retries and replays. */
export interface Delivery {
  /** `msg_…`, sent as `webhook-id`. */
  id: string;
  eventId: string;
  eventType: string;
  subscriptionId: string;
  status: DeliveryStatus;
  /** Attempts made so far. */
  attempts: number;
  /** When the next attempt is due, epoch ms. */
  nextAttemptAt: number;
  /** HTTP status of the last attempt. */
  lastStatus?: number;
  /** Error kind and message of the last failed attempt. */
  lastError?: string;
  /** Epoch ms. */
  createdAt: number;
  /** Epoch ms of the successful attempt. */
  deliveredAt?: number;
}

/** A delivery with its attempt log in place of the attempt count. */
export type DeliveryWithAttempts = Omit<Delivery, 'attempts'> & { attempts: Attempt[] };

/** One HTTP attempt of a delivery. */
export interface Attempt {
  /** When the request started, epoch ms. */
  at: number;
  statusCode?: number;
  latencyMs: number;
  /** The first 4 KiB of the response body (UTF-8). */
  responseBody: string;
  errorKind?: ErrorKind;
}

/** Hooks the host maps to its metrics (prom-client). All optional; they must not throw. */
export interface WebhookMetrics {
  /** Every attempt: its HTTP status, or the error kind when there was none. */
  onAttempt?(result: number | ErrorKind, latencyMs: number): void;
  /** A delivery succeeded; latency of the successful attempt. */
  onDelivered?(latencyMs: number): void;
  /** A delivery became `failed` (schedule exhausted or terminal error). */
  onFailed?(kind: ErrorKind): void;
  /** A failed attempt was scheduled for a retry. */
  onRetried?(): void;
  /** A subscription was paused by endpoint health or disabled by a 410. */
  onSubscriptionStopped?(status: 'paused' | 'disabled'): void;
}

/** Endpoint health: when a failing endpoint is paused, and how fast its backlog drains once resumed (defaults in `WebhookSettings`). */
export type HealthOptions = NonNullable<WebhookSettings['health']>;

/**
 * Options of {@link createWebhookService}: the store and hooks, plus the
 * tunables of {@link WebhookSettings} (each optional; the defaults are in
 * `WebhookSettings.schema.json` and stated on each field).
 */
export interface WebhookServiceOptions extends Omit<WebhookSettings, 'retrySchedule'> {
  /** The store (SQLite or PostgreSQL). Migrations (namespace `webhooks`) run at creation. */
  db: Database;
  /**
   * The store's group commit the dispatcher records and claims through (one unit per transaction). Pass the one
   * the rest of the process writes through to share commits and WAL syncs with it on SQLite. Defaults to one of
   * its own over `db`.
   */
  groupCommit?: GroupCommit;
  /** Structured logger. Secrets and bodies are never logged. Defaults to silent. */
  logger?: Logger;
  /** Delay before each attempt, ms; its length (at least 1) is the number of attempts. Defaults to `[0, 5s, 5m, 30m, 2h, 5h, 10h, 10h]`. */
  retrySchedule?: readonly number[];
  /** SSRF guard settings (on by default, https only, no private addresses). */
  ssrf?: SsrfOptions;
  /** Time source for schedules, leases and rotation. Defaults to core's `systemClock`. */
  clock?: Clock;
  /** Metrics hooks. */
  metrics?: WebhookMetrics;
}

/** An event to publish. */
export interface PublishEvent {
  /** Catalogue type, e.g. `reward.issued`. */
  type: string;
  /** Must match the type's schema. */
  data: unknown;
  /** Idempotency key within the tenant: publishing the same id again creates nothing. Defaults to a new `evt_…`. */
  id?: string;
}

/** What a publish did. */
export interface PublishResult {
  /** The event id. */
  id: string;
  /** Deliveries the event has (created now, or earlier for a duplicate). */
  deliveries: number;
  /** True when the event id was already published: nothing new was stored. */
  duplicate: boolean;
}

/** What `sendTestEvent` queued. */
export interface TestEventResult {
  /** The `webhook.test` event's id (`evt_…`). */
  eventId: string;
  /** The delivery (`msg_…`, sent as `webhook-id`); follow it with `deliveries.get`. */
  deliveryId: string;
  subscriptionId: string;
}

/** Input of `subscriptions.create`. */
export interface CreateSubscriptionInput {
  url: string;
  /** Event types, or `['*']`. */
  events: string[];
  description?: string;
  /** Defaults to true. */
  active?: boolean;
}

/** Input of `subscriptions.update`; absent fields are kept. */
export interface UpdateSubscriptionInput {
  url?: string;
  events?: string[];
  description?: string;
  /** `true` on a paused or disabled subscription re-enables it and drains its backlog at the throttled rate. */
  active?: boolean;
}

/** A page of a list. */
export interface Page<T> {
  items: T[];
  /** Pass back as `cursor` for the next page; absent on the last page. */
  nextCursor?: string;
}

/** Subscription management. Every call is scoped to a tenant: another tenant's id behaves as absent. */
export interface SubscriptionsApi {
  /** Creates one, or returns the tenant's active subscription with the same URL and events (`existing: true`), with its secret. */
  create(tenantId: string, input: CreateSubscriptionInput): Promise<Subscription & { secret: string; existing?: boolean }>;
  get(tenantId: string, id: string): Promise<Subscription | null>;
  list(tenantId: string, options?: { cursor?: string; limit?: number }): Promise<Page<Subscription>>;
  update(tenantId: string, id: string, patch: UpdateSubscriptionInput): Promise<Subscription | null>;
  /** Soft delete: the subscription disappears, its deliveries stay in the log (pending ones become `failed`). */
  delete(tenantId: string, id: string): Promise<boolean>;
  /** New secret; the old one keeps signing for `overlapMs` (defaults to `secretOverlapMs`). */
  rotateSecret(
    tenantId: string,
    id: string,
    options?: { overlapMs?: number },
  ): Promise<{ secret: string; previousExpiresAt: number } | null>;
}

/** The delivery log and manual controls. */
export interface DeliveriesApi {
  list(
    tenantId: string,
    subscriptionId: string,
    options?: { status?: DeliveryStatus; cursor?: string; limit?: number },
  ): Promise<Page<Delivery> | null>;
  /** One delivery with its attempt log (oldest first); `attempts` is the log here, its length the count. */
  get(tenantId: string, deliveryId: string): Promise<DeliveryWithAttempts | null>;
  /**
   * Makes a delivery due now (attempt count kept). A delivered one is sent again. Throws a
   * WebhookConflictError `DELIVERY_IN_FLIGHT` while an attempt is being made, and
   * `SUBSCRIPTION_DELETED` for a deleted webhook's delivery.
   */
  retry(tenantId: string, deliveryId: string): Promise<Delivery | null>;
  /** Makes every delivery of the subscription for events published in `[from, to)` (epoch ms) due now, same `webhook-id`s, with a fresh retry schedule. */
  replay(tenantId: string, subscriptionId: string, range: { from: number; to: number }): Promise<{ scheduled: number } | null>;
}

/** Queue figures for metrics. */
export interface WebhookStats {
  pending: number;
  /** Age of the oldest pending delivery, ms; null when none. */
  oldestPendingAgeMs: number | null;
  inFlight: number;
  failed: number;
}

/** The webhook service: subscriptions, publishing (outbox), the delivery log and the dispatcher. */
export interface WebhookService {
  subscriptions: SubscriptionsApi;
  /** Validates, then stores the event and one delivery per active matching subscription in one transaction. Throws `EventValidationError` (storing nothing). */
  publish(tenantId: string, event: PublishEvent): Promise<PublishResult>;
  /** Same as `publish`, inside the caller's transaction (outbox pattern): committed or rolled back with the caller's writes. */
  publishWith(tx: SqlExecutor, tenantId: string, event: PublishEvent): Promise<PublishResult>;
  /**
   * Queues one `webhook.test` event for this subscription alone, whatever its event filter, through the outbox
   * (SSRF guard, signing, retries and the attempt log apply), due now. `null` for an unknown or another tenant's
   * subscription; a WebhookConflictError `SUBSCRIPTION_DELETED` for a deleted one and `SUBSCRIPTION_INACTIVE` for a
   * paused or disabled one (resume it first). Nothing is stored when it throws.
   */
  sendTestEvent(tenantId: string, subscriptionId: string): Promise<TestEventResult | null>;
  deliveries: DeliveriesApi;
  stats(): Promise<WebhookStats>;
  /** Starts the dispatcher loop in this process. */
  start(): void;
  /** Stops claiming, waits for requests in flight (up to `graceMs`, default 10000), hands unsent claims back, and flushes results. */
  stop(options?: { graceMs?: number }): Promise<void>;
}
