/* Generated from reward.redeemed.v1.schema.json by scripts/codegen.mjs (json-schema-to-typescript). Do not edit: change the schema and run `npm run codegen`. */

/**
 * A customer redeemed a reward.
 */
export interface RewardRedeemedV1 {
  /**
   * The issuance reference the reward came from, when known.
   */
  reference?: string;
  /**
   * The tenant's customer id.
   */
  customerId: string;
  /**
   * The reward that was redeemed.
   */
  rewardId: string;
  /**
   * When it was redeemed (ISO 8601).
   */
  redeemedAt: string;
}
