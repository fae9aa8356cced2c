import { ErrorCodes, ValidationError, systemClock, toMinorUnits, type Clock, type Money } from '@relaypoint/core';

/** What the connector reads of Reloadly's operator (`GET /operators/{operatorId}`). */
export interface ReloadlyOperator {
  operatorId: number;
  name?: string;
  /** `RANGE` or `FIXED`. */
  denominationType?: string;
  senderCurrencyCode?: string;
  destinationCurrencyCode?: string;
  minAmount?: unknown;
  maxAmount?: unknown;
  localMinAmount?: unknown;
  localMaxAmount?: unknown;
  fixedAmounts?: unknown;
  localFixedAmounts?: unknown;
}

/** Options of {@link ReloadlyOperatorCatalogue}. */
export interface ReloadlyOperatorCatalogueOptions {
  /** Fetches one operator: its body, or `null` when Reloadly has no such operator. */
  fetch: (operatorId: number, signal?: AbortSignal) => Promise<unknown>;
  /** Cache lifetime, ms. Defaults to 3600000. */
  ttlMs?: number;
  clock?: Clock;
}

/** Exact minor units of a JSON number or decimal string Reloadly sends; undefined when it cannot be read exactly. */
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

/**
 * Reloadly's operators, fetched one at a time and cached, so a top-up the
 * operator cannot take (a currency it does not sell in, an amount outside its
 * range or not among its fixed amounts) is refused before anything is sent.
 * A limit Reloadly does not state, or states in a form that cannot be read
 * exactly, is left to Reloadly to judge.
 */
export class ReloadlyOperatorCatalogue {
  private readonly cache = new Map<number, { operator: ReloadlyOperator | null; at: number }>();
  private readonly inflight = new Map<number, Promise<ReloadlyOperator | null>>();
  private readonly ttlMs: number;
  private readonly clock: Clock;

  constructor(private readonly options: ReloadlyOperatorCatalogueOptions) {
    this.ttlMs = options.ttlMs ?? 3_600_000;
    this.clock = options.clock ?? systemClock;
  }

  /** The operator (cached), `null` when Reloadly has none with this id. */
  async operator(operatorId: number, signal?: AbortSignal): Promise<ReloadlyOperator | null> {
    const hit = this.cache.get(operatorId);
    if (hit && this.clock.now() - hit.at < this.ttlMs) return hit.operator;
    let pending = this.inflight.get(operatorId);
    if (!pending) {
      pending = this.options
        .fetch(operatorId, signal)
        .then((body) => {
          const operator =
            body === null || typeof body !== 'object' ? null : ({ operatorId, ...(body as Record<string, unknown>) } as ReloadlyOperator);
          this.cache.set(operatorId, { operator, at: this.clock.now() });
          return operator;
        })
        .finally(() => this.inflight.delete(operatorId));
      this.inflight.set(operatorId, pending);
    }
    return pending;
  }

  /**
   * Refuses (`PROVIDER_INVALID_PRODUCT`, outcome `not_sent`) a top-up of
   * `amount` the operator does not take; `local` says whether the amount is in
   * the operator's local currency (`useLocalAmount`).
   */
  async check(operatorId: number, amount: Money, local: boolean, signal?: AbortSignal): Promise<void> {
    const operator = await this.operator(operatorId, signal);
    if (operator === null)
      throw new ValidationError(ErrorCodes.PROVIDER_INVALID_PRODUCT, 'productId', `reloadly has no operator ${operatorId}`);
    const currency = local ? operator.destinationCurrencyCode : operator.senderCurrencyCode;
    if (typeof currency === 'string' && currency.toUpperCase() !== amount.currency) {
      throw new ValidationError(
        ErrorCodes.PROVIDER_INVALID_PRODUCT,
        'currency',
        `reloadly operator ${operatorId} takes ${local ? 'local' : 'wallet'} amounts in ${currency}, not ${amount.currency}`,
      );
    }
    const fixed = local ? operator.localFixedAmounts : operator.fixedAmounts;
    if (operator.denominationType === 'FIXED' && Array.isArray(fixed) && fixed.length > 0) {
      const allowed = fixed.map((v) => minorOf(v, amount.currency));
      if (allowed.every((v) => v !== undefined) && !allowed.includes(amount.minor)) {
        throw new ValidationError(
          ErrorCodes.PROVIDER_INVALID_PRODUCT,
          'amount',
          `reloadly operator ${operatorId} takes only ${fixed.join(', ')} ${amount.currency}, not ${amount.decimal}`,
        );
      }
      return;
    }
    const min = minorOf(local ? operator.localMinAmount : operator.minAmount, amount.currency);
    const max = minorOf(local ? operator.localMaxAmount : operator.maxAmount, amount.currency);
    if ((min !== undefined && amount.minor < min) || (max !== undefined && amount.minor > max)) {
      const range = `${String(local ? operator.localMinAmount : operator.minAmount)}–${String(local ? operator.localMaxAmount : operator.maxAmount)}`;
      throw new ValidationError(
        ErrorCodes.PROVIDER_INVALID_PRODUCT,
        'amount',
        `reloadly operator ${operatorId} takes ${range} ${amount.currency}, not ${amount.decimal}`,
      );
    }
  }
}
