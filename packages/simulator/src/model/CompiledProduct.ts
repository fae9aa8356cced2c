import { fromMinorUnits, toMinorUnits } from '@relaypoint/core';
import type { ModelProduct, ModelRefusal } from './ProviderModel.js';

/** A model product with its amounts in minor units, checked per issuance. */
export class CompiledProduct {
  readonly denominations: readonly bigint[] | undefined;
  readonly min: bigint | undefined;
  readonly max: bigint | undefined;

  constructor(readonly spec: ModelProduct) {
    this.denominations = spec.denominations?.map((d) => toMinorUnits(d, spec.currency));
    this.min = spec.min === undefined ? undefined : toMinorUnits(spec.min, spec.currency);
    this.max = spec.max === undefined ? undefined : toMinorUnits(spec.max, spec.currency);
  }

  /** A refusal when the product is not sold in this currency or at this amount. */
  check(minor: bigint, currency: string): ModelRefusal | undefined {
    const c = this.spec.currency;
    if (currency !== c) return { refuse: 'invalid-currency', message: `product ${this.spec.id} is sold in ${c}` };
    if (this.denominations) {
      if (this.denominations.includes(minor)) return undefined;
      return {
        refuse: 'invalid-amount',
        message: `amount must be one of ${this.denominations.map((d) => fromMinorUnits(d, c)).join(', ')} ${c}`,
      };
    }
    if ((this.min !== undefined && minor < this.min) || (this.max !== undefined && minor > this.max)) {
      const lo = this.min === undefined ? undefined : fromMinorUnits(this.min, c);
      const hi = this.max === undefined ? undefined : fromMinorUnits(this.max, c);
      const range =
        lo !== undefined && hi !== undefined ? `between ${lo} and ${hi}` : lo !== undefined ? `at least ${lo}` : `at most ${hi}`;
      return { refuse: 'invalid-amount', message: `amount must be ${range} ${c}` };
    }
    return undefined;
  }
}
