import type {
  ModelAnswer,
  ModelErrorDetail,
  ModelErrorKind,
  ModelProduct,
  ModelRender,
  ModelRequest,
  ModelTransaction,
} from '@relaypoint/simulator';
import { refusalPayloads } from './parseTremendousOrder.js';

const JSON_HEADERS = { 'Content-Type': 'application/json' } as const;
const ORDERS_PATH = '/api/v2/orders';

/** Tremendous's order status for a ledger transaction: pending ones wait for approval (the product says which state). */
function orderStatus(tx: ModelTransaction, products: readonly ModelProduct[]): string {
  if (tx.status === 'succeeded') return 'EXECUTED';
  if (tx.status === 'failed') return 'CANCELED';
  const state = products.find((p) => p.id === tx.productId)?.details?.pendingStatus;
  return typeof state === 'string' ? state : 'PENDING APPROVAL';
}

/** The order as Tremendous answers it, with the denomination a number literal straight from the exact decimal. */
function orderJson(tx: ModelTransaction, products: readonly ModelProduct[]): string {
  const status = orderStatus(tx, products);
  const executed = status === 'EXECUTED' && tx.voucher !== undefined;
  const reward = {
    ...(executed ? { id: tx.voucher?.code } : {}),
    order_id: tx.id,
    created_at: new Date(tx.createdAt).toISOString(),
    expires_at: null,
    value: { denomination: '@denomination', currency_code: tx.currency },
    recipient: { name: 'Recipient', ...(tx.recipient?.includes('@') ? { email: tx.recipient } : {}) },
    delivery: {
      method: 'LINK',
      status: executed ? 'SUCCEEDED' : 'PENDING',
      ...(executed ? { link: `https://testflight.tremendous.com/rewards/payout/${String(tx.voucher?.code)}` } : {}),
    },
  };
  const order = {
    id: tx.id,
    external_id: tx.reference,
    campaign_id: null,
    created_at: new Date(tx.createdAt).toISOString(),
    status,
    channel: 'API',
    payment: { subtotal: '@denomination', total: '@denomination', fees: 0, discount: 0 },
    rewards: [reward],
  };
  return JSON.stringify(order).split('"@denomination"').join(tx.amount);
}

/** Tremendous's error envelope. */
function envelope(
  status: number,
  message: string,
  payload: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): ModelAnswer {
  return { status, headers: { ...JSON_HEADERS, ...headers }, body: { errors: { message, payload } } };
}

/**
 * Every outcome in Tremendous's words. A new order is answered 200 and a
 * repeated external_id with the original order and 201, as the official
 * client documents.
 */
export function renderTremendous(products: readonly ModelProduct[]): ModelRender {
  return {
    issued(tx, _request, info) {
      return { status: info.repeated ? 201 : 200, headers: JSON_HEADERS, body: `{"order":${orderJson(tx, products)}}` };
    },
    transaction(tx, request) {
      if (request.path === ORDERS_PATH)
        return { status: 200, headers: JSON_HEADERS, body: `{"orders":[${orderJson(tx, products)}],"total_count":1}` };
      return { status: 200, headers: JSON_HEADERS, body: `{"order":${orderJson(tx, products)}}` };
    },
    conflict() {
      return envelope(409, 'An order with this external_id already exists with different parameters', {
        external_id: ['has already been used'],
      });
    },
    error(kind: ModelErrorKind, detail: ModelErrorDetail, request: ModelRequest): ModelAnswer {
      const payload = refusalPayloads.get(request);
      const retryAfter = detail.retryAfterSeconds !== undefined ? { 'Retry-After': String(detail.retryAfterSeconds) } : undefined;
      switch (kind) {
        case 'invalid-request':
          return envelope(detail.status ?? 400, detail.message, payload);
        case 'unauthorised':
        case 'token-expired':
          return envelope(401, 'Not authorized. Check your API key.');
        case 'not-found':
          // Listing by external_id is a search: nothing found is an empty list.
          if (request.path === ORDERS_PATH) return { status: 200, headers: JSON_HEADERS, body: { orders: [], total_count: 0 } };
          return envelope(404, 'Resource not found');
        case 'insufficient-balance':
          return envelope(402, 'Insufficient funds in the funding source', { payment: { funding_source_id: ['has insufficient funds'] } });
        case 'invalid-recipient':
          return envelope(400, detail.message, payload ?? { reward: { recipient: [detail.message] } });
        case 'unknown-product':
          return envelope(400, detail.message, payload ?? { reward: { products: [detail.message] } });
        case 'invalid-amount':
        case 'invalid-currency':
          return envelope(400, detail.message, payload ?? { reward: { value: [detail.message] } });
        case 'rate-limited':
        case 'recently-recharged':
          return envelope(429, 'Too many requests', {}, retryAfter);
        case 'unavailable':
          return envelope(detail.status ?? 503, 'Service unavailable');
        case 'internal':
        default:
          return envelope(detail.status ?? 500, 'Internal server error');
      }
    },
    catalogue(list) {
      return {
        status: 200,
        headers: JSON_HEADERS,
        body: {
          products: list.map((p) => ({
            id: p.id,
            name: String(p.details?.name ?? p.id),
            description: '',
            category: 'merchant_card',
            disclosure: '',
            currency_codes: [p.currency],
            skus: [{ min: Number(p.min ?? 1), max: Number(p.max ?? 1000) }],
            countries: [{ abbr: String(p.details?.country ?? 'US') }],
            images: [],
          })),
        },
      };
    },
  };
}
