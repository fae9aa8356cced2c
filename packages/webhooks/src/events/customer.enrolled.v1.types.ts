/* Generated from customer.enrolled.v1.schema.json by scripts/codegen.mjs (json-schema-to-typescript). Do not edit: change the schema and run `npm run codegen`. */

/**
 * A customer joined a rewards programme.
 */
export interface CustomerEnrolledV1 {
  /**
   * The tenant's customer id.
   */
  customerId: string;
  /**
   * The programme the customer joined, when the tenant has several.
   */
  programId?: string;
  /**
   * When the customer enrolled (ISO 8601).
   */
  enrolledAt: string;
}
