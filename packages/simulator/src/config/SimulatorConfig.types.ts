/* Generated from SimulatorConfig.schema.json by scripts/codegen.mjs (json-schema-to-typescript). Do not edit: change the schema and run `npm run codegen`. */

export type Currency = string;
/**
 * A decimal amount in major units, e.g. "5.00".
 */
export type Decimal = string;

/**
 * Accounts, keys, secrets, balances and products of the simulated providers. Every field has a default (DEFAULT_CONFIG).
 */
export interface SimulatorConfig {
  airtime?: AirtimeConfig;
  giftcard?: GiftcardConfig;
}
export interface AirtimeConfig {
  currency?: Currency;
  /**
   * @minItems 1
   */
  accounts?: [Account, ...Account[]];
  /**
   * @minItems 1
   */
  products?: [AirtimeProduct, ...AirtimeProduct[]];
  /**
   * Same phone number within this window → 429 PHONE_RECENTLY_RECHARGED. 0 (default) turns it off.
   */
  recentRechargeWindowMs?: number;
}
export interface Account {
  id: string;
  /**
   * Secret.
   */
  apiKey: string;
  /**
   * HMAC secret of the airtime X-Signature. Secret.
   */
  secret?: string;
  balance: Decimal;
  /**
   * Balances in other currencies than the section's (`{ "EUR": "100.00" }`); a currency not listed is unlimited.
   */
  balances?: {
    [k: string]: Decimal;
  };
}
export interface AirtimeProduct {
  id: string;
  name?: string;
  /**
   * Defaults to the section's currency.
   */
  currency?: string;
  minAmount: Decimal;
  maxAmount: Decimal;
  pending?: Pending;
}
/**
 * Makes transactions of the product stay pending for `polls` status reads, or `ms` milliseconds, then resolve to `outcome`.
 */
export interface Pending {
  polls?: number;
  ms?: number;
  outcome: 'success' | 'failed';
}
export interface GiftcardConfig {
  currency?: Currency;
  /**
   * @minItems 1
   */
  accounts?: [Account, ...Account[]];
  /**
   * @minItems 1
   */
  products?: [GiftcardProduct, ...GiftcardProduct[]];
}
export interface GiftcardProduct {
  id: string;
  brand: string;
  name?: string;
  currency: Currency;
  /**
   * Fixed denominations; exclusive with minAmount/maxAmount.
   *
   * @minItems 1
   */
  denominations?: [Decimal, ...Decimal[]];
  minAmount?: Decimal;
  maxAmount?: Decimal;
  pending?: Pending;
}
