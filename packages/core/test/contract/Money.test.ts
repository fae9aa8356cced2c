import { expect } from 'chai';
import {
  ErrorCodes,
  ValidationError,
  compareEchoedAmount,
  currencyExponent,
  normalizeCurrency,
  fromMinorUnits,
  isCurrency,
  toMinorUnits,
  toMoney,
} from '../../src/index.js';
import type { AmountInput } from '../../src/index.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(ValidationError);
    return (e as ValidationError).code;
  }
  return undefined;
}

describe('normalizeCurrency', () => {
  it('upper-cases a known code in any case and refuses an unknown one with INVALID_CURRENCY', () => {
    expect(normalizeCurrency('usd')).to.equal('USD');
    expect(normalizeCurrency('Jpy')).to.equal('JPY');
    expect(codeOf(() => normalizeCurrency('usdx'))).to.equal(ErrorCodes.INVALID_CURRENCY);
    // Issuance parameters stay strict: a caller writes the ISO code; only a provider's wire value is read in any case.
    expect(codeOf(() => toMoney('5', 'eur'))).to.equal(ErrorCodes.INVALID_CURRENCY);
  });
});

describe('toMinorUnits', () => {
  it('parses "5.10" USD into 510n exactly', () => {
    expect(toMinorUnits('5.10', 'USD')).to.equal(510n);
    expect(toMinorUnits('5.1', 'USD')).to.equal(510n);
    expect(toMinorUnits('5', 'USD')).to.equal(500n);
  });

  it('adds "0.1" and "0.2" to exactly "0.3" where floats do not', () => {
    expect(0.1 + 0.2).to.not.equal(0.3);
    const sum = toMinorUnits('0.1', 'USD') + toMinorUnits('0.2', 'USD');
    expect(sum).to.equal(toMinorUnits('0.3', 'USD'));
    expect(fromMinorUnits(sum, 'USD')).to.equal('0.30');
  });

  it('keeps amounts beyond Number.MAX_SAFE_INTEGER exact', () => {
    expect(toMinorUnits('123456789012345678.99', 'USD')).to.equal(12345678901234567899n);
  });

  it('accepts no decimals for JPY and refuses any', () => {
    expect(toMinorUnits('500', 'JPY')).to.equal(500n);
    expect(codeOf(() => toMinorUnits('500.5', 'JPY'))).to.equal(ErrorCodes.INVALID_AMOUNT);
  });

  it('uses three decimals for KWD', () => {
    expect(toMinorUnits('1.234', 'KWD')).to.equal(1234n);
    expect(toMinorUnits('1.5', 'KWD')).to.equal(1500n);
    expect(codeOf(() => toMinorUnits('1.2345', 'KWD'))).to.equal(ErrorCodes.INVALID_AMOUNT);
  });

  for (const bad of ['1e3', '-1', '+1', '5.001', '', ' 5', '5 ', '5.', '.5', '05', '0x10', '1,000', 'NaN', 'Infinity', '５']) {
    it(`refuses ${JSON.stringify(bad)} for USD with INVALID_AMOUNT`, () => {
      expect(codeOf(() => toMinorUnits(bad, 'USD'))).to.equal(ErrorCodes.INVALID_AMOUNT);
    });
  }

  it('refuses a JSON number passed where a string belongs', () => {
    expect(codeOf(() => toMinorUnits(5.1 as unknown as string, 'USD'))).to.equal(ErrorCodes.INVALID_AMOUNT);
  });

  it('refuses an unknown currency with INVALID_CURRENCY', () => {
    expect(codeOf(() => toMinorUnits('5.00', 'XXY'))).to.equal(ErrorCodes.INVALID_CURRENCY);
    expect(codeOf(() => toMinorUnits('5.00', 'us'))).to.equal(ErrorCodes.INVALID_CURRENCY);
  });

  it('reads currency codes in any case: a provider writing "usd" means USD', () => {
    expect(toMinorUnits('19.99', 'usd')).to.equal(1999n);
    expect(toMinorUnits('1.005', 'kWd')).to.equal(1005n);
    expect(toMinorUnits('500', 'jpy')).to.equal(500n);
  });

  it('says a negative amount is negative, and names the decimals a currency allows', () => {
    expect(() => toMinorUnits('-5.00', 'USD')).to.throw(ValidationError, /negative/);
    expect(() => toMinorUnits('5.001', 'usd')).to.throw(ValidationError, /has 3 decimals; USD has 2/);
    expect(() => toMinorUnits('5.5', 'JPY')).to.throw(ValidationError, /has 1 decimals; JPY has 0/);
    expect(() => toMinorUnits('1.0001', 'OMR')).to.throw(ValidationError, /OMR has 3/);
  });
});

describe('fromMinorUnits', () => {
  it('formats with exactly the currency decimals', () => {
    expect(fromMinorUnits(510n, 'USD')).to.equal('5.10');
    expect(fromMinorUnits(5, 'USD')).to.equal('0.05');
    expect(fromMinorUnits(500n, 'JPY')).to.equal('500');
    expect(fromMinorUnits(1n, 'KWD')).to.equal('0.001');
    expect(fromMinorUnits('1999', 'usd')).to.equal('19.99');
    expect(fromMinorUnits(5, 'tnd')).to.equal('0.005');
    expect(fromMinorUnits('123456789012345678901234567890', 'USD')).to.equal('1234567890123456789012345678.90');
  });

  it('refuses negative, fractional and unsafe minor units with INVALID_AMOUNT, and an unknown currency', () => {
    expect(codeOf(() => fromMinorUnits(-510n, 'USD'))).to.equal(ErrorCodes.INVALID_AMOUNT);
    expect(codeOf(() => fromMinorUnits('-1', 'USD'))).to.equal(ErrorCodes.INVALID_AMOUNT);
    expect(codeOf(() => fromMinorUnits(19.99, 'USD'))).to.equal(ErrorCodes.INVALID_AMOUNT);
    expect(codeOf(() => fromMinorUnits(2 ** 60, 'USD'))).to.equal(ErrorCodes.INVALID_AMOUNT);
    expect(codeOf(() => fromMinorUnits('19.99', 'USD'))).to.equal(ErrorCodes.INVALID_AMOUNT);
    expect(codeOf(() => fromMinorUnits(1n, 'ABC'))).to.equal(ErrorCodes.INVALID_CURRENCY);
  });

  it('round-trips with toMinorUnits', () => {
    for (const [d, c] of [
      ['0.01', 'USD'],
      ['999999.99', 'EUR'],
      ['7', 'JPY'],
      ['12.345', 'BHD'],
      ['1.0001', 'CLF'],
    ] as const) {
      expect(fromMinorUnits(toMinorUnits(d, c), c)).to.equal(d);
    }
  });
});

