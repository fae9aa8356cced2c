import { fromMinorUnits, isCurrency, toMinorUnits } from '@relaypoint/core';
import { DEFAULT_CONFIG } from '../config/defaultConfig.js';
import type { GiftcardConfig } from '../config/SimulatorConfig.types.js';
import { parseAmount } from '../http/parseAmount.js';
import { defineProviderModel } from '../model/defineProviderModel.js';
import type { ModelErrorKind, ModelProduct, ModelTransaction, ProviderModel } from '../model/ProviderModel.js';
import { errorBody, retryAfter } from './errorBody.js';

const ERRORS: Record<ModelErrorKind, [number, string]> = {
  'invalid-request': [400, 'INVALID_REQUEST'],
  unauthorised: [401, 'INVALID_API_KEY'],
  'token-expired': [401, 'INVALID_API_KEY'],
  'not-found': [404, 'ORDER_NOT_FOUND'],
  'insufficient-balance': [402, 'INSUFFICIENT_BALANCE'],
  'invalid-recipient': [400, 'INVALID_RECIPIENT'],
  'unknown-product': [400, 'INVALID_PRODUCT'],
  'invalid-amount': [400, 'INVALID_AMOUNT'],
  'invalid-currency': [400, 'INVALID_CURRENCY'],
  'rate-limited': [429, 'RATE_LIMITED'],
  unavailable: [503, 'SERVICE_UNAVAILABLE'],
  'recently-recharged': [429, 'RATE_LIMITED'],
  internal: [500, 'INTERNAL_ERROR'],
};

/** `"10"` → `"10.00"` in USD: the catalogue shows every amount with the currency's decimals. */
const canonical = (decimal: string, currency: string): string => fromMinorUnits(toMinorUnits(decimal, currency), currency);

function orderBody(tx: ModelTransaction): Record<string, unknown> {
  const card = tx.voucher;
  return {
    id: tx.id,
    external_ref: tx.reference,
    product_id: tx.productId,
    amount: tx.amount,
    currency: tx.currency,
    status: tx.status === 'succeeded' ? 'complete' : tx.status,
    card:
      card === undefined
        ? null
        : { code: card.code, pin: card.pin, redemption_url: `https://giftcards.sim.relaypoint.test/redeem/${card.code}` },
    customer_id: tx.details?.customer_id ?? null,
    recipient: tx.details?.recipient ?? null,
    created_at: new Date(tx.createdAt).toISOString(),
  };
}

/**
 * The gift-card provider as a provider model: API key only (`X-API-Key` or
 * `Authorization: Bearer`), a catalogue, and orders keyed by `external_ref`
 * where a repeat returns the original order (like Tango Card and Tremendous)
 * and a repeat with a different body is a 409 `EXTERNAL_REF_CONFLICT`.
 * `section` is the config's `giftcard` section (defaults: `DEFAULT_CONFIG`).
 */
