import { eventCatalogue, testEventDefinition } from '@relaypoint/webhooks';
import type { JsonSchema } from '@relaypoint/core';
import { HOST_VERSION } from '../version.js';
import {
  eventPublishSchema,
  issuanceListQuerySchema,
  issueRequestSchema,
  pageQuerySchema,
  replaySchema,
  rotateSecretSchema,
  webhookCreateSchema,
  webhookPatchSchema,
} from './apiSchemas.js';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: JsonSchema) => ({ 'application/json': { schema } });
const ok = (description: string, schema: JsonSchema = { type: 'object' }) => ({ description, content: json(schema) });
const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ref('Problem') } } });
const errors = {
  '400': problem('Malformed JSON, validation failure (`errors` lists `path: message` lines)'),
  '401': problem('Missing or unknown API key'),
  '404': problem('No such resource for this tenant'),
  '413': problem('Body larger than server.bodyLimit'),
  '415': problem('Body is not application/json'),
};

function queryParams(schema: JsonSchema) {
  return Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>).map(([name, s]) => ({
    name,
    in: 'query',
    required: false,
    schema: s,
  }));
}
const idParam = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } });

const issuanceSchema: JsonSchema = {
  type: 'object',
  required: [
    'id',
    'reference',
    'tenantId',
    'connector',
    'status',
    'productId',
    'customerId',
    'amount',
    'currency',
    'needsAttention',
    'createdAt',
    'updatedAt',
  ],
  properties: {
    id: { type: 'string' },
    reference: { type: 'string' },
    tenantId: { type: 'string' },
    providerReference: { type: 'string', description: 'What the provider sees: `<tenantId>:<reference>`.' },
    connector: { type: 'string' },
    status: { enum: ['in_flight', 'pending', 'unknown', 'succeeded', 'failed'] },
    productId: { type: 'string' },
    customerId: { type: 'string' },
    phoneNumber: { type: 'string' },
    amount: { type: 'string', description: "Decimal string with the currency's decimals." },
    currency: { type: 'string' },
    metadata: { type: 'object', additionalProperties: { type: 'string' } },
    transactionId: { type: 'string' },
    voucher: {
      type: 'object',
      properties: { code: { type: 'string' }, pin: { type: 'string' }, redemptionUrl: { type: 'string' }, expiresAt: { type: 'string' } },
    },
    providerCode: { type: 'string' },
    providerMessage: { type: 'string' },
    error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } },
    needsAttention: { type: 'boolean' },
    sends: { type: 'integer' },
    checks: { type: 'integer' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
    completedAt: { type: 'string', format: 'date-time' },
    nextCheckAt: { type: 'string', format: 'date-time' },
  },
};

