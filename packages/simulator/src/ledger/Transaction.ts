import { createHash } from 'node:crypto';
import type { Account, PendingSpec, ProviderName } from '../config/ResolvedConfig.js';

/** Status of a transaction as the ledger reports it (airtime: success/pending/failed; gift card: complete/pending/failed). */
export type TransactionStatus = 'success' | 'complete' | 'pending' | 'failed';

/** What a {@link Transaction} is created from. */
export interface TransactionInit {
  provider: ProviderName;
  account: Account;
  reference: string;
  productId: string;
  /** Amount in minor units. */
  minor: bigint;
  currency: string;
  /** ms epoch. */
  createdAt: number;
  /** Seed of the run: ids and codes derive from it. */
  seed: number;
  /** Makes the transaction start pending. */
  pending?: PendingSpec;
  /** Declined at once: failed, nothing debited. */
  declined?: boolean;
  phoneNumber?: string;
  fingerprint?: string;
  customerId?: string;
  recipient?: unknown;
}

/**
 * One transaction the simulated provider committed. Identifiers and codes are
 * derived from (seed, provider, account, reference), so a replay from the same
 * seed produces the same ids.
 */
export class Transaction {
  status: TransactionStatus;
  debited: boolean;
  /** Status reads left before a poll-based pending transaction resolves. */
  pollsLeft: number;
  /** ms epoch at which a time-based pending transaction resolves. */
  resolveAt: number;
  readonly id: string;
  private readonly digest: string;

  readonly provider: ProviderName;
  readonly account: Account;
  readonly reference: string;
  readonly productId: string;
  /** Amount in minor units. */
  readonly minor: bigint;
  readonly currency: string;
  /** ms epoch. */
  readonly createdAt: number;
  /** Airtime: the recipient. */
  readonly phoneNumber?: string;
  /** Gift card: what makes a repeated external_ref "the same order". */
  readonly fingerprint?: string;
  readonly customerId?: string;
  readonly recipient?: unknown;
  private readonly outcome: 'success' | 'failed';

  constructor(init: TransactionInit) {
    this.provider = init.provider;
    this.account = init.account;
    this.reference = init.reference;
    this.productId = init.productId;
    this.minor = init.minor;
    this.currency = init.currency;
    this.createdAt = init.createdAt;
    if (init.phoneNumber !== undefined) this.phoneNumber = init.phoneNumber;
    if (init.fingerprint !== undefined) this.fingerprint = init.fingerprint;
    if (init.customerId !== undefined) this.customerId = init.customerId;
    if (init.recipient !== undefined) this.recipient = init.recipient;
    const pending = init.pending;
    this.outcome = pending?.outcome ?? 'success';
    this.digest = createHash('sha256').update(`${init.seed}\u0000${init.provider}\u0000${init.account.id}\u0000${init.reference}`).digest('hex');
    this.id = init.provider === 'airtime' ? `AT${this.digest.slice(0, 16).toUpperCase()}` : `gco_${this.digest.slice(0, 20)}`;
    this.pollsLeft = pending?.polls ?? 0;
    this.resolveAt = pending?.ms !== undefined ? init.createdAt + pending.ms : Infinity;
    this.status = init.declined ? 'failed' : pending ? 'pending' : this.successStatus();
    this.debited = this.status !== 'failed';
  }

  private successStatus(): TransactionStatus {
    return this.provider === 'airtime' ? 'success' : 'complete';
  }

  /** The voucher (airtime) or card code, once the transaction succeeded. */
  get voucherCode(): string | undefined {
    if (this.status !== 'success' && this.status !== 'complete') return undefined;
    // 16 decimal digits from the digest: looks like a PIN-style voucher.
    return BigInt(`0x${this.digest.slice(20, 36)}`).toString().padStart(20, '0').slice(-16);
  }

  /** Gift card PIN, once complete. */
  get pin(): string | undefined {
    return this.status === 'complete' ? String(parseInt(this.digest.slice(36, 44), 16) % 10000).padStart(4, '0') : undefined;
  }

  /** Resolves a time-based pending transaction whose time has come. Returns true if it changed. */
  settle(now: number): boolean {
    if (this.status === 'pending' && now >= this.resolveAt) {
      this.resolve();
      return true;
    }
    return false;
  }

  /** One status read: counts down a poll-based pending transaction. */
  poll(now: number): void {
    if (this.status !== 'pending') return;
    if (this.settle(now)) return;
    if (this.resolveAt !== Infinity) return;
    if (this.pollsLeft > 0) this.pollsLeft -= 1;
    else this.resolve();
  }

  private resolve(): void {
    if (this.outcome === 'success') {
      this.status = this.successStatus();
    } else {
      this.status = 'failed';
      // Failed after the debit: the provider refunds it.
      if (this.debited) {
        this.account.balance += this.minor;
        this.debited = false;
      }
    }
  }
}
