import { defineProviderModel, type ModelAccountSpec, type ProviderModel } from '@relaypoint/simulator';
import { INVALID_NUMBER, parseReloadlyTopup } from './parseReloadlyTopup.js';
import { RELOADLY_MODEL_OPERATORS } from './reloadlyOperators.js';
import { operatorJson, renderReloadly } from './renderReloadly.js';

/** Credentials of the model's default account (client id and secret of the simulated Reloadly). */
export const RELOADLY_MODEL_CREDENTIALS = { clientId: 'sim-reloadly-client', clientSecret: 'sim-reloadly-secret' } as const;

/** Options of {@link createReloadlyModel}. */
export interface ReloadlyModelOptions {
  /** Lifetime of the access tokens the model issues, seconds. Defaults to 3600. */
  tokenTtlSeconds?: number;
  /**
   * Serve `POST /topups-async` (answered with the transaction id only) in
   * place of `POST /topups`, for a plugin configured with `asyncTopups`. A
   * model has one issue route. Defaults to false.
   */
  asyncTopups?: boolean;
  /** Accounts. Defaults to one account with {@link RELOADLY_MODEL_CREDENTIALS} and unlimited balances. */
  accounts?: readonly ModelAccountSpec[];
}

/**
 * A model of Reloadly's airtime API for the simulator
 * (`relaypoint-sim start --model reloadly`): the token endpoint (OAuth2
 * client credentials per audience; tokens expire), `POST /topups` (or
 * `POST /topups-async`) checked against Reloadly's request schema,
 * `GET /topups/{id}/status`, the transactions report searched by
 * customIdentifier, the operator list, and Reloadly's error envelope. A
 * reused customIdentifier is refused (`reject-duplicate`).
 *
 * Point the plugin at it with `baseUrl: <sim>/reloadly` and
 * `authUrl: <sim>/reloadly/oauth/token` ({@link reloadlyModelConfig}).
 */
export function createReloadlyModel(options: ReloadlyModelOptions = {}): ProviderModel {
  const operators = RELOADLY_MODEL_OPERATORS;
  return defineProviderModel({
    id: 'reloadly',
    description: "Reloadly airtime API (OAuth2 client credentials, customIdentifier refused when reused, Reloadly's error envelope)",
    routes: [
      { name: 'token', method: 'POST', path: '/oauth/token', role: 'token' },
      options.asyncTopups
        ? { name: 'topups-async', method: 'POST', path: '/topups-async', role: 'issue' }
        : { name: 'topups', method: 'POST', path: '/topups', role: 'issue' },
      {
        name: 'topup-status',
        method: 'GET',
        path: '/topups/:id/status',
        role: 'status-by-id',
      },
      {
        name: 'transactions-report',
        method: 'GET',
        path: '/topups/reports/transactions',
        role: 'status-by-reference',
        referenceOf: (request) => request.query.get('customIdentifier') ?? undefined,
      },
      { name: 'operators', method: 'GET', path: '/operators', role: 'catalogue' },
      {
        name: 'operator',
        method: 'GET',
        path: '/operators/:id',
        role: 'other',
        handle: (request, context) => {
          const product = context.products.find((p) => p.id === request.params.id);
          if (!product) {
            return {
              status: 404,
              headers: { 'Content-Type': 'application/json' },
              body: {
                timeStamp: new Date(context.now()).toISOString().replace('T', ' ').slice(0, 19),
                message: 'Operator not found',
                path: request.path,
                errorCode: null,
                infoLink: null,
                details: [],
              },
            };
          }
          return { status: 200, headers: { 'Content-Type': 'application/json' }, body: operatorJson(product) };
        },
      },
    ],
    auth: {
      type: 'oauth2-client-credentials',
      tokenTtlSeconds: options.tokenTtlSeconds ?? 3600,
      audiences: ['https://topups.reloadly.com', 'https://topups-sandbox.reloadly.com'],
    },
    accounts: options.accounts ?? [
      { id: 'reloadly-sim', key: RELOADLY_MODEL_CREDENTIALS.clientId, secret: RELOADLY_MODEL_CREDENTIALS.clientSecret },
    ],
    products: operators,
    duplicateReference: 'reject-duplicate',
    echoesAmount: true,
    reportsInsufficientBalance: true,
    // Reloadly's transaction ids are integers: the first 48 bits of the seeded digest, so a seed replays them.
    transactionId: (hex) => String(BigInt(`0x${hex.slice(0, 12)}`) + 1n),
    parseIssue: (request) => parseReloadlyTopup(request, operators),
    checkIssue(terms, request, context) {
      const national = terms.recipient?.slice(-10) ?? '';
      if (context.scenario.operatorDown) return { refuse: 'unavailable', message: 'The operator is currently unavailable' };
      // Reloadly refuses a second top-up of a number within 2 minutes; the model applies the window a scenario sets.
      const window = context.scenario.recentRechargeWindowMs ?? 0;
      const key = `${request.account?.id ?? ''}\u0000${terms.recipient ?? ''}`;
      const last = context.memory.get(key) as number | undefined;
      if (window > 0 && last !== undefined && context.now() - last < window) {
        return {
          refuse: 'recently-recharged',
          message: 'The number was recharged recently',
          retryAfterSeconds: Math.max(1, Math.ceil((window - (context.now() - last)) / 1000)),
        };
      }
      // A number ending in 0006 is a top-up the operator fails at once (status FAILED, nothing debited).
      return national.endsWith('0006') ? { decline: true } : undefined;
    },
    afterIssue(tx, terms, context) {
      if (tx.status !== 'failed') context.memory.set(`${tx.accountId}\u0000${terms.recipient ?? ''}`, context.now());
    },
    render: renderReloadly(operators),
    examples: {
      issue: { productId: '341', customerId: 'cust-1', phoneNumber: '+2348031234567', amount: '500.00', currency: 'NGN' },
      pending: { succeeds: '9001', fails: '9002' },
      otherCurrencies: [
        { productId: '173', customerId: 'cust-1', phoneNumber: '+12125550123', amount: '5.00', currency: 'USD' },
        { productId: '1152', customerId: 'cust-1', phoneNumber: '+256772123456', amount: '5000', currency: 'UGX' },
        { productId: '700', customerId: 'cust-1', phoneNumber: '+96550123456', amount: '2.500', currency: 'KWD' },
      ],
      invalidRecipient: '+2348000000000',
    },
  });
}

/** The Reloadly model with its defaults. */
export const reloadlyModel: ProviderModel = createReloadlyModel();

/** The invalid-recipient rule of the model, for tests and docs: a national number that is a digit then zeros. */
export { INVALID_NUMBER as RELOADLY_MODEL_INVALID_NUMBER };

/**
 * The plugin config that points a Reloadly connector at this model mounted
 * at `mountUrl` (`http://127.0.0.1:4010/reloadly`), with the model's
 * operators mapped to their local currencies.
 */
export function reloadlyModelConfig(mountUrl: string): Record<string, unknown> {
  const base = mountUrl.replace(/\/+$/, '');
  return {
    environment: 'sandbox',
    clientId: RELOADLY_MODEL_CREDENTIALS.clientId,
    clientSecret: RELOADLY_MODEL_CREDENTIALS.clientSecret,
    baseUrl: base,
    authUrl: `${base}/oauth/token`,
    accountCurrency: 'USD',
    operators: Object.fromEntries(RELOADLY_MODEL_OPERATORS.map((o) => [o.id, { operatorId: Number(o.id), localCurrency: o.currency }])),
  };
}
