export { createWebhookService } from './createWebhookService.js';
export { DEFAULT_RETRY_SCHEDULE } from './resolveWebhookSettings.js';
export type { WebhookSettings } from './WebhookSettings.types.js';
export type {
  Attempt,
  CreateSubscriptionInput,
  DeliveriesApi,
  Delivery,
  DeliveryWithAttempts,
  DeliveryStatus,
  ErrorKind,
  HealthOptions,
  Page,
  PublishEvent,
  PublishResult,
  Subscription,
  SubscriptionsApi,
  SubscriptionStatus,
  TestEventResult,
  UpdateSubscriptionInput,
  WebhookMetrics,
  WebhookService,
  WebhookServiceOptions,
  WebhookStats,
} from './types.js';
export {
  eventCatalogue,
  eventTypes,
  validateEvent,
  normalizeEventData,
  testEventDefinition,
  validateTestEvent,
} from './events/eventCatalogue.js';
export type { EventDefinition } from './events/eventCatalogue.js';
export type { CustomerEnrolledV1 } from './events/customer.enrolled.v1.types.js';
export type { RewardIssuedV1 } from './events/reward.issued.v1.types.js';
export type { RewardRedeemedV1 } from './events/reward.redeemed.v1.types.js';
export type { RewardExpiredV1 } from './events/reward.expired.v1.types.js';
export type { BudgetThresholdV1 } from './events/budget.threshold.v1.types.js';
export type { WebhookTestV1 } from './events/webhook.test.v1.types.js';
export { signPayload, buildHeaders, legacySignature, generateSecret, USER_AGENT } from './signing.js';
export type { BuildHeadersInput } from './signing.js';
export { WebhookErrorCodes } from './errors/codes.js';
export type { WebhookErrorCode } from './errors/codes.js';
export { EventValidationError } from './errors/EventValidationError.js';
export { WebhookInputError } from './errors/WebhookInputError.js';
export { WebhookConflictError } from './errors/WebhookConflictError.js';
export { AddressPolicy } from './ssrf/AddressPolicy.js';
export type { SsrfOptions, Resolver } from './ssrf/SsrfGuard.js';
export { webhookMigrations } from './store/migrations.js';
