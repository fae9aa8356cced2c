import { systemClock, type Clock } from '@relaypoint/core';
import { GroupCommit } from '@relaypoint/store';
import { DeliveryLog } from './DeliveryLog.js';
import { Dispatcher } from './dispatch/Dispatcher.js';
import { HttpSender } from './HttpSender.js';
import { Publisher } from './Publisher.js';
import { resolveWebhookSettings } from './resolveWebhookSettings.js';
import { SsrfGuard } from './ssrf/SsrfGuard.js';
import { webhookMigrations } from './store/migrations.js';
import { Subscriptions } from './Subscriptions.js';
import type { WebhookService, WebhookServiceOptions, WebhookStats } from './types.js';

/**
 * Creates the webhook service over a store: checks the options (a
 * `ConfigError` naming each bad one), runs the `webhooks` migrations, then
 * returns subscriptions, publishing, the delivery log and the dispatcher
 * (not started: call `start()`).
 */
export async function createWebhookService(options: WebhookServiceOptions): Promise<WebhookService> {
  const { db } = options;
  const settings = resolveWebhookSettings(options);
  const clock: Clock = options.clock ?? systemClock;

  await db.migrate('webhooks', webhookMigrations);

  const guard = new SsrfGuard(options.ssrf);
  const sender = new HttpSender(guard, settings.requestTimeoutMs, settings.concurrency, () => clock.now());
  const dispatcher = new Dispatcher(
    db,
    options.groupCommit ?? new GroupCommit(db),
    sender,
    clock,
    settings,
    options.logger?.child({ component: 'webhooks' }),
    options.metrics,
  );
  const publisher = new Publisher(db, clock, settings.retrySchedule[0]);

  return {
    subscriptions: new Subscriptions(db, guard, clock, settings.secretOverlapMs, (id, change) =>
      dispatcher.subscriptionChanged(id, change),
    ),
    deliveries: new DeliveryLog(db, clock),
    publish: (tenantId, event) => publisher.publish(tenantId, event),
    publishWith: (tx, tenantId, event) => publisher.publishWith(tx, tenantId, event),
    sendTestEvent: (tenantId, subscriptionId) => publisher.publishTest(tenantId, subscriptionId),
    async stats(): Promise<WebhookStats> {
      // Literal statuses, so each count walks its partial index (a bound parameter would not match one).
      const count = async (sql: string) => Number((await db.query<{ n: number }>(sql))[0].n);
      const [oldest] = await db.query<{ at: number | null }>(
        "SELECT MIN(created_at) AS at FROM webhook_deliveries WHERE status = 'pending'",
      );
      const at = oldest?.at === null || oldest?.at === undefined ? null : Number(oldest.at);
      return {
        pending: await count("SELECT COUNT(*) AS n FROM webhook_deliveries WHERE status = 'pending'"),
        oldestPendingAgeMs: at === null ? null : Math.max(0, clock.now() - at),
        inFlight: await count("SELECT COUNT(*) AS n FROM webhook_deliveries WHERE status = 'in_flight'"),
        failed: await count("SELECT COUNT(*) AS n FROM webhook_deliveries WHERE status = 'failed'"),
      };
    },
    start: () => dispatcher.start(),
    stop: (stopOptions) => dispatcher.stop(stopOptions?.graceMs),
  };
}
