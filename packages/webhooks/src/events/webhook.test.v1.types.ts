/* Generated from webhook.test.v1.schema.json by scripts/codegen.mjs (json-schema-to-typescript). Do not edit: change the schema and run `npm run codegen`. */

/**
 * A test event sent on request to one subscription (POST /v1/webhooks/{id}/test), whatever its event filter; not subscribable.
 */
export interface WebhookTestV1 {
  /**
   * The subscription the test was sent to.
   */
  subscriptionId: string;
  /**
   * A fixed human-readable line; receivers should acknowledge the event and otherwise ignore it.
   */
  message: string;
}
