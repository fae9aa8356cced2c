import type { Migration } from '@relaypoint/store';

const common = [
  `CREATE TABLE webhook_subscriptions (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    description TEXT,
    active INTEGER NOT NULL,
    status TEXT NOT NULL,
    disabled_reason TEXT,
    secret TEXT NOT NULL,
    previous_secret TEXT,
    previous_expires_at BIGINT,
    failure_count INTEGER NOT NULL DEFAULT 0,
    first_failure_at BIGINT,
    draining INTEGER NOT NULL DEFAULT 0,
    drain_next_at BIGINT NOT NULL DEFAULT 0,
    deleted_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
  )`,
  'CREATE INDEX webhook_subscriptions_tenant ON webhook_subscriptions (tenant_id, id)',
  'CREATE INDEX webhook_subscriptions_draining ON webhook_subscriptions (draining)',
  `CREATE TABLE webhook_events (
    key TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    id TEXT NOT NULL,
    type TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (tenant_id, id)
  )`,
  `CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    subscription_id TEXT NOT NULL,
    event_key TEXT NOT NULL,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    event_created_at BIGINT NOT NULL,
    status TEXT NOT NULL,
    held INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    lease_until BIGINT,
    worker TEXT,
    last_status INTEGER,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    delivered_at BIGINT,
    UNIQUE (subscription_id, event_key)
  )`,
  // The claim walks this partial index in due order and never sees held or finished rows.
  "CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending' AND held = 0",
  // A paused or disabled endpoint's backlog, released in order by the drain.
  "CREATE INDEX webhook_deliveries_held ON webhook_deliveries (subscription_id, next_attempt_at) WHERE status = 'pending' AND held = 1",
  "CREATE INDEX webhook_deliveries_lease ON webhook_deliveries (lease_until) WHERE status = 'in_flight'",
  'CREATE INDEX webhook_deliveries_status ON webhook_deliveries (status, created_at)',
  'CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries (subscription_id, id)',
  'CREATE INDEX webhook_deliveries_replay ON webhook_deliveries (subscription_id, event_created_at)',
];

const indexesV2 = [
  'DROP INDEX webhook_deliveries_status',
  "CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (created_at) WHERE status = 'pending'",
  "CREATE INDEX webhook_deliveries_failed ON webhook_deliveries (created_at) WHERE status = 'failed'",
];

const indexDueBySubscription =
  "CREATE INDEX webhook_deliveries_due_sub ON webhook_deliveries (subscription_id, next_attempt_at) WHERE status = 'pending' AND held = 0";

const addPreviousSecrets = 'ALTER TABLE webhook_subscriptions ADD COLUMN previous_secrets TEXT';
/** Copies an unexpired single previous secret of the old columns into the list (`expr` builds the JSON text, `now` is the server's time in epoch ms). */
const copyPreviousSecret = (expr: string, now: string) =>
  `UPDATE webhook_subscriptions SET previous_secrets = ${expr}
   WHERE previous_secret IS NOT NULL AND previous_expires_at IS NOT NULL AND previous_expires_at > ${now} AND deleted_at IS NULL`;

/** Schema of the webhook service (namespace `webhooks`): subscriptions, events, deliveries (the outbox) and attempts. */
export const webhookMigrations: Migration[] = [
  {
    id: 1,
    name: 'subscriptions, events, deliveries, attempts',
    sqlite: [
      ...common,
      `CREATE TABLE webhook_attempts (
        id INTEGER PRIMARY KEY,
        delivery_id TEXT NOT NULL,
        at BIGINT NOT NULL,
        status_code INTEGER,
        latency_ms INTEGER NOT NULL,
        response_body TEXT NOT NULL,
        error_kind TEXT,
        error_message TEXT
      )`,
      'CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id)',
    ],
    postgres: [
      ...common,
      `CREATE TABLE webhook_attempts (
        id BIGSERIAL PRIMARY KEY,
        delivery_id TEXT NOT NULL,
        at BIGINT NOT NULL,
        status_code INTEGER,
        latency_ms INTEGER NOT NULL,
        response_body TEXT NOT NULL,
        error_kind TEXT,
        error_message TEXT
      )`,
      'CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id)',
    ],
  },
  {
    id: 2,
    name: 'partial status indexes instead of a full one on the hot path',
    // Every claim and every result moved a row's entry in (status, created_at)
    // twice; the stats need only pending and failed rows (in-flight ones are
    // counted through the lease index), and each partial index is touched
    // once in a delivery's life.
    sqlite: indexesV2,
    postgres: indexesV2,
  },
  {
    id: 3,
    name: 'due rows per subscription, for a fair claim',
    // The claim walks the due index in due order; when one subscription's
    // backlog fills that walk, it finds the other subscriptions with due rows
    // through this one (a skip scan over subscription_id, then each one's
    // oldest due rows), so a fresh event never waits behind another
    // endpoint's backlog.
    sqlite: [indexDueBySubscription],
    postgres: [indexDueBySubscription],
  },
  {
    id: 4,
    name: 'every rotated-out secret kept until its own expiry',
    // previous_secrets: JSON array of { secret, expiresAt (epoch ms) }, newest
    // first, instead of one previous_secret / previous_expires_at: rotating
    // twice within an overlap no longer drops a secret receivers may still
    // use. The old columns stay, for rolling deploys: a rotation still writes
    // the secret it replaced there (what a process on the previous version
    // signs with), and the dispatcher also signs with the one found there
    // (what a process on the previous version rotated out).
    sqlite: [
      addPreviousSecrets,
      copyPreviousSecret(
        "json_array(json_object('secret', previous_secret, 'expiresAt', previous_expires_at))",
        "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)",
      ),
    ],
    postgres: [
      addPreviousSecrets,
      copyPreviousSecret(
        "CAST(json_build_array(json_build_object('secret', previous_secret, 'expiresAt', previous_expires_at)) AS TEXT)",
        'CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)',
      ),
    ],
  },
];
