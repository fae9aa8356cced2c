/* Generated from Scenario.schema.json by scripts/codegen.mjs (json-schema-to-typescript). Do not edit: change the schema and run `npm run codegen`. */

export type Decimal = string;
/**
 * `*` (every model's issue route), or `<model id>.<route name>` of a model the simulator serves (`airtime.issue`, `giftcard.order`); on the fault proxy without a model, `proxy.<METHOD> <path>`. Checked against the running models.
 */
export type RouteSelector = string;

/**
 * Faults and provider state to apply, replayable from `seed`.
 */
export interface Scenario {
  seed?: number;
  /**
   * Opening balances per model id: a decimal in the first account's first currency (`"10.00"`), or decimals per currency (`{ "EUR": "5.00" }`).
   */
  balances?: {
    [k: string]:
      | Decimal
      | {
          [k: string]: Decimal;
        };
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
  /**
   * Matches the request path as sent (`/airtime/issue`, query excluded): exact, or a prefix ending in `*`.
   */
  path?: string;
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
