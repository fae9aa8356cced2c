import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { ConfigError, ErrorCodes, validateAgainstSchema, type JsonSchema } from '@relaypoint/core';
import schema from './WebhookSettings.schema.json' with { type: 'json' };
import type { WebhookSettings } from './WebhookSettings.types.js';

const webhookSettingsSchema: JsonSchema & { properties: Record<string, unknown> } = schema;

/** {@link WebhookSettings} with every default filled in. */
export type ResolvedWebhookSettings = Required<Omit<WebhookSettings, 'health' | 'retrySchedule'>> & {
  retrySchedule: readonly number[];
  health: Required<NonNullable<WebhookSettings['health']>>;
};

/** The default retry schedule, ms: delays before attempts 1..8 (Svix's), as the settings schema gives it. */
export const DEFAULT_RETRY_SCHEDULE: readonly number[] = Object.freeze([...schema.properties.retrySchedule.default]);

/**
 * Checks the tunables among `options` against `WebhookSettings.schema.json`
 * and fills in its defaults (the schema is the one place they are written).
 * Two defaults depend on something else and are filled in here: `leaseMs`
 * (`requestTimeoutMs × 2 + 5000`) and `workerId`. Throws a `ConfigError`
 * (`CONFIG_INVALID`) with one `webhooks.<path>: <message>` line per problem.
 */
export function resolveWebhookSettings(options: { readonly [Key in keyof WebhookSettings]?: unknown }): ResolvedWebhookSettings {
  // Only the schema's own keys, copied: ajv fills defaults in place, and the caller's object also holds the store, logger and hooks.
  const picked: Record<string, unknown> = {};
  for (const key of Object.keys(webhookSettingsSchema.properties)) {
    const value = options[key as keyof WebhookSettings];
    if (value !== undefined) picked[key] = structuredClone(value);
  }
  const errors = validateAgainstSchema(webhookSettingsSchema, picked, { pathPrefix: 'webhooks' });
  const settings = picked as ResolvedWebhookSettings;
  if (!errors.length) {
    settings.leaseMs ??= settings.requestTimeoutMs * 2 + 5000;
    settings.workerId ??= `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    if (settings.leaseMs <= settings.requestTimeoutMs) {
      errors.push('webhooks.leaseMs: must be longer than requestTimeoutMs, or a delivery in flight could be claimed twice');
    }
  }
  if (errors.length) throw new ConfigError(ErrorCodes.CONFIG_INVALID, errors);
  return settings;
}
