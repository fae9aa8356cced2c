import { readFileSync } from 'node:fs';
import { ConfigError, ErrorCodes, fromMinorUnits, isCurrency, toMinorUnits, validateAgainstSchema } from '@relaypoint/core';
import { validationSchema } from '../validation/validationSchema.js';
import schema from './SimulatorConfig.schema.json' with { type: 'json' };
import type { SimulatorConfig } from './SimulatorConfig.types.js';
import { DEFAULT_CONFIG } from './defaultConfig.js';
import type { Account, AirtimeProduct, GiftcardProduct, PendingSpec, ResolvedConfig } from './ResolvedConfig.js';

const configSchema = validationSchema(schema);

/** Reads a JSON file, or throws `ConfigError` (`CONFIG_UNREADABLE`) with one `path: message` line. */
export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(ErrorCodes.CONFIG_UNREADABLE, [`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`], {
      cause: e,
    });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ConfigError(ErrorCodes.CONFIG_UNREADABLE, [`${path}: not JSON (${(e as Error).message})`], { cause: e });
  }
}

function pending(
  p: { polls?: number; ms?: number; outcome: 'success' | 'failed' } | undefined,
  path: string,
  errors: string[],
): PendingSpec | undefined {
  if (!p) return undefined;
  if (p.polls === undefined && p.ms === undefined) errors.push(`${path}: needs polls or ms`);
  return { ...p };
}

/**
 * Validates a simulator config (an object or a JSON file path) against
 * `SimulatorConfig.schema.json` and indexes it. A provider section left out
 * takes the defaults of {@link DEFAULT_CONFIG}; a section given replaces
 * those fields it sets. Throws `ConfigError` with `path: message` lines.
 */
