import { ErrorCodes, ValidationError, systemClock, toMinorUnits, type Clock, type Money } from '@relaypoint/core';

/** A product of Tremendous's catalogue as the connector reads it (`GET /products`). */
export interface TremendousProduct {
  id: string;
  name?: string;
  /** Currencies the product is sold in, upper case. */
  currencies: string[];
  /** Amount ranges (`skus`: `{ min, max }`), as read from the catalogue. */
  skus: { min: unknown; max: unknown }[];
}

/** Options of {@link TremendousCatalogue}. */
export interface TremendousCatalogueOptions {
  /** Fetches the raw catalogue (`GET /products` body, parsed). */
  fetch: (signal?: AbortSignal) => Promise<unknown>;
  /** Cache lifetime, ms. Defaults to 300000. */
  ttlMs?: number;
  clock?: Clock;
}

/** Exact minor units of a catalogue amount; undefined when it cannot be read exactly. */
function minorOf(value: unknown, currency: string): bigint | undefined {
  if (typeof value !== 'number' && typeof value !== 'string') return undefined;
  const text = String(value).trim();
  if (!/^\d+(\.\d+)?$/.test(text)) return undefined;
  const trimmed = text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
  try {
    return toMinorUnits(trimmed, currency);
  } catch {
    return undefined;
  }
}

function parseProducts(body: unknown): Map<string, TremendousProduct> {
  const list = body !== null && typeof body === 'object' ? (body as { products?: unknown }).products : undefined;
  if (!Array.isArray(list)) throw new Error('the products answer has no products array');
  const out = new Map<string, TremendousProduct>();
  for (const raw of list) {
    if (raw === null || typeof raw !== 'object') continue;
    const p = raw as Record<string, unknown>;
    if (typeof p.id !== 'string') continue;
    const currencies = Array.isArray(p.currency_codes)
      ? p.currency_codes.filter((c): c is string => typeof c === 'string').map((c) => c.toUpperCase())
      : [];
    const skus = Array.isArray(p.skus)
      ? p.skus.filter((s): s is { min: unknown; max: unknown } => s !== null && typeof s === 'object')
      : [];
    out.set(p.id, { id: p.id, ...(typeof p.name === 'string' ? { name: p.name } : {}), currencies, skus });
  }
  return out;
}

/**
 * Tremendous's product catalogue, cached for `ttlMs` and read again at once
 * when an issuance names a product the cache does not know. Refuses, before
 * any order, a product Tremendous does not list, a currency it is not sold in
 * or an amount outside every one of its ranges. A range that cannot be read
 * exactly is left to Tremendous to judge.
 */
export class TremendousCatalogue {
  private products: Map<string, TremendousProduct> | undefined;
  private fetchedAt = -Infinity;
  private inflight: Promise<Map<string, TremendousProduct>> | undefined;
  private readonly ttlMs: number;
  private readonly clock: Clock;

  constructor(private readonly options: TremendousCatalogueOptions) {
    this.ttlMs = options.ttlMs ?? 300_000;
    this.clock = options.clock ?? systemClock;
  }

  /** The product, `undefined` when Tremendous does not list it (after one fresh read). */
  async product(id: string, signal?: AbortSignal): Promise<TremendousProduct | undefined> {
    const fresh = this.products !== undefined && this.clock.now() - this.fetchedAt < this.ttlMs;
    if (fresh && this.products?.has(id)) return this.products.get(id);
    return (await this.refresh(signal)).get(id);
  }

  /** Refuses (`PROVIDER_INVALID_PRODUCT`, outcome `not_sent`) what the catalogue does not offer. */
  async check(productId: string, amount: Money, signal?: AbortSignal): Promise<void> {
    const product = await this.product(productId, signal);
    if (!product)
      throw new ValidationError(
        ErrorCodes.PROVIDER_INVALID_PRODUCT,
        'productId',
        `tremendous product "${productId}" is not in the catalogue`,
      );
    if (product.currencies.length > 0 && !product.currencies.includes(amount.currency)) {
      throw new ValidationError(
        ErrorCodes.PROVIDER_INVALID_PRODUCT,
        'currency',
        `tremendous product "${productId}" is sold in ${product.currencies.join(', ')}, not ${amount.currency}`,
      );
    }
    const ranges = product.skus.map((s) => ({
      min: minorOf(s.min, amount.currency),
      max: minorOf(s.max, amount.currency),
      shown: `${String(s.min)}–${String(s.max)}`,
    }));
    if (ranges.length === 0 || ranges.some((r) => r.min === undefined || r.max === undefined)) return;
    if (!ranges.some((r) => amount.minor >= (r.min as bigint) && amount.minor <= (r.max as bigint))) {
      throw new ValidationError(
        ErrorCodes.PROVIDER_INVALID_PRODUCT,
        'amount',
        `tremendous product "${productId}" takes ${ranges.map((r) => r.shown).join(' or ')} ${amount.currency}, not ${amount.decimal}`,
      );
    }
  }

  private refresh(signal?: AbortSignal): Promise<Map<string, TremendousProduct>> {
    this.inflight ??= this.options
      .fetch(signal)
      .then((body) => {
        this.products = parseProducts(body);
        this.fetchedAt = this.clock.now();
        return this.products;
      })
      .finally(() => {
        this.inflight = undefined;
      });
    return this.inflight;
  }
}
