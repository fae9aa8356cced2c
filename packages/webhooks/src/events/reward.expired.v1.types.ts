/* Generated from reward.expired.v1.schema.json by scripts/codegen.mjs (json-schema-to-typescript). Do not edit: change the schema and run `npm run codegen`. */

/**
 * A reward reached its expiry date unredeemed.
 */
export interface RewardExpiredV1 {
  /**
   * The issuance reference the reward came from, when known.
   */
  reference?: string;
  /**
   * The tenant's customer id.
   */
  customerId: string;
  /**
   * The reward that expired.
   */
  rewardId: string;
  /**
   * Exact decimal amount as a string, e.g. "5.00".
   */
  amount?: string;
  /**
   * ISO 4217 currency code.
   */
  currency?: string;
  /**
   * When it expired (ISO 8601).
   */
  expiredAt: string;
}