export function loadConfig(input: SimulatorConfig | string | undefined): ResolvedConfig {
  const raw = typeof input === 'string' ? readJsonFile(input) : (input ?? {});
  const invalid = validateAgainstSchema(configSchema, raw);
  if (invalid.length) throw new ConfigError(ErrorCodes.CONFIG_INVALID, invalid);
  const cfg = raw as SimulatorConfig;
  const errors: string[] = [];
  const at = { ...DEFAULT_CONFIG.airtime, ...cfg.airtime };
  const gc = { ...DEFAULT_CONFIG.giftcard, ...cfg.giftcard };
  const atCurrency = at.currency ?? 'USD';
  const gcCurrency = gc.currency ?? 'USD';
  for (const [path, c] of [
    ['airtime.currency', atCurrency],
    ['giftcard.currency', gcCurrency],
  ] as const) {
    if (!isCurrency(c)) errors.push(`${path}: ${JSON.stringify(c)} is not an ISO 4217 code`);
  }
  if (errors.length) throw new ConfigError(ErrorCodes.CONFIG_INVALID, errors);

  const minor = (value: string, currency: string, path: string): bigint => {
    try {
      return toMinorUnits(value, currency);
    } catch (e) {
      errors.push(`${path}: ${(e as Error).message}`);
      return 0n;
    }
  };
  const accounts = (
    list: readonly { id: string; apiKey: string; secret?: string; balance: string; balances?: Record<string, string> }[],
    currency: string,
    section: string,
    needSecret: boolean,
  ): Account[] =>
    list.map((a, i) => {
      if (needSecret && !a.secret) errors.push(`${section}.accounts[${i}].secret: is required (the X-Signature key)`);
      for (const [c, decimal] of Object.entries(a.balances ?? {})) {
        if (!isCurrency(c)) errors.push(`${section}.accounts[${i}].balances.${c}: is not an ISO 4217 code`);
        else minor(decimal, c, `${section}.accounts[${i}].balances.${c}`);
      }
      const balance = minor(a.balance, currency, `${section}.accounts[${i}].balance`);
      return {
        id: a.id,
        apiKey: a.apiKey,
        ...(a.secret ? { secret: Buffer.from(a.secret, 'utf8') } : {}),
        initialBalance: balance,
        balance,
      };
    });
  const byKey = (list: Account[], section: string): Map<string, Account> => {
    const m = new Map<string, Account>();
    const ids = new Set<string>();
    list.forEach((a, i) => {
      if (m.has(a.apiKey)) errors.push(`${section}.accounts[${i}].apiKey: is used by another account`);
      if (ids.has(a.id)) errors.push(`${section}.accounts[${i}].id: is used by another account`);
      m.set(a.apiKey, a);
      ids.add(a.id);
    });
    return m;
  };

  const atAccounts = accounts(at.accounts ?? [], atCurrency, 'airtime', true);
  const atProducts = new Map<string, AirtimeProduct>();
  (at.products ?? []).forEach((p, i) => {
    const path = `airtime.products[${i}]`;
    if (atProducts.has(p.id)) errors.push(`${path}.id: duplicate product id "${p.id}"`);
    const currency = p.currency ?? atCurrency;
    if (!isCurrency(currency)) {
      errors.push(`${path}.currency: ${JSON.stringify(currency)} is not an ISO 4217 code`);
      return;
    }
    const min = minor(p.minAmount, currency, `${path}.minAmount`);
    const max = minor(p.maxAmount, currency, `${path}.maxAmount`);
    if (min > max) errors.push(`${path}.maxAmount: must be >= minAmount`);
    const pend = pending(p.pending, `${path}.pending`, errors);
    atProducts.set(p.id, { id: p.id, name: p.name ?? p.id, min, max, ...(pend ? { pending: pend } : {}) });
  });

  const gcAccounts = accounts(gc.accounts ?? [], gcCurrency, 'giftcard', false);
  const gcProducts = new Map<string, GiftcardProduct>();
  const gcHeld = new Set([gcCurrency, ...(gc.accounts ?? []).flatMap((a) => Object.keys(a.balances ?? {}))]);
  (gc.products ?? []).forEach((p, i) => {
    const path = `giftcard.products[${i}]`;
    if (gcProducts.has(p.id)) errors.push(`${path}.id: duplicate product id "${p.id}"`);
    if (!isCurrency(p.currency)) errors.push(`${path}.currency: ${JSON.stringify(p.currency)} is not an ISO 4217 code`);
    const fixed = p.denominations !== undefined;
    const ranged = p.minAmount !== undefined || p.maxAmount !== undefined;
    if (fixed === ranged) {
      errors.push(`${path}: needs either denominations or minAmount and maxAmount`);
      return;
    }
    if (!isCurrency(p.currency)) return;
    if (!gcHeld.has(p.currency)) errors.push(`${path}.currency: must be a currency the accounts hold (${[...gcHeld].join(', ')})`);
    const pend = pending(p.pending, `${path}.pending`, errors);
    if (fixed) {
      const values = p.denominations!.map((d, j) => minor(d, p.currency, `${path}.denominations[${j}]`));
      gcProducts.set(p.id, {
        id: p.id,
        brand: p.brand,
        name: p.name ?? p.brand,
        currency: p.currency,
        denominations: values,
        ...(pend ? { pending: pend } : {}),
        wire: {
          id: p.id,
          brand: p.brand,
          name: p.name ?? p.brand,
          currency: p.currency,
          denomination: { type: 'fixed', values: values.map((v) => fromMinorUnits(v, p.currency)) },
        },
      });
    } else {
      if (p.minAmount === undefined || p.maxAmount === undefined) {
        errors.push(`${path}: a range product needs both minAmount and maxAmount`);
        return;
      }
      const min = minor(p.minAmount, p.currency, `${path}.minAmount`);
      const max = minor(p.maxAmount, p.currency, `${path}.maxAmount`);
      if (min > max) errors.push(`${path}.maxAmount: must be >= minAmount`);
      gcProducts.set(p.id, {
        id: p.id,
        brand: p.brand,
        name: p.name ?? p.brand,
        currency: p.currency,
        min,
        max,
        ...(pend ? { pending: pend } : {}),
        wire: {
          id: p.id,
          brand: p.brand,
          name: p.name ?? p.brand,
          currency: p.currency,
          denomination: { type: 'range', min: fromMinorUnits(min, p.currency), max: fromMinorUnits(max, p.currency) },
        },
      });
    }
  });

  const resolved: ResolvedConfig = {
    airtime: {
      currency: atCurrency,
      accounts: atAccounts,
      byKey: byKey(atAccounts, 'airtime'),
      products: atProducts,
      recentRechargeWindowMs: at.recentRechargeWindowMs ?? 0,
    },
    giftcard: { currency: gcCurrency, accounts: gcAccounts, byKey: byKey(gcAccounts, 'giftcard'), products: gcProducts },
    sections: { airtime: { ...at, currency: atCurrency }, giftcard: { ...gc, currency: gcCurrency } },
  };
  if (errors.length) throw new ConfigError(ErrorCodes.CONFIG_INVALID, errors);
  return resolved;
}
