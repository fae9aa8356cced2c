import type { AirtimeConfig, GiftcardConfig } from './SimulatorConfig.types.js';

/** A model id: `airtime`, `giftcard`, or the id of a model of your own. */
export type ProviderName = string;

/** How a pending transaction resolves: after `polls` status reads, or `ms` after creation. */
export interface PendingSpec {
  polls?: number;
  ms?: number;
  outcome: 'success' | 'failed';
}

/** An account at runtime: its balance moves. */
export interface Account {
  readonly id: string;
  readonly apiKey: string;
  /** HMAC key of the airtime signature (absent for gift cards). */
  readonly secret?: Buffer;
  /** Balance from the config, in minor units (what reset goes back to). */
  readonly initialBalance: bigint;
  /** Current balance, in minor units. */
  balance: bigint;
}

/** An airtime product, amounts in minor units. */
export interface AirtimeProduct {
  readonly id: string;
  readonly name: string;
  readonly min: bigint;
  readonly max: bigint;
  readonly pending?: PendingSpec;
}

/** A gift-card product, amounts in minor units. */
export interface GiftcardProduct {
  readonly id: string;
  readonly brand: string;
  readonly name: string;
  readonly currency: string;
  /** Fixed denominations, or undefined for a range product. */
  readonly denominations?: bigint[];
  readonly min?: bigint;
  readonly max?: bigint;
  readonly pending?: PendingSpec;
  /** The catalogue entry as `GET /giftcard/products` shows it. */
  readonly wire: object;
}

/** The validated config, indexed for the hot path. */
export interface ResolvedConfig {
  /** The sections as given, defaults filled in: what the built-in models are made from. */
  sections: { airtime: AirtimeConfig & { currency: string }; giftcard: GiftcardConfig & { currency: string } };
  airtime: {
    currency: string;
    accounts: Account[];
    byKey: Map<string, Account>;
    products: Map<string, AirtimeProduct>;
    recentRechargeWindowMs: number;
  };
  giftcard: {
    currency: string;
    accounts: Account[];
    byKey: Map<string, Account>;
    products: Map<string, GiftcardProduct>;
  };
}
