/* Generated from ReloadlyTopupRequest.schema.json by scripts/codegen.mjs (json-schema-to-typescript). Do not edit: change the schema and run `npm run codegen`. */

/**
 * Body of Reloadly's POST /topups and POST /topups-async, written by hand from Reloadly's airtime API reference (https://docs.reloadly.com/airtime/top-ups/top-up, https://raphaelugwu.gitbook.io/airtime/top-ups/top-up, https://raphaelugwu.gitbook.io/airtime/top-ups/async-top-up). The reference marks operatorId, amount and recipientPhone {countryCode, number} required; its parameter table types operatorId and amount as integers while its own curl samples send them as strings ("341", "10") and its answers show decimal amounts, so a digit string and a decimal number are both accepted. Unknown properties are refused (the reference lists every field), so a plugin that drifts from the published field names fails here.
 */
export interface ReloadlyTopupRequest {
  /**
   * Reloadly's operator id.
   */
  operatorId: number | string;
  /**
   * Amount in the wallet currency (useLocalAmount false) or the operator's local currency (true), major units.
   */
  amount: number | string;
  /**
   * Whether amount is in the operator's local currency. Defaults to false.
   */
  useLocalAmount?: boolean;
  /**
   * The sender's reference; unique, cannot be reused.
   */
  customIdentifier?: string;
  /**
   * Required for Nauta Cuba only.
   */
  recipientEmail?: string;
  recipientPhone: Phone;
  senderPhone?: Phone;
}
export interface Phone {
  /**
   * ISO 3166-1 alpha-2 country code.
   */
  countryCode: string;
  /**
   * The mobile number.
   */
  number: string;
}
