import { expect } from 'chai';
import fc from 'fast-check';
import { compareEchoedAmount, currencyExponent, fromMinorUnits, toMinorUnits, toMoney } from '../../src/index.js';

// One currency per ISO 4217 exponent, written in the cases providers use.
const CURRENCIES = ['JPY', 'krw', 'USD', 'eur', 'KWD', 'bhd', 'JOD', 'omr', 'TND', 'CLF'];

/** A decimal string in major units with at most the currency's decimals, in canonical form (no leading zeros). */
const decimalFor = (currency: string) =>
  fc.tuple(fc.bigInt({ min: 0n, max: 10n ** 24n }), fc.nat({ max: 10 ** currencyExponent(currency) - 1 })).map(([int, frac]) => {
    const exp = currencyExponent(currency);
    return exp === 0 ? int.toString() : `${int}.${String(frac).padStart(exp, '0')}`;
  });

const currencyAndDecimal = fc.constantFrom(...CURRENCIES).chain((currency) => fc.tuple(fc.constant(currency), decimalFor(currency)));

describe('money helpers (properties)', () => {
  it('decimal → minor → decimal gives back the same decimal, for every exponent and case', () => {
    fc.assert(
      fc.property(currencyAndDecimal, ([currency, decimal]) => {
        expect(fromMinorUnits(toMinorUnits(decimal, currency), currency)).to.equal(decimal);
      }),
      { numRuns: 500 },
    );
  });

  it('minor → decimal → minor gives back the same minor units, beyond 2^53', () => {
    fc.assert(
      fc.property(fc.constantFrom(...CURRENCIES), fc.bigInt({ min: 0n, max: 10n ** 28n }), (currency, minor) => {
        expect(toMinorUnits(fromMinorUnits(minor, currency), currency)).to.equal(minor);
        expect(fromMinorUnits(minor.toString(), currency)).to.equal(fromMinorUnits(minor, currency));
      }),
      { numRuns: 500 },
    );
  });

  it('the upper- and lower-case code give the same minor units', () => {
    fc.assert(
      fc.property(currencyAndDecimal, ([currency, decimal]) => {
        expect(toMinorUnits(decimal, currency.toLowerCase())).to.equal(toMinorUnits(decimal, currency.toUpperCase()));
      }),
    );
  });

  it('an amount echoed in minor units or in major units compares the same with ours', () => {
    fc.assert(
      fc.property(currencyAndDecimal, ([currency, decimal]) => {
        fc.pre(toMinorUnits(decimal, currency) > 0n);
        const ours = toMoney(decimal, currency.toUpperCase());
        expect(compareEchoedAmount(ours.minor.toString(), ours, 'minor')).to.equal('same');
        expect(compareEchoedAmount(decimal, ours, 'major')).to.equal('same');
        expect(compareEchoedAmount((ours.minor + 1n).toString(), ours, 'minor')).to.equal('different');
      }),
    );
  });
});
