import { ErrorCodes } from '../errors/codes.js';
import { ValidationError } from '../errors/ConnectorError.js';

// ISO 4217 active alphabetic codes. Exponent 2 unless listed below.
const CODES =
  'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG'.split(' ');
const EXPONENT_0 = 'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF'.split(' ');
const EXPONENT_3 = 'BHD IQD JOD KWD LYD OMR TND'.split(' ');
const EXPONENT_4 = 'CLF UYW'.split(' ');

const exponents = new Map<string, number>(CODES.map((c) => [c, 2]));
for (const c of EXPONENT_0) exponents.set(c, 0);
for (const c of EXPONENT_3) exponents.set(c, 3);
for (const c of EXPONENT_4) exponents.set(c, 4);

/** True when `code` is an active ISO 4217 alphabetic currency code. */
export function isCurrency(code: unknown): code is string {
  return typeof code === 'string' && exponents.has(code);
}

/** The number of decimal places of an ISO 4217 currency (USD 2, JPY 0, KWD 3). Throws `INVALID_CURRENCY` for an unknown code. */
export function currencyExponent(currency: string): number {
  const e = exponents.get(currency);
  if (e === undefined) throw new ValidationError(ErrorCodes.INVALID_CURRENCY, 'currency', `currency ${JSON.stringify(currency)} is not an ISO 4217 code`);
  return e;
}

/** An amount given in integer minor units of its currency (cents for USD), as a safe integer, bigint, or digit string. */
export interface MinorUnits {
  /** Integer minor units, > 0. */
  minor: number | bigint | string;
}

/** An amount as a caller may give it: a decimal string in major units (`"5.00"`), or integer minor units. Never a binary float. */
export type AmountInput = string | MinorUnits;

/** An exact amount of money, normalised. */
export interface Money {
  /** ISO 4217 code. */
  currency: string;
  /** Integer minor units (cents for USD). */
  minor: bigint;
  /** Decimal string in major units with exactly the currency's decimals (`"5.00"`, `"500"` for JPY). */
  decimal: string;
}

const DECIMAL = /^(0|[1-9]\d{0,17})(?:\.(\d{1,4}))?$/;
const DIGITS = /^[1-9]\d{0,20}$/;

/**
 * Parses a decimal string in major units into exact integer minor units
 * without floating-point arithmetic. `toMinorUnits("5.1", "USD") === 510n`.
 * Throws `INVALID_AMOUNT` for more decimals than the currency has, a sign,
 * an exponent, or anything that is not plain digits.
 */
export function toMinorUnits(decimal: string, currency: string): bigint {
  const exp = currencyExponent(currency);
  const m = typeof decimal === 'string' ? DECIMAL.exec(decimal) : null;
  if (!m) throw new ValidationError(ErrorCodes.INVALID_AMOUNT, 'amount', `amount ${JSON.stringify(decimal)} is not a plain decimal string such as "5.00"`);
  const frac = m[2] ?? '';
  if (frac.length > exp) {
    throw new ValidationError(ErrorCodes.INVALID_AMOUNT, 'amount', `amount "${decimal}" has ${frac.length} decimals; ${currency} has ${exp}`);
  }
  return BigInt(m[1]) * 10n ** BigInt(exp) + (frac ? BigInt(frac.padEnd(exp, '0')) : 0n);
}

/** Formats integer minor units as a decimal string in major units: `fromMinorUnits(510n, "USD") === "5.10"`. */
export function fromMinorUnits(minor: bigint | number, currency: string): string {
  const exp = currencyExponent(currency);
  const v = BigInt(minor);
  const neg = v < 0n;
  const s = (neg ? -v : v).toString().padStart(exp + 1, '0');
  const out = exp === 0 ? s : `${s.slice(0, s.length - exp)}.${s.slice(s.length - exp)}`;
  return neg ? `-${out}` : out;
}

/**
 * Normalises an {@link AmountInput} into {@link Money}. The amount must be
 * positive. A JavaScript `number` is accepted only as `{ minor }` and only
 * when it is a safe integer: a float never carries money.
 */
export function toMoney(amount: AmountInput, currency: string): Money {
  currencyExponent(currency);
  let minor: bigint;
  if (typeof amount === 'string') {
    minor = toMinorUnits(amount, currency);
  } else if (amount !== null && typeof amount === 'object' && 'minor' in amount) {
    const v = amount.minor;
    if (typeof v === 'number' && Number.isSafeInteger(v)) minor = BigInt(v);
    else if (typeof v === 'bigint') minor = v;
    else if (typeof v === 'string' && DIGITS.test(v)) minor = BigInt(v);
    else throw new ValidationError(ErrorCodes.INVALID_AMOUNT, 'amount', 'amount.minor must be a positive integer (safe integer, bigint, or digit string)');
  } else {
    throw new ValidationError(ErrorCodes.INVALID_AMOUNT, 'amount', 'amount must be a decimal string such as "5.00" or { minor: <integer> }; a JSON number is refused so no float carries money');
  }
  if (minor <= 0n) throw new ValidationError(ErrorCodes.INVALID_AMOUNT, 'amount', 'amount must be greater than zero');
  return { currency, minor, decimal: fromMinorUnits(minor, currency) };
}

/** How an amount a provider echoes back compares with ours: the same, certainly different, or impossible to tell. */
export type AmountMatch = 'same' | 'different' | 'doubtful';

/**
 * Compares an amount a provider echoes (in a returned original, a status
 * answer) with `ours`, as exact decimals: `"5.000"`, `"5.00"`, `"5"` and the
 * JSON number `5` are the same amount. Never float arithmetic: trailing zeros
 * are dropped from the text, then {@link toMinorUnits} reads it. More
 * significant decimals than the currency has is a different amount; an echo
 * that is not a plain decimal is `doubtful`, never a conflict. An amount the
 * provider did not echo (`undefined`) contradicts nothing: `same`.
 */
export function compareEchoedAmount(wire: unknown, ours: Money): AmountMatch {
  if (wire === undefined) return 'same';
  if (typeof wire !== 'string' && typeof wire !== 'number') return 'doubtful';
  // A JSON number prints as its shortest round-trip decimal ("5", "5.5"); 1e21 and friends fall to `doubtful`.
  const m = /^(\d+)(?:\.(\d*))?$/.exec(typeof wire === 'number' ? String(wire) : wire.trim());
  if (!m) return 'doubtful';
  const int = m[1].replace(/^0+(?=\d)/, '');
  const frac = (m[2] ?? '').replace(/0+$/, '');
  if (frac.length > currencyExponent(ours.currency)) return 'different';
  try {
    return toMinorUnits(frac === '' ? int : `${int}.${frac}`, ours.currency) === ours.minor ? 'same' : 'different';
  } catch {
    return 'doubtful';
  }
}
