/** One committed transaction, as `ledger.entries()` and `GET /__sim/ledger` report it. */
export interface LedgerEntry {
  /** Model id (`airtime`, `giftcard`, or a model of your own). */
  provider: string;
  /** Account id from the model (or the config). */
  account: string;
  /** The client's reference (airtime `reference`, gift-card `external_ref`). */
  reference: string;
  /** The provider's transaction id (airtime `transaction_id`, gift-card order id). */
  transactionId: string;
  productId?: string;
  /** Decimal string with the currency's decimals (`"5.00"`). */
  amount: string;
  currency: string;
  /** `pending`, `failed`, or the model's word for succeeded (airtime `success`, gift card `complete`; default `succeeded`). */
  status: string;
  /** False for failed transactions: nothing was debited, or it was refunded. */
  debited: boolean;
  /** Voucher or card code, once resolved successfully. */
  voucherCode?: string;
  /** The recipient (phone, email, …), when the issuance named one. */
  recipient?: string;
  /** The recipient, when it is a phone number (`+…`). */
  phoneNumber?: string;
  /** ms epoch. */
  createdAt: number;
}
