import { fromMinorUnits } from '@relaypoint/core';
import type { Account, ProviderName } from '../config/ResolvedConfig.js';
import type { LedgerEntry } from './LedgerEntry.js';
import type { Transaction } from './Transaction.js';

/** Filter of {@link Ledger.entries}. */
export interface LedgerFilter {
  provider?: ProviderName;
  reference?: string;
}

/**
 * Every transaction a simulated provider committed, by account + reference
 * and by id. Bounded by `limit` (oldest forgotten first, like a provider's
 * retention window); `evicted` counts what was forgotten.
 */
export class Ledger {
  private readonly byReference = new Map<string, Transaction>();
  private readonly byId = new Map<string, Transaction>();
  /** Transactions forgotten because the ledger was full. */
  evicted = 0;

  constructor(readonly provider: ProviderName, private readonly limit: number, private readonly now: () => number) {}

  private static key(account: Account, reference: string): string {
    return `${account.id}\u0000${reference}`;
  }

  /** The account's transaction for a reference. */
  findByReference(account: Account, reference: string): Transaction | undefined {
    return this.byReference.get(Ledger.key(account, reference));
  }

  /** The account's transaction with this id (another account's is not found). */
  findById(account: Account, id: string): Transaction | undefined {
    const tx = this.byId.get(id);
    return tx && tx.account === account ? tx : undefined;
  }

  /** Any account's transaction with this id (journal labelling). */
  peekById(id: string): Transaction | undefined {
    return this.byId.get(id);
  }

  add(tx: Transaction): void {
    this.byReference.set(Ledger.key(tx.account, tx.reference), tx);
    this.byId.set(tx.id, tx);
    if (this.byReference.size > this.limit) {
      // Maps iterate in insertion order: the first key is the oldest.
      const oldest = this.byReference.keys().next().value as string;
      const old = this.byReference.get(oldest)!;
      this.byReference.delete(oldest);
      if (this.byId.get(old.id) === old) this.byId.delete(old.id);
      this.evicted += 1;
    }
  }

  clear(): void {
    this.byReference.clear();
    this.byId.clear();
    this.evicted = 0;
  }

  get size(): number {
    return this.byReference.size;
  }

  /** Entries in commit order, time-based pending ones settled first. */
  entries(reference?: string): LedgerEntry[] {
    const now = this.now();
    const out: LedgerEntry[] = [];
    for (const tx of this.byReference.values()) {
      if (reference !== undefined && tx.reference !== reference) continue;
      tx.settle(now);
      out.push(toEntry(tx));
    }
    return out;
  }

  /** How many transactions carry this reference (over all accounts). */
  countByReference(reference: string): number {
    let n = 0;
    for (const tx of this.byReference.values()) if (tx.reference === reference) n += 1;
    return n;
  }
}

function toEntry(tx: Transaction): LedgerEntry {
  const code = tx.voucherCode;
  return {
    provider: tx.provider,
    account: tx.account.id,
    reference: tx.reference,
    transactionId: tx.id,
    productId: tx.productId,
    amount: fromMinorUnits(tx.minor, tx.currency),
    currency: tx.currency,
    status: tx.status,
    debited: tx.debited,
    ...(code !== undefined ? { voucherCode: code } : {}),
    ...(tx.phoneNumber !== undefined ? { phoneNumber: tx.phoneNumber } : {}),
    createdAt: tx.createdAt,
  };
}