export function createGiftcardModel(section: GiftcardConfig = DEFAULT_CONFIG.giftcard!): ProviderModel {
  const currency = section.currency ?? 'USD';
  const products: ModelProduct[] = (section.products ?? []).map((p) => ({
    id: p.id,
    currency: p.currency,
    ...(p.denominations ? { denominations: p.denominations } : { min: p.minAmount!, max: p.maxAmount! }),
    ...(p.pending
      ? { pending: { ...p.pending, outcome: p.pending.outcome === 'success' ? ('succeeded' as const) : ('failed' as const) } }
      : {}),
    details: { brand: p.brand, name: p.name ?? p.brand },
  }));
  let catalogue: object | undefined;
  return defineProviderModel({
    id: 'giftcard',
    description: 'The gift-card provider: API key, catalogue, orders keyed by external_ref (a repeat returns the original)',
    successStatus: 'complete',
    transactionId: (hex) => `gco_${hex.slice(0, 20)}`,
    routes: [
      { name: 'products', method: 'GET', path: '/products', role: 'catalogue' },
      { name: 'order', method: 'POST', path: '/orders', role: 'issue' },
      { name: 'status', method: 'GET', path: '/orders/:id', role: 'status-by-id' },
      {
        name: 'lookup',
        method: 'GET',
        path: '/orders',
        role: 'status-by-reference',
        referenceOf: (r) =>
          r.query.get('external_ref') ?? { refuse: 'invalid-request', message: 'the external_ref query parameter is required' },
      },
    ],
    auth: { type: 'api-key', header: 'X-API-Key', also: [{ header: 'Authorization', scheme: 'Bearer' }] },
    accounts: (section.accounts ?? []).map((a) => ({ id: a.id, key: a.apiKey, balances: { [currency]: a.balance, ...a.balances } })),
    products,
    duplicateReference: 'return-original',
    parseIssue(request) {
      const b = request.body;
      if (typeof b !== 'object' || b === null || Array.isArray(b))
        return { refuse: 'invalid-request', message: 'the body must be a JSON object' };
      const {
        external_ref: ref,
        product_id: productId,
        amount,
        currency: c,
        customer_id: customerId,
        recipient,
      } = b as Record<string, unknown>;
      if (typeof ref !== 'string' || ref.length === 0 || ref.length > 100)
        return { refuse: 'invalid-request', message: 'external_ref must be a string of 1 to 100 characters' };
      if (typeof productId !== 'string' || typeof c !== 'string' || amount === undefined)
        return { refuse: 'invalid-request', message: 'product_id, amount and currency are required' };
      if (customerId !== undefined && typeof customerId !== 'string')
        return { refuse: 'invalid-request', message: 'customer_id must be a string' };
      if (!isCurrency(c)) return { refuse: 'invalid-currency', message: `${JSON.stringify(c)} is not a currency` };
      const minor = parseAmount(amount, c);
      if (minor === undefined) return { refuse: 'invalid-amount', message: `amount must be a positive ${c} amount` };
      return {
        reference: ref,
        amountMinor: minor,
        currency: c,
        productId,
        ...(typeof recipient === 'string' ? { recipient } : {}),
        fingerprint: JSON.stringify([customerId ?? null, recipient ?? null]),
        details: { customer_id: customerId ?? null, recipient: recipient ?? null },
      };
    },
    render: {
      issued: (tx, _request, info) => ({ status: info.repeated ? 200 : 201, body: orderBody(tx) }),
      transaction: (tx) => ({ status: 200, body: orderBody(tx) }),
      conflict: (original) =>
        errorBody(409, 'EXTERNAL_REF_CONFLICT', `external_ref "${original.reference}" belongs to a different order`, {
          order_id: original.id,
        }),
      error(kind, detail) {
        const [status, code] = ERRORS[kind];
        return errorBody(status, code, detail.message, undefined, retryAfter(detail.retryAfterSeconds));
      },
      catalogue(list) {
        catalogue ??= {
          products: list.map((p) => ({
            id: p.id,
            brand: p.details?.brand,
            name: p.details?.name,
            currency: p.currency,
            denomination: p.denominations
              ? { type: 'fixed', values: p.denominations.map((d) => canonical(d, p.currency)) }
              : { type: 'range', min: canonical(p.min!, p.currency), max: canonical(p.max!, p.currency) },
          })),
        };
        return { status: 200, body: catalogue };
      },
    },
    examples: {
      issue: { productId: 'GC-AMAZON-USD', customerId: 'contract-customer', amount: '25.00', currency },
      pending: { succeeds: 'GC-ASYNC-USD', fails: 'GC-ASYNC-FAIL-USD' },
      otherCurrencies: [
        { productId: 'GC-VISA-EUR', customerId: 'contract-customer', amount: '19.99', currency: 'EUR' },
        { productId: 'GC-VISA-JPY', customerId: 'contract-customer', amount: '500', currency: 'JPY' },
        { productId: 'GC-VISA-KWD', customerId: 'contract-customer', amount: '1.250', currency: 'KWD' },
      ],
    },
  });
}

/** The built-in gift-card model with the default accounts and catalogue. */
export const giftcardModel: ProviderModel = createGiftcardModel();