describe('currencyExponent / isCurrency', () => {
  it('knows the exponents of ISO 4217 codes', () => {
    expect(currencyExponent('USD')).to.equal(2);
    expect(currencyExponent('JPY')).to.equal(0);
    expect(currencyExponent('KWD')).to.equal(3);
    expect(currencyExponent('CLF')).to.equal(4);
    expect(isCurrency('ZAR')).to.equal(true);
    expect(isCurrency('ZZZ')).to.equal(false);
    expect(isCurrency(840)).to.equal(false);
  });
});

describe('toMoney', () => {
  it('normalises a decimal string', () => {
    expect(toMoney('5.1', 'USD')).to.deep.equal({ currency: 'USD', minor: 510n, decimal: '5.10' });
  });

  it('accepts minor units as a safe integer, a bigint or a digit string', () => {
    expect(toMoney({ minor: 510 }, 'USD').decimal).to.equal('5.10');
    expect(toMoney({ minor: 510n }, 'USD').decimal).to.equal('5.10');
    expect(toMoney({ minor: '99999999999999999999' }, 'USD').minor).to.equal(99999999999999999999n);
  });

  it('refuses a bare JSON number so no float carries money', () => {
    expect(codeOf(() => toMoney(5.1 as unknown as AmountInput, 'USD'))).to.equal(ErrorCodes.INVALID_AMOUNT);
    expect(codeOf(() => toMoney(5 as unknown as AmountInput, 'USD'))).to.equal(ErrorCodes.INVALID_AMOUNT);
    expect(codeOf(() => toMoney(JSON.parse('{"minor": 5.5}') as AmountInput, 'USD'))).to.equal(ErrorCodes.INVALID_AMOUNT);
  });

  it('refuses unsafe integers, signs and zero', () => {
    expect(codeOf(() => toMoney({ minor: 2 ** 60 }, 'USD'))).to.equal(ErrorCodes.INVALID_AMOUNT);
    expect(codeOf(() => toMoney({ minor: -5 }, 'USD'))).to.equal(ErrorCodes.INVALID_AMOUNT);
    expect(codeOf(() => toMoney({ minor: '-5' }, 'USD'))).to.equal(ErrorCodes.INVALID_AMOUNT);
    expect(codeOf(() => toMoney({ minor: 0 }, 'USD'))).to.equal(ErrorCodes.INVALID_AMOUNT);
    expect(codeOf(() => toMoney('0.00', 'USD'))).to.equal(ErrorCodes.INVALID_AMOUNT);
    expect(codeOf(() => toMoney(null as unknown as AmountInput, 'USD'))).to.equal(ErrorCodes.INVALID_AMOUNT);
  });

  it('checks the currency before the amount', () => {
    expect(codeOf(() => toMoney('5.00', 'EURO'))).to.equal(ErrorCodes.INVALID_CURRENCY);
  });
});

describe('compareEchoedAmount', () => {
  it('compares an echoed amount with ours as exact decimals, never as floats', () => {
    const usd = toMoney('5.00', 'USD');
    for (const same of ['5', '5.0', '5.000', ' 5.00 ', 5, 5.0, undefined])
      expect(compareEchoedAmount(same, usd), String(same)).to.equal('same');
    for (const different of ['5.01', '5.001', '50', 4.99])
      expect(compareEchoedAmount(different, usd), String(different)).to.equal('different');
    for (const doubtful of ['5.00 USD', '-5', '1e1', 1e21, null, {}])
      expect(compareEchoedAmount(doubtful, usd), String(doubtful)).to.equal('doubtful');
    expect(compareEchoedAmount('500', toMoney('500', 'JPY'))).to.equal('same');
    expect(compareEchoedAmount('500.5', toMoney('500', 'JPY'))).to.equal('different');
  });

  it('reads an echo in minor units when told so: "1999" is 19.99, not 1999.00', () => {
    const ours = toMoney('19.99', 'USD');
    expect(compareEchoedAmount('1999', ours, 'minor')).to.equal('same');
    expect(compareEchoedAmount(1999, ours, 'minor')).to.equal('same');
    expect(compareEchoedAmount('1999', ours, 'major')).to.equal('different');
    expect(compareEchoedAmount(2000, ours, 'minor')).to.equal('different');
    for (const doubtful of ['19.99', '-1999', 19.99, 2 ** 60, '1e3', null])
      expect(compareEchoedAmount(doubtful, ours, 'minor'), String(doubtful)).to.equal('doubtful');
    expect(compareEchoedAmount(undefined, ours, 'minor')).to.equal('same');
    expect(compareEchoedAmount('1005', toMoney('1.005', 'KWD'), 'minor')).to.equal('same');
    expect(compareEchoedAmount(500, toMoney('500', 'JPY'), 'minor')).to.equal('same');
  });
});
