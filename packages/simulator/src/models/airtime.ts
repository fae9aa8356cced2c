import { isCurrency } from '@relaypoint/core';
import { DEFAULT_CONFIG } from '../config/defaultConfig.js';
import type { AirtimeConfig } from '../config/SimulatorConfig.types.js';
import { parseAmount } from '../http/parseAmount.js';
import { defineProviderModel } from '../model/defineProviderModel.js';
import type { ModelAnswer, ModelErrorKind, ModelProduct, ModelTransaction, ProviderModel } from '../model/ProviderModel.js';
import { errorBody, retryAfter } from './errorBody.js';

const E164 = /^\+[1-9]\d{7,14}$/;
const MESSAGES = {
  success: 'Voucher issued',
  pending: 'Accepted; awaiting confirmation from the operator',
  failed: 'Declined by the operator; nothing was debited',
} as const;
const ERRORS: Record<ModelErrorKind, [number, string]> = {
  'invalid-request': [400, 'INVALID_REQUEST'],
  unauthorised: [401, 'INVALID_API_KEY'],
  'token-expired': [401, 'INVALID_API_KEY'],
  'not-found': [404, 'TRANSACTION_NOT_FOUND'],
  'insufficient-balance': [402, 'INSUFFICIENT_BALANCE'],
  'invalid-recipient': [400, 'INVALID_PHONE_NUMBER'],
  'unknown-product': [400, 'INVALID_PRODUCT'],
  'invalid-amount': [400, 'INVALID_AMOUNT'],
  'invalid-currency': [400, 'INVALID_CURRENCY'],
  'rate-limited': [429, 'RATE_LIMITED'],
  unavailable: [503, 'OPERATOR_UNAVAILABLE'],
  'recently-recharged': [429, 'PHONE_RECENTLY_RECHARGED'],
  internal: [500, 'INTERNAL_ERROR'],
};

const word = (status: ModelTransaction['status']): keyof typeof MESSAGES => (status === 'succeeded' ? 'success' : status);

/**
 * The airtime provider of the notes as a provider model: `X-API-Key` plus
 * `X-Signature`, the hex HMAC-SHA256 of the raw body (reads need the key
 * only); a repeated reference is refused with 409 `DUPLICATE_REFERENCE`
 * before any other business check. Sandbox phone numbers: `…0002` invalid,
 * `…0004` operator down, `…0006` declined (failed, nothing debited).
 * `section` is the config's `airtime` section (defaults: `DEFAULT_CONFIG`).
 */
