/* Generated from budget.threshold.v1.schema.json by scripts/codegen.mjs (json-schema-to-typescript). Do not edit: change the schema and run `npm run codegen`. */

/**
 * A budget's spending crossed a configured percentage of its limit.
 */
export interface BudgetThresholdV1 {
  /**
   * The budget.
   */
  budgetId: string;
  /**
   * The threshold crossed, in percent of the limit.
   */
  thresholdPercent: number;
  /**
   * Exact decimal amount as a string, e.g. "5.00".
   */
  spent: string;
  /**
   * Exact decimal amount as a string, e.g. "5.00".
   */
  limit: string;
  /**
   * ISO 4217 currency code.
   */
  currency: string;
  /**
   * When the threshold was crossed (ISO 8601).
   */
  at: string;
}
