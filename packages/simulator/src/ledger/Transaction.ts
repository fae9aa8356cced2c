import { createHash } from 'node:crypto';
import { fromMinorUnits } from '@relaypoint/core';
import type { AccountState } from '../model/AccountState.js';
import type { ModelTransaction, PendingLifecycle } from '../model/ProviderModel.js';

/** Status of a transaction inside the simulator. */
export type TransactionStatus = 'succeeded' | 'pending' | 'failed';

/** What a {@link Transaction} is created from. */
export interface TransactionInit {
  /** Model id. */
  model: string;
  account: AccountState;
  reference: string;
  productId?: string | undefined;
  /** Amount in minor units. */
  minor: bigint;
  currency: string;
  /** ms epoch. */
  createdAt: number;
  /** Seed of the run: ids and codes derive from it. */
  seed: number;
  /** Makes the transaction start pending. */
  pending?: PendingLifecycle | undefined;
  /** Declined at once: failed, nothing debited. */
  declined?: boolean;
  recipient?: string | undefined;
  fingerprint?: string | undefined;
  details?: Readonly<Record<string, unknown>> | undefined;
  /** 2 and up for a repeat of a reference under the `none` duplicate rule (a new id for each). */
  occurrence?: number;
  /** Builds the id from the digest (the model's `transactionId`). */
  idOf: (digestHex: string) => string;
}

/** Where a pending transaction is on its way to its outcome. */
interface PendingState {
  /** Status reads left before a poll-based pending transaction resolves. */
  pollsLeft: number;
  /** ms epoch at which a time-based pending transaction resolves (Infinity: poll-based). */
  readonly resolveAt: number;
  readonly outcome: 'succeeded' | 'failed';
}

/** sha256(seed, model, account, reference): ids and codes come from it, so a replay from the same seed yields the same ones. */
function digestOf(seed: number, model: string, account: AccountState, reference: string, occurrence: number): Buffer {
  const key = `${seed}\u0000${model}\u0000${account.id}\u0000${reference}`;
  return createHash('sha256')
    .update(occurrence > 1 ? `${key}\u0000${occurrence}` : key)
    .digest();
}

/** 16 decimal digits from bytes 10–17 of the digest: looks like a PIN-style voucher. */
function codeOf(digest: Buffer): string {
  return digest.readBigUInt64BE(10).toString().padStart(20, '0').slice(-16);
}

function pinOf(digest: Buffer): string {
  return String(digest.readUInt32BE(18) % 10000).padStart(4, '0');
}

/**
 * One transaction a simulated provider committed. Identifiers and codes are
 * derived from (seed, model, account, reference), so a replay from the same
 * seed produces the same ids.
 *
 * Kept small because a long load test holds one per reference: the voucher
 * code and PIN are recomputed from the digest when read rather than stored.
 */
export class Transaction {
  status: TransactionStatus;
  debited: boolean;
  readonly id: string;
  readonly model: string;
  readonly account: AccountState;
  readonly reference: string;
  readonly productId: string | undefined;
  /** Amount in minor units. */
  readonly minor: bigint;
  readonly currency: string;
  /** ms epoch. */
  readonly createdAt: number;
  readonly recipient: string | undefined;
  readonly fingerprint: string | undefined;
  readonly details: Readonly<Record<string, unknown>> | undefined;
  private readonly seed: number;
  /** 1, or the nth issuance of this reference under the `none` duplicate rule. */
  readonly occurrence: number;
  private pending: PendingState | undefined;

  constructor(init: TransactionInit) {
    this.model = init.model;
    this.account = init.account;
    this.reference = init.reference;
    this.productId = init.productId;
    this.minor = init.minor;
    this.currency = init.currency;
    this.createdAt = init.createdAt;
    this.recipient = init.recipient;
    this.fingerprint = init.fingerprint;
    this.details = init.details;
    this.seed = init.seed;
    this.occurrence = init.occurrence ?? 1;
    this.id = init.idOf(this.digest().toString('hex', 0, 16));
    const p = init.declined ? undefined : init.pending;
    this.pending = p
      ? { pollsLeft: p.polls ?? 0, resolveAt: p.ms !== undefined ? init.createdAt + p.ms : Infinity, outcome: p.outcome }
      : undefined;
    this.status = init.declined ? 'failed' : p ? 'pending' : 'succeeded';
    this.debited = this.status !== 'failed';
  }

  /** The voucher code, once the transaction succeeded. */
  get voucherCode(): string | undefined {
    return this.status === 'succeeded' ? codeOf(this.digest()) : undefined;
  }

  /** A 4-digit PIN, once succeeded. */
  get pin(): string | undefined {
    return this.status === 'succeeded' ? pinOf(this.digest()) : undefined;
  }

  private digest(): Buffer {
    return digestOf(this.seed, this.model, this.account, this.reference, this.occurrence);
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

  /** The transaction as renderers see it; `omitVoucher` leaves the voucher out (the omit-voucher fault). */
  view(omitVoucher = false): ModelTransaction {
    // Built by assignment (no spreads): this runs once per issue answer.
    const v: { -readonly [K in keyof ModelTransaction]: ModelTransaction[K] } = {
      id: this.id,
      reference: this.reference,
      status: this.status,
      amountMinor: this.minor,
      amount: fromMinorUnits(this.minor, this.currency),
      currency: this.currency,
      createdAt: this.createdAt,
      accountId: this.account.id,
    };
    if (this.productId !== undefined) v.productId = this.productId;
    if (this.recipient !== undefined) v.recipient = this.recipient;
    if (this.details !== undefined) v.details = this.details;
    if (!omitVoucher && this.status === 'succeeded') {
      // One digest for both code and PIN.
      const digest = this.digest();
      v.voucher = { code: codeOf(digest), pin: pinOf(digest) };
    }
    return v;
  }

  private resolve(p: PendingState): void {
    this.pending = undefined;
    if (p.outcome === 'succeeded') {
      this.status = 'succeeded';
      return;
    }
    this.status = 'failed';
    // Failed after the debit: the provider refunds it.
    if (this.debited) {
      const have = this.account.balances.get(this.currency);
      if (have !== undefined) this.account.balances.set(this.currency, have + this.minor);
      this.debited = false;
    }
  }
}
