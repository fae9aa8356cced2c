import { ErrorCodes } from '../errors/codes.js';
import { ValidationError } from '../errors/ConnectorError.js';

// ISO 4217 active alphabetic codes. Exponent 2 unless listed below.
const CODES =
  'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG'.split(
    ' ',
  );
const EXPONENT_0 = 'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF'.split(' ');
const EXPONENT_3 = 'BHD IQD JOD KWD LYD OMR TND'.split(' ');
const EXPONENT_4 = 'CLF UYW'.split(' ');

const exponents = new Map<string, number>(CODES.map((c) => [c, 2]));
for (const c of EXPONENT_0) exponents.set(c, 0);
for (const c of EXPONENT_3) exponents.set(c, 3);
for (const c of EXPONENT_4) exponents.set(c, 4);

/** True when `code` is an active ISO 4217 alphabetic currency code as written (upper case). See {@link normalizeCurrency} for any case. */
export function isCurrency(code: unknown): code is string {
  return typeof code === 'string' && exponents.has(code);
}

/**
 * The ISO 4217 code for `code` in any case (`"usd"` → `"USD"`), for a
 * provider that writes currencies in lower case. Throws `INVALID_CURRENCY`
 * for anything that is not an active code.
 */
export function normalizeCurrency(code: string): string {
  const upper = typeof code === 'string' ? code.toUpperCase() : code;
  if (typeof upper !== 'string' || !exponents.has(upper)) {
    throw new ValidationError(ErrorCodes.INVALID_CURRENCY, 'currency', `currency ${JSON.stringify(code)} is not an ISO 4217 code`);
  }
  return upper;
}

/** The number of decimal places of an ISO 4217 currency, any case (USD 2, JPY 0, KWD 3). Throws `INVALID_CURRENCY` for an unknown code. */
export function currencyExponent(currency: string): number {
  return exponents.get(normalizeCurrency(currency)) as number;
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
  /** ISO 4217 code, upper case. */
  currency: string;
  /** Integer minor units (cents for USD). */
  minor: bigint;
  /** Decimal string in major units with exactly the currency's decimals (`"5.00"`, `"500"` for JPY). */
  decimal: string;
}

const DECIMAL = /^(0|[1-9]\d{0,29})(?:\.(\d{1,4}))?$/;
const DIGITS = /^[1-9]\d{0,29}$/;

/**
 * Parses a decimal string in major units into exact integer minor units by
 * the currency's ISO 4217 exponent (any case), without floating-point
 * arithmetic: `toMinorUnits("5.1", "usd") === 510n`, `toMinorUnits("500",
 * "JPY") === 500n`, `toMinorUnits("1.005", "KWD") === 1005n`. Throws
 * `INVALID_AMOUNT` for a negative amount, more decimals than the currency
 * has, a sign, an exponent, or anything that is not plain digits;
 * `INVALID_CURRENCY` for an unknown currency.
 */
export function toMinorUnits(decimal: string, currency: string): bigint {
  const code = normalizeCurrency(currency);
  const exp = exponents.get(code) as number;
  const m = typeof decimal === 'string' ? DECIMAL.exec(decimal) : null;
  if (!m) {
    const why =
      typeof decimal === 'string' && /^\s*-/.test(decimal)
        ? 'is negative; an amount of money is never below zero'
        : 'is not a plain decimal string such as "5.00"';
    throw new ValidationError(ErrorCodes.INVALID_AMOUNT, 'amount', `amount ${JSON.stringify(decimal)} ${why}`);
  }
  const frac = m[2] ?? '';
  if (frac.length > exp) {
    throw new ValidationError(ErrorCodes.INVALID_AMOUNT, 'amount', `amount "${decimal}" has ${frac.length} decimals; ${code} has ${exp}`);
  }
  return BigInt(m[1]) * 10n ** BigInt(exp) + (frac ? BigInt(frac.padEnd(exp, '0')) : 0n);
}

/** Integer minor units as {@link fromMinorUnits} accepts them: a bigint, a safe integer, or a digit string. */
export type MinorUnitsValue = bigint | number | string;

/** Reads {@link MinorUnitsValue} exactly; undefined when it is not a non-negative integer. */
function readMinor(value: unknown): bigint | undefined {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : undefined;
  if (typeof value === 'string' && /^-?\d{1,30}$/.test(value)) return BigInt(value);
  return undefined;
}

/**
 * Formats integer minor units as a decimal string in major units with
 * exactly the currency's decimals: `fromMinorUnits(510n, "USD") === "5.10"`,
 * `fromMinorUnits("1999", "usd") === "19.99"`, `fromMinorUnits(5, "KWD") ===
 * "0.005"`. Throws `INVALID_AMOUNT` for a negative amount or a value that is
 * not an integer (a float, an unsafe integer), `INVALID_CURRENCY` for an
 * unknown currency.
 */
