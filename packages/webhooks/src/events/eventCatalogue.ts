import { compileSchema, validateAgainstSchema, type JsonSchema } from '@relaypoint/core';
import customerEnrolled from './customer.enrolled.v1.schema.json' with { type: 'json' };
import rewardIssued from './reward.issued.v1.schema.json' with { type: 'json' };
import rewardRedeemed from './reward.redeemed.v1.schema.json' with { type: 'json' };
import rewardExpired from './reward.expired.v1.schema.json' with { type: 'json' };
import budgetThreshold from './budget.threshold.v1.schema.json' with { type: 'json' };
import webhookTest from './webhook.test.v1.schema.json' with { type: 'json' };

/** One entry of the event catalogue. */
export interface EventDefinition {
  /** Event type name, e.g. `reward.issued`. */
  type: string;
  /** Schema version of `data`; the schema file is `<type>.v<version>.schema.json`. */
  version: number;
  /** JSON schema (draft-07) of the event's `data`. */
  schema: JsonSchema;
  /** One line on when the event is published. */
  description: string;
}

/** A catalogue entry from a schema whose `$id` names the type and version. */
function definition(schema: { $id: string; description: string }): EventDefinition {
  const type = /\/events\/(.+)\.v(\d+)\.json$/.exec(schema.$id);
  if (!type) throw new Error(`schema ${schema.$id} has no versioned event $id`);
  return Object.freeze({ type: type[1], version: Number(type[2]), schema: schema as JsonSchema, description: schema.description });
}

/** Every event type a subscription can receive, with the schema of its `data` (the host renders these into its OpenAPI document). */
export const eventCatalogue: readonly EventDefinition[] = Object.freeze(
  [customerEnrolled, rewardIssued, rewardRedeemed, rewardExpired, budgetThreshold].map(definition),
);

/**
 * `webhook.test`: sent only on request to one subscription, whatever its
 * event filter. Not in {@link eventCatalogue} (nobody subscribes to it, and
 * `POST /v1/events` refuses it), but versioned and validated like the others.
 */
export const testEventDefinition: EventDefinition = definition(webhookTest);

/** The event type names, in catalogue order. */
export const eventTypes: readonly string[] = eventCatalogue.map((e) => e.type);

const schemas = new Map<string, JsonSchema>(eventCatalogue.map((e) => [e.type, e.schema]));
// Compile every schema at load (strict ajv): a schema mistake fails at import, not on the first publish.
for (const schema of [...schemas.values(), testEventDefinition.schema]) compileSchema(schema);

/**
 * Rewrites what a publisher may pass into what is sent: a `reward.issued`
 * voucher's full `code` becomes `codeLast4` and its `pin` is dropped, so a
 * voucher never leaves in a webhook. Returns a new object; the input is not
 * changed.
 */
export function normalizeEventData(type: string, data: unknown): unknown {
  if (type !== 'reward.issued' || typeof data !== 'object' || data === null || Array.isArray(data)) return data;
  const fields = data as Record<string, unknown>;
  const voucher = fields.voucher;
  if (typeof voucher !== 'object' || voucher === null || Array.isArray(voucher)) return data;
  const { code, pin: _pin, ...rest } = voucher as Record<string, unknown>;
  const masked: Record<string, unknown> = { ...rest };
  if (typeof code === 'string' && code.length > 0 && masked.codeLast4 === undefined) masked.codeLast4 = code.slice(-4);
  else if (code !== undefined && typeof code !== 'string') masked.code = code; // keep it so validation reports it
  return { ...fields, voucher: masked };
}

/**
 * Validates `data` for an event type (after {@link normalizeEventData}) with
 * core's strict ajv: `[]` when valid, else one `path: message` line per
 * problem (`data.amount: must match pattern /…/`). An unknown type gives one
 * line.
 */
export function validateEvent(type: string, data: unknown): string[] {
  const schema = schemas.get(type);
  if (!schema) return [`type: unknown event type "${type}" (known: ${eventTypes.join(', ')})`];
  return validateAgainstSchema(schema, normalizeEventData(type, data), { pathPrefix: 'data' });
}

/** Validates a `webhook.test` event's `data` ({@link testEventDefinition}): `[]` when valid, else `path: message` lines. */
export function validateTestEvent(data: unknown): string[] {
  return validateAgainstSchema(testEventDefinition.schema, data, { pathPrefix: 'data' });
}
