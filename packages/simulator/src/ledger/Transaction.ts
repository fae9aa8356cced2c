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
  /** Gift card: what the order said, to tell a repeat from a conflict and to answer reads. */
  order?: OrderDetails;
}

/** What a gift-card order carries besides the common fields. */
export interface OrderDetails {
  /** What makes a repeated external_ref "the same order". */
  readonly fingerprint: string;
  readonly customerId: string | undefined;
  readonly recipient: unknown;
}

/** Where a pending transaction is on its way to its outcome. */
interface PendingState {
  /** Status reads left before a poll-based pending transaction resolves. */
  pollsLeft: number;
  /** ms epoch at which a time-based pending transaction resolves (Infinity: poll-based). */
  readonly resolveAt: number;
  readonly outcome: 'success' | 'failed';
}

/** sha256(seed, provider, account, reference): ids and codes come from it, so a replay from the same seed yields the same ones. */
function digestOf(seed: number, provider: ProviderName, account: Account, reference: string): Buffer {
  return createHash('sha256').update(`${seed}\u0000${provider}\u0000${account.id}\u0000${reference}`).digest();
}

/**
 * One transaction the simulated provider committed. Identifiers and codes are
 * derived from (seed, provider, account, reference), so a replay from the same
 * seed produces the same ids.
 *
 * Kept small because a long load test holds one per reference: the voucher
 * code and PIN are recomputed from the digest when read rather than stored,
 * and pending and gift-card details live in side objects only when present.
 */
export class Transaction {
  status: TransactionStatus;
  debited: boolean;
  readonly id: string;
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
  readonly phoneNumber: string | undefined;
  /** Gift card: the order's own fields. */
  readonly order: OrderDetails | undefined;
  private readonly seed: number;
  private pending: PendingState | undefined;

  constructor(init: TransactionInit) {
    this.provider = init.provider;
    this.account = init.account;
    this.reference = init.reference;
    this.productId = init.productId;
    this.minor = init.minor;
    this.currency = init.currency;
    this.createdAt = init.createdAt;
    this.phoneNumber = init.phoneNumber;
    this.order = init.order;
    this.seed = init.seed;
    const digest = digestOf(init.seed, init.provider, init.account, init.reference);
    this.id = init.provider === 'airtime' ? `AT${digest.toString('hex', 0, 8).toUpperCase()}` : `gco_${digest.toString('hex', 0, 10)}`;
    const p = init.declined ? undefined : init.pending;
    this.pending = p
      ? { pollsLeft: p.polls ?? 0, resolveAt: p.ms !== undefined ? init.createdAt + p.ms : Infinity, outcome: p.outcome }
      : undefined;
    this.status = init.declined ? 'failed' : p ? 'pending' : this.successStatus();
    this.debited = this.status !== 'failed';
  }

  private successStatus(): TransactionStatus {
    return this.provider === 'airtime' ? 'success' : 'complete';
  }

  /** The voucher (airtime) or card code, once the transaction succeeded. */
  get voucherCode(): string | undefined {
    if (this.status !== 'success' && this.status !== 'complete') return undefined;
    // 16 decimal digits from bytes 10–17 of the digest: looks like a PIN-style voucher.
    return digestOf(this.seed, this.provider, this.account, this.reference).readBigUInt64BE(10).toString().padStart(20, '0').slice(-16);
  }

  /** Gift card PIN, once complete. */
  get pin(): string | undefined {
    if (this.status !== 'complete') return undefined;
    return String(digestOf(this.seed, this.provider, this.account, this.reference).readUInt32BE(18) % 10000).padStart(4, '0');
  }

  /** Resolves a time-based pending transaction whose time has come. Returns true if it changed. */
  settle(now: number): boolean {
    const p = this.pending;
    if (p && now >= p.resolveAt) {
      this.resolve(p);
      return true;
    }
    return false;
  }

  /** One status read: counts down a poll-based pending transaction. */
  poll(now: number): void {
    const p = this.pending;
    if (!p) return;
    if (this.settle(now)) return;
    if (p.resolveAt !== Infinity) return;
    if (p.pollsLeft > 0) p.pollsLeft -= 1;
    else this.resolve(p);
  }

  private resolve(p: PendingState): void {
    this.pending = undefined;
    if (p.outcome === 'success') {
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
