import type { JsonSchema } from '@relaypoint/core';

/**
 * JSON schemas of the API's request bodies and queries. The same objects
 * validate requests (ajv) and build `GET /openapi.json`, so the document
 * cannot drift from what the server accepts.
 */
const text = (max = 200): JsonSchema => ({ type: 'string', minLength: 1, maxLength: max });

export const issueRequestSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['connector', 'productId', 'customerId', 'amount', 'currency', 'reference'],
  properties: {
    connector: { ...text(63), description: 'Connector instance name from the host config (e.g. `airtime`).' },
    productId: { ...text(), description: "The provider's product id." },
    customerId: { ...text(), description: 'Your customer id.' },
    phoneNumber: {
      type: 'string',
      maxLength: 32,
      description: 'Recipient phone, E.164 (`+263771234567`). Required by airtime connectors.',
    },
    amount: {
      type: 'string',
      maxLength: 40,
      description: 'Decimal string in the currency\'s major unit (`"5.00"`). A JSON number is refused so no float ever carries money.',
      examples: ['5.00'],
    },
    currency: { type: 'string', pattern: '^[A-Z]{3}$', description: 'ISO 4217 code.' },
    reference: {
      type: 'string',
      pattern: '^[A-Za-z0-9._:-]{1,100}$',
      description: 'Your idempotency key: the same reference and body return the same issuance; a different body is a 409.',
    },
    metadata: {
      type: 'object',
      maxProperties: 20,
      additionalProperties: { type: 'string', maxLength: 500 },
      description: 'Free-form non-secret strings passed to the plugin.',
    },
  },
};

export const issuanceListQuerySchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { enum: ['in_flight', 'pending', 'unknown', 'succeeded', 'failed'] },
    connector: text(63),
    needs_attention: { enum: ['true', 'false'] },
    cursor: text(500),
    limit: { type: 'string', pattern: '^[1-9][0-9]{0,2}$', description: '1–200. Defaults to 50.' },
  },
};

export const pageQuerySchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    cursor: text(500),
    limit: { type: 'string', pattern: '^[1-9][0-9]{0,2}$' },
    status: { enum: ['pending', 'in_flight', 'delivered', 'failed'] },
  },
};

export const webhookCreateSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['url', 'events'],
  properties: {
    url: { type: 'string', format: 'uri', maxLength: 2000, description: 'Receiver URL (https unless the host allows http).' },
    events: { type: 'array', minItems: 1, maxItems: 50, uniqueItems: true, items: text(100), description: 'Event types, or `*` for all.' },
    description: { type: 'string', maxLength: 500 },
    active: { type: 'boolean' },
  },
};

export const webhookPatchSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: webhookCreateSchema.properties as Record<string, JsonSchema>,
};

export const rotateSecretSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    overlapMs: {
      type: 'integer',
      minimum: 0,
      maximum: 604800000,
      description: 'How long the old secret keeps signing too, ms. Defaults to 24 h.',
    },
  },
};

const instant: JsonSchema = {
  anyOf: [
    { type: 'string', format: 'date-time' },
    { type: 'integer', minimum: 0, maximum: 8640000000000000 },
  ],
  description: 'ISO 8601 date-time or epoch milliseconds.',
};

export const replaySchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['from', 'to'],
  properties: { from: instant, to: instant },
};

export const eventPublishSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'data'],
  properties: {
    type: { ...text(100), description: 'Event type from the catalogue (e.g. `customer.enrolled`).' },
    data: { type: 'object', description: "Validated against the type's schema." },
    id: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,100}$', description: 'Your event id; publishing the same id again is a no-op.' },
  },
};
