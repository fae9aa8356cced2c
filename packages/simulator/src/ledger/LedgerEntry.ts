import type { ProviderName } from '../config/ResolvedConfig.js';
import type { TransactionStatus } from './Transaction.js';

/** One committed transaction, as `ledger.entries()` and `GET /__sim/ledger` report it. */
export interface LedgerEntry {
  provider: ProviderName;
  /** Account id from the config. */
  account: string;
  /** Airtime `reference` or gift-card `external_ref`. */
  reference: string;
  /** Airtime `transaction_id` or gift-card order id. */
  transactionId: string;
  productId: string;
  /** Decimal string with the currency's decimals (`"5.00"`). */
  amount: string;
  currency: string;
  status: TransactionStatus;
  /** False for failed transactions: nothing was debited, or it was refunded. */
  debited: boolean;
  /** Voucher (airtime) or card code, once resolved successfully. */
  voucherCode?: string;
  /** Airtime recipient. */
  phoneNumber?: string;
  /** ms epoch. */
  createdAt: number;
}
