import { fromMinorUnits } from '@relaypoint/core';
import type { AccountState } from '../model/AccountState.js';
import type { LedgerEntry } from './LedgerEntry.js';
import type { Transaction } from './Transaction.js';
import { EvictionRing } from './EvictionRing.js';

/** Filter of {@link Ledger.entries}. */
export interface LedgerFilter {
  /** Model id (`airtime`, `giftcard`, `zapcash`). */
  provider?: string;
  reference?: string;
}

/**
 * Every transaction a simulated provider committed, by account + reference
 * and by id. Bounded by `limit` (oldest forgotten first, like a provider's
 * retention window); `evicted` counts what was forgotten. An evicted
 * reference is unknown to the provider again: a new request with it is
 * issued again, which is why the default is unbounded.
 */
export class Ledger {
  // One map per account keyed by the reference string the transaction already
  // holds, rather than an `account + reference` key string per transaction.
  private readonly byReference = new Map<AccountState, Map<string, Transaction>>();
  /** Insertion order is commit order: the first key is the oldest (eviction, entries()). */
  private readonly byId = new Map<string, Transaction>();
  /** Transactions forgotten because the ledger was full. */
  evicted = 0;

  /** Commit order for eviction when the ledger is bounded. */
  private readonly order: EvictionRing<Transaction>;

  constructor(
    /** Model id. */
    readonly provider: string,
    limit: number,
    private readonly now: () => number,
    /** The word entries use for a succeeded transaction. */
    private readonly successStatus = 'succeeded',
  ) {
    this.order = new EvictionRing(limit);
  }

  /** The account's transaction for a reference. */
  findByReference(account: AccountState, reference: string): Transaction | undefined {
    return this.byReference.get(account)?.get(reference);
  }

  /** The account's transaction with this id (another account's is not found). */
  findById(account: AccountState, id: string): Transaction | undefined {
    const tx = this.byId.get(id);
    return tx && tx.account === account ? tx : undefined;
  }

  /** Any account's transaction with this id (journal labelling). */
  peekById(id: string): Transaction | undefined {
    return this.byId.get(id);
  }

  add(tx: Transaction): void {
    let refs = this.byReference.get(tx.account);
    if (!refs) this.byReference.set(tx.account, (refs = new Map()));
    refs.set(tx.reference, tx);
    // Ids derive from (seed, account, reference): a same-id transaction is that reference issued again after its eviction.
    this.byId.delete(tx.id);
    this.byId.set(tx.id, tx);
    const old = this.order.push(tx);
    if (old) {
      if (this.byId.get(old.id) === old) this.byId.delete(old.id);
      const oldRefs = this.byReference.get(old.account);
      if (oldRefs?.get(old.reference) === old) oldRefs.delete(old.reference);
      this.evicted += 1;
    }
  }

  clear(): void {
    this.byReference.clear();
    this.byId.clear();
    this.order.clear();
    this.evicted = 0;
  }

  get size(): number {
    return this.byId.size;
  }

  /** Entries in commit order, time-based pending ones settled first. */
  entries(reference?: string): LedgerEntry[] {
    const now = this.now();
    const out: LedgerEntry[] = [];
    for (const tx of this.byId.values()) {
      if (reference !== undefined && tx.reference !== reference) continue;
      tx.settle(now);
      out.push(toEntry(tx, this.successStatus));
    }
    return out;
  }

  /** How many transactions carry this reference (over all accounts; several under the `none` duplicate rule). */
  countByReference(reference: string): number {
    let n = 0;
    for (const tx of this.byId.values()) if (tx.reference === reference) n += 1;
    return n;
  }
}

function toEntry(tx: Transaction, successStatus: string): LedgerEntry {
  const code = tx.voucherCode;
  return {
    provider: tx.model,
    account: tx.account.id,
    reference: tx.reference,
    transactionId: tx.id,
    ...(tx.productId !== undefined ? { productId: tx.productId } : {}),
    amount: fromMinorUnits(tx.minor, tx.currency),
    currency: tx.currency,
    status: tx.status === 'succeeded' ? successStatus : tx.status,
    debited: tx.debited,
    ...(code !== undefined ? { voucherCode: code } : {}),
    ...(tx.recipient !== undefined ? { recipient: tx.recipient } : {}),
    ...(tx.recipient !== undefined && tx.recipient.startsWith('+') ? { phoneNumber: tx.recipient } : {}),
    createdAt: tx.createdAt,
  };
}
