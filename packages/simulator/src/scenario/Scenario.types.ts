/* Generated from Scenario.schema.json by scripts/codegen.mjs (json-schema-to-typescript). Do not edit: change the schema and run `npm run codegen`. */

export type Decimal = string;
export type RouteSelector =
  | '*'
  | 'airtime.issue'
  | 'airtime.status'
  | 'airtime.lookup'
  | 'giftcard.products'
  | 'giftcard.order'
  | 'giftcard.status'
  | 'giftcard.lookup';

/**
 * Faults and provider state to apply, replayable from `seed`.
 */
export interface Scenario {
  seed?: number;
  balances?: {
    airtime?: Decimal;
    giftcard?: Decimal;
  };
  /**
   * Airtime issues answer 503 OPERATOR_UNAVAILABLE.
   */
  operatorDown?: boolean;
  /**
   * Overrides the config's window.
   */
  recentRechargeWindowMs?: number;
  rules?: Rule[];
}
export interface Rule {
  name?: string;
  route?: RouteSelector;
  reference?: string;
  /**
   * @minItems 1
   */
  attempts?: [number, ...number[]];
  calls?: Calls;
  probability?: number;
  fault: import('./Fault.js').Fault | import('./Fault.js').Fault[];
}
export interface Calls {
  first?: number;
  every?: number;
  from?: number;
  to?: number;
}
