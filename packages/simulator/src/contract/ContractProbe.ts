import type { ProviderName } from '../config/ResolvedConfig.js';
import type { ProviderModel } from '../model/ProviderModel.js';

/**
 * What the provider holds for one reference, as the author's probe reads it
 * (typically the sandbox's own lookup by reference, with the author's
 * credentials). In proxy mode the suite judges the plugin on this instead of
 * the simulator's ledger.
 */
export interface ProbeRecord {
  /** The transaction's state, in Relaypoint's words. */
  status: 'succeeded' | 'pending' | 'failed';
  /** The provider's transaction id: the plugin must report this one. */
  transactionId: string;
  /** Amount as a decimal string in major units (`"5.00"`; `fromMinorUnits` converts integer minor units). */
  amount: string;
  /** ISO 4217 code. */
  currency: string;
  productId?: string;
  /** The recipient (phone, email, …) the provider recorded. */
  recipient?: string;
  /** The voucher, card code or PIN, once issued. */
  voucherCode?: string;
  /**
   * How many transactions the provider holds under this reference, when it
   * can tell (a report listing every transaction with it). Leave it out when
   * the provider's lookup returns one transaction at most: the suite then
   * cannot see a second issuance under the same reference, and the cases
   * that count them are weaker or pending (see the docs).
   */
  count?: number;
}

/** The author's reader of the provider's ground truth: `undefined` when the provider holds nothing for `reference`. */
export type ContractProbe = (reference: string) => Promise<ProbeRecord | undefined>;

/** The `proxy` option of `describeConnectorContract`: run the suite through the fault proxy in front of a real API. */
export interface ContractProxyOptions {
  /** Base URL of the API the proxy forwards to (`https://sandbox.provider.example`). Required. */
  target: string;
  /**
   * The provider's model: names the routes, finds the reference in a request
   * (per-reference faults, the journal) and says what the provider can do.
   * Defaults to the top-level `model`; one of them is required.
   */
  model?: ProviderModel | ProviderName;
  /** Reads what the provider holds for a reference: the suite's ground truth in proxy mode. Required. */
  probe: ContractProbe;
}
