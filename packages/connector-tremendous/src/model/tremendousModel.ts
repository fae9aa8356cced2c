import { defineProviderModel, type ModelAccountSpec, type ModelProduct, type ProviderModel } from '@relaypoint/simulator';
import { parseTremendousOrder } from './parseTremendousOrder.js';
import { renderTremendous } from './renderTremendous.js';

/** API key of the model's default account. */
export const TREMENDOUS_MODEL_API_KEY = 'sim-tremendous-key';

/**
 * The simulated catalogue. OKMHM2X2OHYV (Amazon.com) is the id Tremendous's
 * own documentation uses; the others are the simulator's. SIMAPPROVAL stays
 * `PENDING APPROVAL` for two status reads, then executes; SIMCANCEL waits
 * the same and is canceled.
 */
export const TREMENDOUS_MODEL_PRODUCTS: readonly ModelProduct[] = [
  { id: 'OKMHM2X2OHYV', currency: 'USD', min: '5', max: '2000', details: { name: 'Amazon.com', country: 'US' } },
  { id: 'SIMEURGIFT01', currency: 'EUR', min: '5', max: '500', details: { name: 'Sim EUR gift card', country: 'DE' } },
  { id: 'SIMJPYGIFT01', currency: 'JPY', min: '500', max: '50000', details: { name: 'Sim JPY gift card', country: 'JP' } },
  { id: 'SIMKWDGIFT01', currency: 'KWD', min: '1', max: '500', details: { name: 'Sim KWD gift card', country: 'KW' } },
  {
    id: 'SIMAPPROVAL',
    currency: 'USD',
    min: '1',
    max: '2000',
    pending: { polls: 2, outcome: 'succeeded' },
    details: { name: 'Sim order pending approval', country: 'US', pendingStatus: 'PENDING APPROVAL' },
  },
  {
    id: 'SIMCANCEL',
    currency: 'USD',
    min: '1',
    max: '2000',
    pending: { polls: 2, outcome: 'failed' },
    details: { name: 'Sim order canceled after review', country: 'US', pendingStatus: 'PENDING INTERNAL PAYMENT APPROVAL' },
  },
];

/** Options of {@link createTremendousModel}. */
export interface TremendousModelOptions {
  /** Accounts. Defaults to one account with {@link TREMENDOUS_MODEL_API_KEY} and unlimited balances. */
  accounts?: readonly ModelAccountSpec[];
}

/**
 * A model of Tremendous's rewards API for the simulator
 * (`relaypoint-sim start --model tremendous`): `POST /api/v2/orders` checked
 * against the request schema derived from Tremendous's official client,
 * `GET /api/v2/orders/{id}`, `GET /api/v2/orders?external_id=`,
 * `GET /api/v2/products`, Bearer API keys, `{ errors: { message, payload } }`.
 * A repeated external_id returns the original order (201); the same
 * external_id with other parameters is a 409.
 *
 * Point the plugin at it with `baseUrl: <sim>/tremendous/api/v2`.
 */
export function createTremendousModel(options: TremendousModelOptions = {}): ProviderModel {
  const products = TREMENDOUS_MODEL_PRODUCTS;
  return defineProviderModel({
    id: 'tremendous',
    description: 'Tremendous rewards API (Bearer API key, external_id returns the original order, { errors: { message, payload } })',
    routes: [
      { name: 'orders.create', method: 'POST', path: '/api/v2/orders', role: 'issue' },
      { name: 'orders.get', method: 'GET', path: '/api/v2/orders/:id', role: 'status-by-id' },
      {
        name: 'orders.list',
        method: 'GET',
        path: '/api/v2/orders',
        role: 'status-by-reference',
        referenceOf: (request) => request.query.get('external_id') ?? undefined,
      },
      { name: 'products.list', method: 'GET', path: '/api/v2/products', role: 'catalogue' },
    ],
    auth: { type: 'api-key', header: 'Authorization', scheme: 'Bearer' },
    accounts: options.accounts ?? [{ id: 'tremendous-sim', key: TREMENDOUS_MODEL_API_KEY }],
    products,
    duplicateReference: 'return-original',
    // Tremendous's order ids are 12 upper-case alphanumerics (OKMHM2X2OHYV is a product id of the same form).
    transactionId: (hex) => hex.slice(0, 12).toUpperCase(),
    echoesAmount: true,
    reportsInsufficientBalance: true,
    parseIssue: (request) => parseTremendousOrder(request, products),
    render: renderTremendous(products),
    examples: {
      issue: { productId: 'OKMHM2X2OHYV', customerId: 'cust-1', amount: '25.00', currency: 'USD' },
      pending: { succeeds: 'SIMAPPROVAL', fails: 'SIMCANCEL' },
      otherCurrencies: [
        { productId: 'SIMEURGIFT01', customerId: 'cust-1', amount: '20.00', currency: 'EUR' },
        { productId: 'SIMJPYGIFT01', customerId: 'cust-1', amount: '1000', currency: 'JPY' },
        { productId: 'SIMKWDGIFT01', customerId: 'cust-1', amount: '5.250', currency: 'KWD' },
      ],
    },
  });
}

/** The Tremendous model with its defaults. */
export const tremendousModel: ProviderModel = createTremendousModel();

/** The plugin config that points a Tremendous connector at this model mounted at `mountUrl` (`http://127.0.0.1:4010/tremendous`). */
export function tremendousModelConfig(mountUrl: string): Record<string, unknown> {
  return { environment: 'sandbox', apiKey: TREMENDOUS_MODEL_API_KEY, baseUrl: `${mountUrl.replace(/\/+$/, '')}/api/v2` };
}
