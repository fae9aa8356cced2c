/* Generated from reward.issued.v1.schema.json by scripts/codegen.mjs (json-schema-to-typescript). Do not edit: change the schema and run `npm run codegen`. */

/**
 * A reward was issued successfully through a provider connector.
 */
export interface RewardIssuedV1 {
  /**
   * Relaypoint's id of the issuance.
   */
  issuanceId: string;
  /**
   * The tenant's idempotency reference of the issuance.
   */
  reference: string;
  /**
   * The connector instance that issued it.
   */
  connector: string;
  /**
   * The provider product.
   */
  productId: string;
  /**
   * The tenant's customer id.
   */
  customerId: string;
  /**
   * Exact decimal amount as a string, e.g. "5.00".
   */
  amount: string;
  /**
   * ISO 4217 currency code.
   */
  currency: string;
  /**
   * Always "succeeded" for this event.
   */
  status: 'succeeded';
  /**
   * The provider's transaction id, when known.
   */
  transactionId?: string;
  /**
   * What the customer received. The full voucher code and PIN are never sent in a webhook: only the last four characters of the code.
   */
  voucher?: {
    /**
     * The last four characters of the voucher code.
     */
    codeLast4?: string;
    /**
     * Where the customer redeems the voucher.
     */
    redemptionUrl?: string;
  };
  /**
   * When the issuance succeeded (ISO 8601).
   */
  issuedAt: string;
}
