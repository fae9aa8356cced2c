/**
 * Stable error codes of the webhook service. Callers branch on these (or on
 * `instanceof`), never on message text.
 */
export const WebhookErrorCodes = {
  /** A published event's `data` does not match its type's JSON schema (or the type is unknown); `errors` lists `path: message` lines. Nothing was stored. */
  EVENT_INVALID: 'EVENT_INVALID',
  /** A subscription URL is refused: not http(s), http where only https is allowed, credentials in the URL, or a literal private/loopback/link-local address (SSRF guard). */
  WEBHOOK_URL_FORBIDDEN: 'WEBHOOK_URL_FORBIDDEN',
  /** A subscription or list input is malformed (empty events, unknown event type, bad cursor, bad time range). */
  WEBHOOK_INPUT_INVALID: 'WEBHOOK_INPUT_INVALID',
  /** A retry of a delivery that is being attempted right now: its outcome lands in its attempt log; retry after that. Nothing changed. */
  DELIVERY_IN_FLIGHT: 'DELIVERY_IN_FLIGHT',
  /** A retry of a delivery whose subscription was deleted: nothing is sent for a deleted endpoint. Nothing changed. */
  SUBSCRIPTION_DELETED: 'SUBSCRIPTION_DELETED',
  /** A test event for a paused or disabled subscription: the dispatcher sends only to active endpoints; resume it (`active: true`) first. Nothing was stored. */
  SUBSCRIPTION_INACTIVE: 'SUBSCRIPTION_INACTIVE',
} as const;

/** One of {@link WebhookErrorCodes}. */
export type WebhookErrorCode = (typeof WebhookErrorCodes)[keyof typeof WebhookErrorCodes];
