import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Clock } from '@relaypoint/core';
import { DeliveryLog } from './DeliveryLog.js';
import { Dispatcher, type DispatcherSettings } from './Dispatcher.js';
import { HttpSender } from './HttpSender.js';
import { Publisher } from './Publisher.js';
import { SsrfGuard } from './ssrf/SsrfGuard.js';
import { webhookMigrations } from './store/migrations.js';
import { Subscriptions } from './Subscriptions.js';
import type { WebhookService, WebhookServiceOptions, WebhookStats } from './types.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** The default retry schedule, ms: delays before attempts 1..8 (Svix's). */
export const DEFAULT_RETRY_SCHEDULE: readonly number[] = Object.freeze([0, 5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR]);

function positive(name: string, v: number | undefined, dflt: number, min = 1): number {
  const x = v ?? dflt;
  if (!Number.isFinite(x) || x < min) throw new RangeError(`webhooks: ${name} must be a number >= ${min} (got ${String(v)})`);
  return x;
}

/**
 * Creates the webhook service over a store: runs the `webhooks` migrations,
 * then returns subscriptions, publishing, the delivery log and the
 * dispatcher (not started: call `start()`).
 */
export async function createWebhookService(options: WebhookServiceOptions): Promise<WebhookService> {
  const { db } = options;
  const clock: Clock = options.clock ?? { now: () => Date.now() };
  const retrySchedule = [...(options.retrySchedule ?? DEFAULT_RETRY_SCHEDULE)];
  if (!retrySchedule.length || retrySchedule.some((d) => !Number.isFinite(d) || d < 0)) throw new RangeError('webhooks: retrySchedule must be a non-empty list of delays >= 0 ms');
  const requestTimeoutMs = positive('requestTimeoutMs', options.requestTimeoutMs, 15_000);
  const concurrency = positive('concurrency', options.concurrency, 32);
  const settings: DispatcherSettings = {
    retrySchedule,
    jitter: Math.min(1, Math.max(0, options.jitter ?? 0.2)),
    maxRetryAfterMs: positive('maxRetryAfterMs', options.maxRetryAfterMs, HOUR, 0),
    concurrency,
    perSubscriptionConcurrency: positive('perSubscriptionConcurrency', options.perSubscriptionConcurrency, 4),
    batchSize: positive('batchSize', options.batchSize, 100),
    pollIntervalMs: positive('pollIntervalMs', options.pollIntervalMs, 250),
    leaseMs: positive('leaseMs', options.leaseMs, requestTimeoutMs * 2 + 5000),
    pauseAfterMs: positive('health.pauseAfterMs', options.health?.pauseAfterMs, 24 * HOUR, 0),
    minFailures: positive('health.minFailures', options.health?.minFailures, 5),
    drainRatePerSecond: positive('health.drainRatePerSecond', options.health?.drainRatePerSecond, 10),
    workerId: options.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`,
  };
  if (settings.leaseMs <= requestTimeoutMs) throw new RangeError('webhooks: leaseMs must be longer than requestTimeoutMs, or a delivery in flight could be claimed twice');
  const secretOverlapMs = positive('secretOverlapMs', options.secretOverlapMs, 24 * HOUR, 0);

  await db.migrate('webhooks', webhookMigrations);

  const guard = new SsrfGuard(options.ssrf);
  const sender = new HttpSender(guard, requestTimeoutMs, concurrency, () => clock.now());
  const dispatcher = new Dispatcher(db, sender, clock, settings, options.logger?.child({ component: 'webhooks' }), options.metrics);
  const publisher = new Publisher(db, clock, retrySchedule[0]);

  return {
    subscriptions: new Subscriptions(db, guard, clock, secretOverlapMs, (id, change) => dispatcher.subscriptionChanged(id, change)),
    deliveries: new DeliveryLog(db, clock),
    publish: (tenantId, event) => publisher.publish(tenantId, event),
    publishWith: (tx, tenantId, event) => publisher.publishWith(tx, tenantId, event),
    async stats(): Promise<WebhookStats> {
      // Literal statuses, so each count walks its partial index (a bound parameter would not match one).
      const count = async (sql: string) => Number((await db.query<{ n: number }>(sql))[0].n);
      const [oldest] = await db.query<{ at: number | null }>("SELECT MIN(created_at) AS at FROM webhook_deliveries WHERE status = 'pending'");
      const at = oldest?.at === null || oldest?.at === undefined ? null : Number(oldest.at);
      return {
        pending: await count("SELECT COUNT(*) AS n FROM webhook_deliveries WHERE status = 'pending'"),
        oldestPendingAgeMs: at === null ? null : Math.max(0, clock.now() - at),
        inFlight: await count("SELECT COUNT(*) AS n FROM webhook_deliveries WHERE status = 'in_flight'"),
        failed: await count("SELECT COUNT(*) AS n FROM webhook_deliveries WHERE status = 'failed'"),
      };
    },
    start: () => dispatcher.start(),
    stop: (o) => dispatcher.stop(o?.graceMs),
  };
}
