import type {
  ModelAnswer,
  ModelErrorDetail,
  ModelErrorKind,
  ModelProduct,
  ModelRender,
  ModelRequest,
  ModelTransaction,
} from '@relaypoint/simulator';
import { refusalCodes } from './parseReloadlyTopup.js';
import { operatorDetails } from './reloadlyOperators.js';

const JSON_HEADERS = { 'Content-Type': 'application/json' } as const;
const REPORTS_PATH = '/topups/reports/transactions';

/** Reloadly's `yyyy-MM-dd HH:mm:ss` (UTC). */
function reloadlyDate(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

/**
 * JSON text with money written as number literals straight from the exact
 * decimal strings (`"requestedAmount":5.00`), as Reloadly sends numbers,
 * without passing them through a float.
 */
export function jsonWithAmounts(value: unknown, amounts: Readonly<Record<string, string>>): string {
  let text = JSON.stringify(value);
  for (const [key, decimal] of Object.entries(amounts)) {
    text = text.split(JSON.stringify(`@amount:${key}`)).join(decimal);
  }
  return text;
}

function statusOf(tx: ModelTransaction, operators: readonly ModelProduct[]): string {
  if (tx.status === 'succeeded') return 'SUCCESSFUL';
  if (tx.status === 'pending') return 'PROCESSING';
  // A top-up that was PROCESSING and did not go through is refunded; one refused at once failed.
  return operators.find((o) => o.id === tx.productId)?.pending ? 'REFUNDED' : 'FAILED';
}

/** A transaction in the shape of Reloadly's top-up, status and report answers. */
function topupFields(tx: ModelTransaction, operators: readonly ModelProduct[]): Record<string, unknown> {
  const operator = operators.find((o) => o.id === tx.productId);
  const details = operator ? operatorDetails(operator) : undefined;
  return {
    transactionId: `@amount:id`,
    status: statusOf(tx, operators),
    operatorTransactionId: tx.status === 'succeeded' ? (tx.voucher?.code ?? null) : null,
    customIdentifier: tx.reference,
    recipientPhone: tx.recipient?.replace(/^\+/, '') ?? null,
    recipientEmail: null,
    senderPhone: null,
    countryCode: details?.countryCode ?? null,
    operatorId: Number(tx.productId),
    operatorName: details?.name ?? null,
    discount: 0,
    discountCurrencyCode: tx.currency,
    requestedAmount: '@amount:amount',
    requestedAmountCurrencyCode: tx.currency,
    deliveredAmount: '@amount:amount',
    deliveredAmountCurrencyCode: tx.currency,
    transactionDate: reloadlyDate(tx.createdAt),
    pinDetail: null,
    balanceInfo: null,
  };
}

function topupJson(tx: ModelTransaction, operators: readonly ModelProduct[]): string {
  return jsonWithAmounts(topupFields(tx, operators), { id: tx.id, amount: tx.amount });
}

/** Reloadly's error envelope. */
function envelope(
  request: ModelRequest,
  status: number,
  errorCode: string | null,
  message: string,
  headers: Record<string, string> = {},
): ModelAnswer {
  return {
    status,
    headers: { ...JSON_HEADERS, ...headers },
    body: { timeStamp: reloadlyDate(Date.now()), message, path: request.path, errorCode, infoLink: null, details: [] },
  };
}

function page(content: string[]): string {
  return `{"content":[${content.join(',')}],"totalElements":${content.length},"totalPages":1,"size":10,"number":0,"first":true,"last":true,"empty":${content.length === 0}}`;
}

/**
 * An operator as `GET /operators/{operatorId}` answers it: local limits from
 * the model's product (exact number literals); the wallet-currency limits are
 * not stated (null), so Reloadly's own check decides those.
 */
export function operatorJson(product: ModelProduct): string {
  const d = operatorDetails(product);
  const fields = {
    id: Number(product.id),
    operatorId: Number(product.id),
    name: d.name,
    bundle: false,
    data: false,
    pin: false,
    denominationType: 'RANGE',
    senderCurrencyCode: 'USD',
    destinationCurrencyCode: product.currency,
    minAmount: null,
    maxAmount: null,
    localMinAmount: product.min === undefined ? null : '@amount:min',
    localMaxAmount: product.max === undefined ? null : '@amount:max',
    country: { isoName: d.countryCode },
  };
  return jsonWithAmounts(fields, {
    ...(product.min !== undefined ? { min: product.min } : {}),
    ...(product.max !== undefined ? { max: product.max } : {}),
  });
}

/** Every outcome in Reloadly's words. */
export function renderReloadly(operators: readonly ModelProduct[]): ModelRender {
  return {
    issued(tx, request) {
      if (request.path === '/topups-async') return { status: 200, headers: JSON_HEADERS, body: `{"transactionId":${tx.id}}` };
      return { status: 200, headers: JSON_HEADERS, body: topupJson(tx, operators) };
    },
    transaction(tx, request) {
      if (request.path === REPORTS_PATH) return { status: 200, headers: JSON_HEADERS, body: page([topupJson(tx, operators)]) };
      return { status: 200, headers: JSON_HEADERS, body: topupJson(tx, operators) };
    },
    duplicate(_original, request) {
      // Reloadly documents that a customIdentifier "cannot be reused" but not the code it answers with: none is invented.
      return envelope(request, 400, null, 'Duplicate custom identifier: a top-up with this customIdentifier already exists');
    },
    error(kind: ModelErrorKind, detail: ModelErrorDetail, request: ModelRequest): ModelAnswer {
      const retryAfter = detail.retryAfterSeconds !== undefined ? { 'Retry-After': String(detail.retryAfterSeconds) } : undefined;
      switch (kind) {
        case 'invalid-request':
          return envelope(request, detail.status ?? 400, refusalCodes.get(request) ?? null, detail.message);
        case 'unauthorised':
          if (request.path === '/oauth/token') return envelope(request, 401, 'INVALID_CREDENTIALS', 'Invalid client credentials');
          return envelope(request, 401, 'INVALID_TOKEN', 'Full authentication is required to access this resource');
        case 'token-expired':
          return envelope(request, 401, 'TOKEN_EXPIRED', 'Access token has expired');
        case 'not-found':
          // The transactions report is a search: nothing found is an empty page, not an error.
          if (request.path === REPORTS_PATH) return { status: 200, headers: JSON_HEADERS, body: page([]) };
          return envelope(request, 404, null, 'Airtime transaction not found');
        case 'insufficient-balance':
          return envelope(request, 400, 'INSUFFICIENT_BALANCE', 'Insufficient funds in the wallet to complete this transaction');
        case 'invalid-recipient':
          return envelope(request, 400, 'INVALID_RECIPIENT_PHONE', detail.message);
        case 'unknown-product':
          return envelope(request, 404, null, detail.message);
        case 'invalid-amount':
        case 'invalid-currency':
          return envelope(request, 400, refusalCodes.get(request) ?? 'INVALID_AMOUNT_FOR_OPERATOR', detail.message);
        case 'rate-limited':
          return envelope(request, 429, null, 'Too many requests', retryAfter);
        case 'recently-recharged':
          return envelope(request, 400, 'PHONE_RECENTLY_RECHARGED', 'The phone number was recharged less than 2 minutes ago', retryAfter);
        case 'unavailable':
          // The model's own refusal (operator down) is Reloadly's documented 4xx; a fault's status (503) is kept.
          if (detail.status === undefined) return envelope(request, 400, 'OPERATOR_UNAVAILABLE_OR_CURRENTLY_INACTIVE', detail.message);
          return envelope(request, detail.status, 'TRANSACTION_CANNOT_BE_PROCESSED_AT_THE_MOMENT', detail.message);
        case 'internal':
        default:
          return envelope(request, detail.status ?? 500, null, 'Internal server error');
      }
    },
    token(token) {
      return {
        status: 200,
        headers: JSON_HEADERS,
        body: {
          access_token: token.accessToken,
          scope: token.scope ?? 'developer',
          expires_in: token.expiresInSeconds,
          token_type: 'Bearer',
        },
      };
    },
    catalogue(products) {
      return { status: 200, headers: JSON_HEADERS, body: `[${products.map(operatorJson).join(',')}]` };
    },
  };
}