export function fromMinorUnits(minor: MinorUnitsValue, currency: string): string {
  const exp = currencyExponent(currency);
  const v = readMinor(minor);
  if (v === undefined)
    throw new ValidationError(
      ErrorCodes.INVALID_AMOUNT,
      'amount',
      `minor units ${JSON.stringify(String(minor))} are not an integer (a bigint, a safe integer or a digit string)`,
    );
  if (v < 0n)
    throw new ValidationError(ErrorCodes.INVALID_AMOUNT, 'amount', `minor units ${v} are negative; an amount of money is never below zero`);
  const s = v.toString().padStart(exp + 1, '0');
  return exp === 0 ? s : `${s.slice(0, s.length - exp)}.${s.slice(s.length - exp)}`;
}

/**
 * Normalises an {@link AmountInput} into {@link Money}. The amount must be
 * positive. A JavaScript `number` is accepted only as `{ minor }` and only
 * when it is a safe integer: a float never carries money. The currency is
 * an issuance parameter and must be the ISO code as written (`"USD"`);
 * `INVALID_CURRENCY` otherwise (read a provider's `"usd"` with
 * {@link normalizeCurrency}).
 */
export function toMoney(amount: AmountInput, currency: string): Money {
  // Issuance parameters name the currency by its ISO code as written (upper case); only wire helpers take any case.
  if (!isCurrency(currency))
    throw new ValidationError(
      ErrorCodes.INVALID_CURRENCY,
      'currency',
      `currency ${JSON.stringify(currency)} is not an ISO 4217 code (upper case, e.g. "USD")`,
    );
  let minor: bigint;
  if (typeof amount === 'string') {
    minor = toMinorUnits(amount, currency);
  } else if (amount !== null && typeof amount === 'object' && 'minor' in amount) {
    const v = amount.minor;
    if (typeof v === 'number' && Number.isSafeInteger(v)) minor = BigInt(v);
    else if (typeof v === 'bigint') minor = v;
    else if (typeof v === 'string' && DIGITS.test(v)) minor = BigInt(v);
    else
      throw new ValidationError(
        ErrorCodes.INVALID_AMOUNT,
        'amount',
        'amount.minor must be a positive integer (safe integer, bigint, or digit string)',
      );
  } else {
    throw new ValidationError(
      ErrorCodes.INVALID_AMOUNT,
      'amount',
      'amount must be a decimal string such as "5.00" or { minor: <integer> }; a JSON number is refused so no float carries money',
    );
  }
  if (minor <= 0n) throw new ValidationError(ErrorCodes.INVALID_AMOUNT, 'amount', 'amount must be greater than zero');
  return { currency, minor, decimal: fromMinorUnits(minor, currency) };
}

/** How an amount a provider echoes back compares with ours: the same, certainly different, or impossible to tell. */
export type AmountMatch = 'same' | 'different' | 'doubtful';

/** The unit a provider writes amounts in: decimals in major units (`"19.99"`) or integer minor units (`1999`). */
export type AmountUnit = 'major' | 'minor';

/**
 * Compares an amount a provider echoes (in a returned original, a status
 * answer) with `ours`, exactly, never with float arithmetic. `unit` says how
 * the provider writes amounts (a plugin passes its `capabilities.amountUnit`):
 * - `'major'` (the default): `"5.000"`, `"5.00"`, `"5"` and the JSON number
 *   `5` are the same amount; more significant decimals than the currency
 *   has is a different amount;
 * - `'minor'`: an integer count of minor units, so `"1999"` or `1999` is
 *   19.99 USD; anything with a decimal point, a sign or an unsafe JSON number
 *   is `doubtful`.
 *
 * An echo that cannot be read is `doubtful`, never a conflict. An amount the
 * provider did not echo (`undefined`) contradicts nothing: `same`.
 */
export function compareEchoedAmount(wire: unknown, ours: Money, unit: AmountUnit = 'major'): AmountMatch {
  if (wire === undefined) return 'same';
  if (typeof wire !== 'string' && typeof wire !== 'number') return 'doubtful';
  if (unit === 'minor') {
    if (typeof wire === 'number' && !Number.isSafeInteger(wire)) return 'doubtful';
    const text = typeof wire === 'number' ? String(wire) : wire.trim();
    if (!/^\d{1,30}$/.test(text)) return 'doubtful';
    return BigInt(text) === ours.minor ? 'same' : 'different';
  }
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
