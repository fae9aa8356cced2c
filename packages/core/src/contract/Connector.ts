import type { AmountInput, AmountUnit, Money } from './Money.js';

/** What the provider did with an issuance. */
export type IssueStatus = 'succeeded' | 'pending' | 'failed';

/** Parameters of one issuance, as a caller gives them. */
export interface IssueParams {
  /** The provider's product id (e.g. `DATA_200MB`). */
  productId: string;
  /** The customer this value is for (your id). */
  customerId: string;
  /** Recipient phone, E.164 (`+263771234567`). Required by airtime plugins. */
  phoneNumber?: string;
  /** Exact amount: a decimal string in major units (`"5.00"`) or `{ minor: 500 }`. */
  amount: AmountInput;
  /** ISO 4217 code. */
  currency: string;
  /**
   * The idempotency key: stable across every retry of the same issuance,
   * sent to the provider so a repeat cannot issue twice. `[A-Za-z0-9._:-]{1,100}`.
   */
  reference: string;
  /** Free-form, non-secret metadata passed to the plugin. */
  metadata?: Record<string, string>;
}

/** Validated, normalised parameters a plugin receives. */
export interface IssueRequest extends Omit<IssueParams, 'amount'> {
  /** The exact amount, normalised. */
  amount: Money;
}

/** The value issued, when the provider gives it. */
export interface Voucher {
  /** The voucher or card code. */
  code: string;
  /** A PIN, when the product has one. */
  pin?: string;
  /** Where the customer redeems it. */
  redemptionUrl?: string;
  /** ISO 8601 expiry, when known. */
  expiresAt?: string;
}

/** What the provider said about an issuance. */
export interface IssueResult {
  /** Terminal (`succeeded`, `failed`) or not yet (`pending`). */
  status: IssueStatus;
  /** Our reference, echoed. */
  reference: string;
  /** The provider's transaction id, when known. */
  transactionId?: string;
  /** The value issued, when `succeeded` and the provider returns it. */
  voucher?: Voucher;
  /** The provider's own status or error code. */
  providerCode?: string;
  /** The provider's own message. */
  providerMessage?: string;
}

/** Look up a transaction by the provider's id or by our reference (recovery after a lost answer). */
export type StatusQuery =
  | { transactionId: string; reference?: never; request?: never }
  | {
      reference: string;
      transactionId?: never;
      /**
       * The issuance this lookup is for, when the caller has it (the
       * pipeline and the host always pass it). A provider answers a
       * reference with whatever transaction holds it, which may be another
       * issuance's (another system on the same account used the reference).
       * A plugin that can compare the transaction with the request does, and
       * throws `PROVIDER_REFERENCE_CONFLICT` (outcome `rejected`) when it
       * certainly belongs to a different issuance: this request was not
       * issued under the reference, and cannot be.
       */
      request?: IssueRequest;
    };

/** A status lookup: the transaction, or `not_found` when the provider has none for the query. */
export type StatusResult = IssueResult | { status: 'not_found'; reference?: string; transactionId?: string };

/** Options of every connector call. */
export interface CallOptions {
  /** Aborts the call; the plugin passes it to its HTTP client. */
  signal?: AbortSignal;
}

/**
 * A connector: one configured instance of a provider plugin.
 *
 * Failures are thrown as `ConnectorError`s whose `outcome` says whether the
 * request may have been issued; a plugin never reports `failed` for an
 * `unknown` outcome.
 */
export interface Connector {
  /** Issue value once for `params.reference`. */
  issueVoucher(params: IssueRequest, options?: CallOptions): Promise<IssueResult>;
  /** Ask the provider what happened, by transaction id or by reference. */
  checkStatus(query: StatusQuery, options?: CallOptions): Promise<StatusResult>;
  /** Release sockets and timers. Optional. */
  close?(): Promise<void> | void;
}

/**
 * How the provider treats a repeated reference:
 * - `return-original`: it returns the original transaction, issues nothing new;
 * - `reject-duplicate`: it refuses the repeat (the plugin then fetches the original);
 * - `replay-identical`: it replays the original answer for an identical
 *   body and refuses a different body under the same reference (Stripe's
 *   `Idempotency-Key`); a re-send of the same request is safe;
 * - `none`: it may issue twice, so an `unknown` outcome must be reconciled, never re-sent.
 */
export type DuplicateReferenceBehaviour = 'return-original' | 'reject-duplicate' | 'replay-identical' | 'none';

/** What a plugin's provider can do; the host uses it to decide whether a retry may re-send. */
export interface ConnectorCapabilities {
  /** How the provider treats a repeated reference. */
  duplicateReference: DuplicateReferenceBehaviour;
  /** Whether `checkStatus({ reference })` works (what makes recovery after a lost answer possible). */
  statusByReference: boolean;
  /** What the provider's wire amount is: major-unit decimals or integer minor units. */
  amountUnit: AmountUnit;
  /** Whether issuances may come back `pending` and resolve later. Defaults to `false`. */
  asyncIssuance?: boolean;
  /**
   * How long the provider remembers a reference, ms (24 h: `86400000`;
   * Tango Card keeps them 90 days). After it, a repeat is a new request to
   * the provider, so a re-send is no longer safe: the host reconciles by
   * lookup instead. Omitted: the provider remembers references for good.
   */
  referenceWindowMs?: number;
}