/** The OpenAPI 3.1 document of the HTTP API, built from the schemas that validate requests. */
export function buildOpenApi(): Record<string, unknown> {
  const events = eventCatalogue.map((e) => ({
    type: 'object',
    required: ['type', 'data'],
    properties: { type: { const: e.type }, id: (eventPublishSchema.properties as Record<string, JsonSchema>).id, data: e.schema },
    description: e.description,
  }));
  return {
    openapi: '3.1.0',
    info: {
      title: 'Relaypoint host API',
      version: HOST_VERSION,
      description:
        'Issue value through provider connectors; signed, durable webhooks. Every error is application/problem+json with a stable `code`.',
    },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'A tenant API key (or the admin key with X-Relaypoint-Tenant).' },
      },
      schemas: {
        Problem: {
          description:
            'The body of every error answer (RFC 9457 problem details, `application/problem+json`). `code` is stable; docs/reference/errors.md lists every code with its meaning.',
          type: 'object',
          required: ['type', 'title', 'status', 'detail', 'code'],
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            code: { type: 'string', description: 'Stable error code: branch on it, never on `detail`. See docs/reference/errors.md.' },
            errors: { type: 'array', items: { type: 'string' } },
            requestId: { type: 'string' },
            reason: {
              type: 'string',
              description:
                "PROVIDER_REJECTED and PROVIDER_NOT_SENT: the failed issuance's `error.code`, why it failed (a Relaypoint code such as PROVIDER_UNREACHABLE, or the provider's code).",
            },
            providerCode: {
              type: 'string',
              description:
                "PROVIDER_REJECTED: the provider's code for the refusal, or Relaypoint's when the provider gave none or the plugin refused the request before sending it. PROVIDER_NOT_SENT: only a code the provider answered with.",
            },
            issuance: { $ref: '#/components/schemas/Issuance' },
          },
        },
        IssueRequest: issueRequestSchema,
        Issuance: issuanceSchema,
        WebhookCreate: webhookCreateSchema,
        WebhookPatch: webhookPatchSchema,
        Replay: replaySchema,
        RotateSecret: rotateSecretSchema,
        EventPublish: { oneOf: events },
        WebhookTestEventData: {
          ...testEventDefinition.schema,
          description: `\`${testEventDefinition.type}\` v${testEventDefinition.version}: ${testEventDefinition.description}`,
        },
        WebhookTestQueued: {
          type: 'object',
          required: ['eventId', 'deliveryId', 'subscriptionId'],
          properties: {
            eventId: { type: 'string' },
            deliveryId: { type: 'string', description: 'Sent as `webhook-id`; `GET /v1/deliveries/{id}` shows its attempts.' },
            subscriptionId: { type: 'string' },
          },
        },
      },
    },
    security: [{ bearer: [] }],
    paths: {
      '/v1/issuances': {
        post: {
          summary: 'Issue value once per reference',
          requestBody: { required: true, content: json(ref('IssueRequest')) },
          responses: {
            '200': ok('Idempotent repeat: the same reference and body; the existing issuance (terminal)', ref('Issuance')),
            '201': ok('Issued (succeeded)', ref('Issuance')),
            '202': ok('Accepted, not terminal yet (in_flight, pending or unknown); it is reconciled in the background', ref('Issuance')),
            '409': problem('REFERENCE_CONFLICT: the reference was used with a different body'),
            '422': problem('PROVIDER_REJECTED: the provider refused; `providerCode` and `issuance` say why'),
            '503': problem(
              'PROVIDER_NOT_SENT: the provider could not be reached and nothing was sent; `reason` says why, `issuance` is the failed record',
            ),
            ...errors,
          },
        },
        get: {
          summary: 'List issuances, newest first',
          parameters: queryParams(issuanceListQuerySchema),
          responses: {
            '200': ok('A page', {
              type: 'object',
              properties: { items: { type: 'array', items: ref('Issuance') }, nextCursor: { type: 'string' } },
            }),
            ...errors,
          },
        },
      },
      '/v1/issuances/{reference}': {
        get: {
          summary: 'One issuance by reference',
          parameters: [idParam('reference')],
          responses: { '200': ok('The issuance', ref('Issuance')), ...errors },
        },
      },
      '/v1/webhooks': {
        post: {
          summary: 'Subscribe; the answer carries the signing secret (once)',
          requestBody: { required: true, content: json(ref('WebhookCreate')) },
          responses: { '201': ok('Created, with `secret` (whsec_…)'), ...errors },
        },
        get: {
          summary: 'List subscriptions',
          parameters: queryParams(pageQuerySchema).filter((p) => p.name !== 'status'),
          responses: { '200': ok('A page'), ...errors },
        },
      },
      '/v1/webhooks/{id}': {
        get: { parameters: [idParam('id')], responses: { '200': ok('The subscription'), ...errors } },
        patch: {
          parameters: [idParam('id')],
          requestBody: { required: true, content: json(ref('WebhookPatch')) },
          responses: { '200': ok('Updated; `active: true` resumes a paused one'), ...errors },
        },
        delete: {
          parameters: [idParam('id')],
          responses: { '204': { description: 'Deleted (its deliveries stay in the log)' }, ...errors },
        },
      },
      '/v1/webhooks/{id}/rotate-secret': {
        post: {
          parameters: [idParam('id')],
          requestBody: { required: false, content: json(ref('RotateSecret')) },
          responses: { '200': ok('The new secret; the old one keeps signing during the overlap'), ...errors },
        },
      },
      '/v1/webhooks/{id}/test': {
        post: {
          summary:
            'Send one `webhook.test` event to this subscription alone (whatever its event filter), through the outbox: signed, SSRF-checked, retried and logged',
          parameters: [idParam('id')],
          responses: {
            '202': ok(
              'Queued, due now; `Location` is the delivery (follow its attempts there). The body sent has `type: webhook.test` and `data` as WebhookTestEventData',
              ref('WebhookTestQueued'),
            ),
            '409': problem(
              'SUBSCRIPTION_DELETED: the webhook was deleted, or SUBSCRIPTION_INACTIVE: it is paused or disabled (resume it with `active: true` first)',
            ),
            ...errors,
          },
        },
      },
      '/v1/webhooks/{id}/deliveries': {
        get: { parameters: [idParam('id'), ...queryParams(pageQuerySchema)], responses: { '200': ok('A page of deliveries'), ...errors } },
      },
      '/v1/webhooks/{id}/replay': {
        post: {
          parameters: [idParam('id')],
          requestBody: { required: true, content: json(ref('Replay')) },
          responses: { '202': ok('Scheduled (same webhook-id per event)'), ...errors },
        },
      },
      '/v1/deliveries/{id}': { get: { parameters: [idParam('id')], responses: { '200': ok('A delivery with its attempts'), ...errors } } },
      '/v1/deliveries/{id}/retry': {
        post: {
          parameters: [idParam('id')],
          responses: {
            '202': ok('Due now (queued until re-enabled for a paused or disabled webhook)'),
            '409': problem(
              'DELIVERY_IN_FLIGHT: an attempt is being made now (retry after it; its outcome is in the attempt log), or SUBSCRIPTION_DELETED: the webhook was deleted',
            ),
            ...errors,
          },
        },
      },
      '/v1/events': {
        post: {
          summary: "Publish an event to the tenant's subscribers",
          requestBody: { required: true, content: json(ref('EventPublish')) },
          responses: { '202': ok('Accepted: `{ id, deliveries, duplicate }`'), ...errors },
        },
      },
      '/v1/connectors': {
        get: {
          summary: 'Connector instances: plugin, version, capabilities, breaker state',
          responses: { '200': ok('The instances'), ...errors },
        },
      },
      '/v1/tenants': {
        get: { summary: 'Tenants (admin key)', responses: { '200': ok('The tenants'), '403': problem('Not the admin key'), ...errors } },
      },
      '/healthz': { get: { security: [], responses: { '200': ok('The process is up') } } },
      '/readyz': {
        get: { security: [], responses: { '200': ok('Store reachable, migrations applied; breaker states'), '503': ok('Not ready') } },
      },
      '/metrics': {
        get: {
          security: [],
          responses: { '200': { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } } },
        },
      },
      '/openapi.json': { get: { security: [], responses: { '200': ok('This document') } } },
    },
  };
}
