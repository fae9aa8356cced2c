import { toMinorUnits } from '@relaypoint/core';
import type { ModelAccount, ModelAccountSpec } from './ProviderModel.js';

/** A model's account at runtime: its balances move; reset puts them back. */
export class AccountState implements ModelAccount {
  readonly id: string;
  readonly key: string;
  readonly secret?: string;
  /** The secret as bytes (HMAC key). */
  readonly secretBytes?: Buffer;
  readonly balances = new Map<string, bigint>();
  /** Balances from the model (what reset goes back to), in minor units. */
  readonly initialBalances: ReadonlyMap<string, bigint>;
  /** The first currency of the account's balances: what `balance(model)` reports. */
  readonly primaryCurrency: string | undefined;

  constructor(spec: ModelAccountSpec) {
    this.id = spec.id;
    this.key = spec.key;
    if (spec.secret !== undefined) {
      this.secret = spec.secret;
      this.secretBytes = Buffer.from(spec.secret, 'utf8');
    }
    const initial = new Map<string, bigint>();
    for (const [currency, decimal] of Object.entries(spec.balances ?? {})) initial.set(currency, toMinorUnits(decimal, currency));
    this.initialBalances = initial;
    this.primaryCurrency = initial.keys().next().value;
    this.restore();
  }

  /** Back to the model's balances. */
  restore(): void {
    this.balances.clear();
    for (const [c, v] of this.initialBalances) this.balances.set(c, v);
  }
}
