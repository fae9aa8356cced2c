import { ErrorCodes, ValidationError, systemClock, isCurrency, toMinorUnits, type Clock, type Money } from '@relaypoint/core';

/** One product of the provider's catalogue, normalised to exact minor units. */
export interface CatalogueProduct {
  /** The provider's product id. */
  id: string;
  /** Brand, e.g. `Amazon`. */
  brand: string;
  /** Display name. */
  name?: string;
  /** ISO 4217 currency of the product. */
  currency: string;
  /** Allowed amounts: a fixed list, or an inclusive range (minor units). */
  denomination:
    { type: 'fixed'; values: bigint[]; display: string[] } | { type: 'range'; min: bigint; max: bigint; display: [string, string] };
}

/** Options of {@link GiftcardCatalogue}. */
export interface GiftcardCatalogueOptions {
  /** Fetches the provider's raw catalogue (`GET /products` body, parsed). */
  fetch: () => Promise<unknown>;
  /** Cache lifetime, ms. Defaults to 300000. */
  ttlMs?: number;
  /** Currency assumed when a product states none. Defaults to `USD`. */
  defaultCurrency?: string;
  /** Clock for the TTL. Defaults to `Date.now`. */
  clock?: Clock;
}

function parseProducts(body: unknown, defaultCurrency: string): Map<string, CatalogueProduct> {
  const list = body !== null && typeof body === 'object' ? (body as { products?: unknown }).products : undefined;
  if (!Array.isArray(list)) throw new Error('catalogue body has no products array');
  const out = new Map<string, CatalogueProduct>();
  for (const raw of list) {
    if (raw === null || typeof raw !== 'object') continue;
    const p = raw as Record<string, unknown>;
    if (typeof p.id !== 'string') continue;
    const currency = typeof p.currency === 'string' && isCurrency(p.currency) ? p.currency : defaultCurrency;
    const d = p.denomination as Record<string, unknown> | undefined;
    try {
      if (d?.type === 'fixed' && Array.isArray(d.values)) {
        const display = d.values.map((v) => String(v));
        out.set(p.id, {
          id: p.id,
          brand: String(p.brand ?? ''),
          ...(typeof p.name === 'string' ? { name: p.name } : {}),
          currency,
          denomination: { type: 'fixed', values: display.map((v) => toMinorUnits(v, currency)), display },
        });
      } else if (d?.type === 'range') {
        const display: [string, string] = [String(d.min), String(d.max)];
        out.set(p.id, {
          id: p.id,
          brand: String(p.brand ?? ''),
          ...(typeof p.name === 'string' ? { name: p.name } : {}),
          currency,
          denomination: { type: 'range', min: toMinorUnits(display[0], currency), max: toMinorUnits(display[1], currency), display },
        });
      }
    } catch {
      // A product we cannot read exactly is left out: ordering it is refused locally, never guessed.
    }
  }
  return out;
}

function untilAborted<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/**
 * The provider's product catalogue, cached for `ttlMs` and refreshed early
 * when an issuance names a product the cache does not know (a product added
 * since). Concurrent refreshes share one request.
 */
export class GiftcardCatalogue {
  private products: Map<string, CatalogueProduct> | undefined;
  private fetchedAt = -Infinity;
  private inflight: Promise<Map<string, CatalogueProduct>> | undefined;
  private readonly ttlMs: number;
  private readonly defaultCurrency: string;
  private readonly clock: Clock;

  constructor(private readonly options: GiftcardCatalogueOptions) {
    this.ttlMs = options.ttlMs ?? 300_000;
    this.defaultCurrency = options.defaultCurrency ?? 'USD';
    this.clock = options.clock ?? systemClock;
  }

  /** The product, from the cache when fresh; refreshes once when it is stale or does not know the id. `undefined` when the provider has no such product. */
  async product(id: string, signal?: AbortSignal): Promise<CatalogueProduct | undefined> {
    const fresh = this.products !== undefined && this.clock.now() - this.fetchedAt < this.ttlMs;
    if (fresh && this.products?.has(id)) return this.products.get(id);
    return (await this.refresh(signal)).get(id);
  }

  /** Forgets the cache (after the provider refused a product the cache allowed). */
  invalidate(): void {
    this.fetchedAt = -Infinity;
  }

  /**
   * Refuses, before any order is sent, a product the provider does not list
   * or an amount/currency it does not offer: `ValidationError` with code
   * `PROVIDER_INVALID_PRODUCT` (outcome `not_sent`).
   */
  async validate(productId: string, amount: Money, signal?: AbortSignal): Promise<CatalogueProduct> {
    const product = await this.product(productId, signal);
    if (!product) {
      throw new ValidationError(
        ErrorCodes.PROVIDER_INVALID_PRODUCT,
        'productId',
        `gift-card product "${productId}" is not in the provider's catalogue`,
      );
    }
    if (amount.currency !== product.currency) {
      throw new ValidationError(
        ErrorCodes.PROVIDER_INVALID_PRODUCT,
        'currency',
        `gift-card product "${productId}" is sold in ${product.currency}, not ${amount.currency}`,
      );
    }
    const d = product.denomination;
    if (d.type === 'fixed' && !d.values.includes(amount.minor)) {
      throw new ValidationError(
        ErrorCodes.PROVIDER_INVALID_PRODUCT,
        'amount',
        `gift-card product "${productId}" comes in ${d.display.join(', ')} ${product.currency}, not ${amount.decimal}`,
      );
    }
    if (d.type === 'range' && (amount.minor < d.min || amount.minor > d.max)) {
      throw new ValidationError(
        ErrorCodes.PROVIDER_INVALID_PRODUCT,
        'amount',
        `gift-card product "${productId}" takes ${d.display[0]}–${d.display[1]} ${product.currency}, not ${amount.decimal}`,
      );
    }
    return product;
  }

  private refresh(signal?: AbortSignal): Promise<Map<string, CatalogueProduct>> {
    // One shared fetch, not bound to any one caller's signal (one caller aborting must not fail the
    // others); each caller stops waiting on its own signal instead. The HTTP timeout bounds the fetch.
    this.inflight ??= this.options
      .fetch()
      .then((body) => {
        this.products = parseProducts(body, this.defaultCurrency);
        this.fetchedAt = this.clock.now();
        return this.products;
      })
      .finally(() => {
        this.inflight = undefined;
      });
    return untilAborted(this.inflight, signal);
  }
}