export function createAirtimeModel(section: AirtimeConfig = DEFAULT_CONFIG.airtime!): ProviderModel {
  const currency = section.currency ?? 'USD';
  const products: ModelProduct[] = (section.products ?? []).map((p) => ({
    id: p.id,
    currency: p.currency ?? currency,
    min: p.minAmount,
    max: p.maxAmount,
    ...(p.pending
      ? { pending: { ...p.pending, outcome: p.pending.outcome === 'success' ? ('succeeded' as const) : ('failed' as const) } }
      : {}),
    details: { name: p.name ?? p.id },
  }));
  const productCurrency = new Map(products.map((p) => [p.id, p.currency]));
  const defaultWindowMs = section.recentRechargeWindowMs ?? 0;
  const transactionBody = (tx: ModelTransaction): Record<string, unknown> => ({
    transaction_id: tx.id,
    reference: tx.reference,
    status: word(tx.status),
    voucher_code: tx.voucher?.code ?? null,
    product_id: tx.productId,
    phone_number: tx.recipient,
    amount: tx.amount,
    currency: tx.currency,
    message: MESSAGES[word(tx.status)],
    created_at: new Date(tx.createdAt).toISOString(),
  });
  return defineProviderModel({
    id: 'airtime',
    description: 'The airtime provider of the notes: API key + HMAC signature, 409 on a repeated reference',
    successStatus: 'success',
    transactionId: (hex) => `AT${hex.slice(0, 16).toUpperCase()}`,
    routes: [
      { name: 'issue', method: 'POST', path: '/issue', role: 'issue' },
      { name: 'status', method: 'GET', path: '/status/:id', role: 'status-by-id' },
      {
        name: 'lookup',
        method: 'GET',
        path: '/transactions',
        role: 'status-by-reference',
        referenceOf: (r) => r.query.get('reference') ?? { refuse: 'invalid-request', message: 'the reference query parameter is required' },
      },
    ],
    auth: { type: 'hmac', keyHeader: 'X-API-Key', signatureHeader: 'X-Signature', encoding: 'hex' },
    accounts: (section.accounts ?? []).map((a) => ({
      id: a.id,
      key: a.apiKey,
      secret: a.secret!,
      balances: { [currency]: a.balance, ...a.balances },
    })),
    products,
    duplicateReference: 'reject-duplicate',
    parseIssue(request) {
      const b = request.body;
      if (typeof b !== 'object' || b === null || Array.isArray(b))
        return { refuse: 'invalid-request', message: 'the body must be a JSON object' };
      const { reference, product_id: productId, phone_number: phone, amount, currency: asked } = b as Record<string, unknown>;
      if (typeof reference !== 'string' || reference.length === 0 || reference.length > 100)
        return { refuse: 'invalid-request', message: 'reference must be a string of 1 to 100 characters' };
      if (typeof productId !== 'string' || typeof phone !== 'string' || amount === undefined)
        return { refuse: 'invalid-request', message: 'product_id, phone_number and amount are required' };
      if (asked !== undefined && (typeof asked !== 'string' || !isCurrency(asked)))
        return { refuse: 'invalid-currency', message: `this account is in ${currency}` };
      const c = (asked as string | undefined) ?? productCurrency.get(productId) ?? currency;
      const minor = parseAmount(amount, c);
      if (minor === undefined) return { refuse: 'invalid-amount', message: `amount must be a positive ${c} amount` };
      return { reference, amountMinor: minor, currency: c, productId, recipient: phone };
    },
    checkIssue(terms, request, context) {
      const phone = terms.recipient!;
      if (!E164.test(phone) || phone.endsWith('0002'))
        return { refuse: 'invalid-recipient', message: `phone number "${phone}" is not valid for this operator` };
      if (context.scenario.operatorDown || phone.endsWith('0004'))
        return { refuse: 'unavailable', message: 'the operator is unavailable; try again later' };
      const window = context.scenario.recentRechargeWindowMs ?? defaultWindowMs;
      if (window > 0) {
        const last = context.memory.get(`${request.account!.id}\u0000${phone}`) as number | undefined;
        const now = context.now();
        // Real providers say when the number can be recharged again; clients (the airtime plugin) read it as retryAfterMs.
        if (last !== undefined && now - last < window) {
          return {
            refuse: 'recently-recharged',
            message: `${phone} was recharged less than ${window} ms ago`,
            retryAfterSeconds: Math.max(1, Math.ceil((window - (now - last)) / 1000)),
          };
        }
      }
      return phone.endsWith('0006') ? { decline: true } : undefined;
    },
    afterIssue(tx, terms, context) {
      const window = context.scenario.recentRechargeWindowMs ?? defaultWindowMs;
      if (window > 0 && tx.status !== 'failed') context.memory.set(`${tx.accountId}\u0000${terms.recipient}`, context.now());
    },
    render: {
      issued: (tx) => ({
        status: 200,
        body: {
          voucher_code: tx.voucher?.code ?? null,
          transaction_id: tx.id,
          status: word(tx.status),
          message: MESSAGES[word(tx.status)],
        },
      }),
      transaction: (tx) => ({ status: 200, body: transactionBody(tx) }),
      duplicate: (original) =>
        errorBody(409, 'DUPLICATE_REFERENCE', `reference "${original.reference}" was already used`, { transaction_id: original.id }),
      error(kind, detail): ModelAnswer {
        const [status, code] = ERRORS[kind];
        if (kind === 'unauthorised' && detail.reason === 'signature') return errorBody(401, 'INVALID_SIGNATURE', detail.message);
        return errorBody(status, code, detail.message, undefined, retryAfter(detail.retryAfterSeconds));
      },
    },
    examples: {
      issue: { productId: 'AIRTIME_5', customerId: 'contract-customer', phoneNumber: '+263771234567', amount: '5.00', currency },
      pending: { succeeds: 'AIRTIME_ASYNC', fails: 'AIRTIME_ASYNC_FAIL' },
      otherCurrencies: [
        { productId: 'AIRTIME_EUR', customerId: 'contract-customer', phoneNumber: '+263771234567', amount: '19.99', currency: 'EUR' },
        { productId: 'AIRTIME_JPY', customerId: 'contract-customer', phoneNumber: '+263771234567', amount: '500', currency: 'JPY' },
        { productId: 'AIRTIME_KWD', customerId: 'contract-customer', phoneNumber: '+263771234567', amount: '1.250', currency: 'KWD' },
      ],
      invalidRecipient: '+263770000002',
    },
  });
}

/** The built-in airtime model with the default accounts and products. */
export const airtimeModel: ProviderModel = createAirtimeModel();
