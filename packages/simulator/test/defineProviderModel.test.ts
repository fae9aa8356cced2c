import { expect } from 'chai';
import { defineProviderModel, isModelDefinitionError, type ProviderModel } from '../src/index.js';
import { zapcashModel } from './fixtures/zapcashModel.js';

/** A copy of the ZapCash model with one change. */
function variant(change: (m: Record<string, unknown> & ProviderModel) => void): ProviderModel {
  const m = {
    ...zapcashModel,
    routes: zapcashModel.routes.map((r) => ({ ...r })),
    accounts: zapcashModel.accounts.map((a) => ({ ...a })),
    render: { ...zapcashModel.render },
  } as Record<string, unknown> & ProviderModel;
  change(m);
  return m;
}

function refusal(model: ProviderModel): { message: string; code: string; modelId: string; path: string } {
  try {
    defineProviderModel(model);
  } catch (e) {
    expect(isModelDefinitionError(e), String(e)).to.equal(true);
    return e as { message: string; code: string; modelId: string; path: string };
  }
  throw new Error('expected defineProviderModel to refuse the model');
}

describe('defineProviderModel', () => {
  it('returns a valid model frozen', () => {
    const m = defineProviderModel(variant(() => {}));
    expect(Object.isFrozen(m)).to.equal(true);
    expect(m.id).to.equal('zapcash');
  });

  const cases: [string, (m: Record<string, unknown> & ProviderModel) => void, string][] = [
    ['an id with capitals', (m) => (m.id = 'ZapCash'), 'id: must be lower-case'],
    ['a prefix with two segments', (m) => (m.prefix = '/a/b'), 'prefix: must be one path segment'],
    ['no routes', (m) => (m.routes = []), 'routes: must be a non-empty array'],
    [
      'two routes with one name',
      (m) => ((m.routes as unknown as { name: string }[])[1].name = 'payouts.create'),
      'routes[1].name: "payouts.create" is used by another route',
    ],
    [
      'an unknown method',
      (m) => ((m.routes as unknown as { method: string }[])[0].method = 'FETCH'),
      'routes[0].method: must be one of GET, POST',
    ],
    [
      'a path without a leading /',
      (m) => ((m.routes as unknown as { path: string }[])[0].path = 'v2/payouts'),
      'routes[0].path: must start with "/"',
    ],
    [
      'a status-by-id route without :id',
      (m) => (m.routes = [...m.routes, { name: 'get', method: 'GET', path: '/v2/payouts/:pid', role: 'status-by-id' }]),
      'routes[2].path: a status-by-id route captures :id',
    ],
    [
      'a status-by-reference route without referenceOf',
      (m) => delete (m.routes as unknown as { referenceOf?: unknown }[])[1].referenceOf,
      'routes[1].referenceOf: is required for a status-by-reference route',
    ],
    [
      'no issue route',
      (m) => ((m.routes as unknown as { role: string }[])[0].role = 'other'),
      'routes[0].handle: is required for a route of role other',
    ],
    [
      'no issue route at all',
      (m) => ((m.routes as unknown as { role: string; handle?: unknown }[])[0].role = 'catalogue'),
      'routes: needs exactly one route with role issue (found 0)',
    ],
    [
      'two issue routes',
      (m) => (m.routes = [...m.routes, { name: 'again', method: 'PUT', path: '/v2/payouts', role: 'issue' }]),
      'routes: needs exactly one route with role issue (found 2)',
    ],
    [
      'a token route without oauth2',
      (m) => (m.routes = [...m.routes, { name: 'token', method: 'POST', path: '/oauth/token', role: 'token' }]),
      'routes: a token route needs oauth2-client-credentials auth',
    ],
    [
      'oauth2 with a zero TTL',
      (m) => (m.auth = { type: 'oauth2-client-credentials', tokenTtlSeconds: 0 }),
      'auth.tokenTtlSeconds: must be a positive integer',
    ],
    [
      'reject-duplicate without render.duplicate',
      (m) => delete (m.render as { duplicate?: unknown }).duplicate,
      'render.duplicate: is required when duplicateReference is reject-duplicate',
    ],
    [
      'a balance with too many decimals',
      (m) => ((m.accounts as unknown as { balances: unknown }[])[0].balances = { USD: '1.001' }),
      'accounts[0].balances.USD: amount "1.001" has 3 decimals; USD has 2',
    ],
    [
      'a balance in no currency',
      (m) => ((m.accounts as unknown as { balances: unknown }[])[0].balances = { XX1: '1' }),
      'accounts[0].balances.XX1: is not an ISO 4217 code',
    ],
    [
      'a product in a bad currency',
      (m) => (m.products = [{ id: 'p', currency: 'usd', min: '1.00', max: '2.00' }]),
      'products[0].currency: "usd" is not an ISO 4217 code',
    ],
    [
      'a product with min above max',
      (m) => (m.products = [{ id: 'p', currency: 'USD', min: '3.00', max: '2.00' }]),
      'products[0].max: must be >= min',
    ],
    [
      'a JPY denomination with decimals',
      (m) => (m.products = [{ id: 'p', currency: 'JPY', denominations: ['100.5'] }]),
      'products[0].denominations[0]: amount "100.5" has 1 decimals; JPY has 0',
    ],
    [
      'two products with one id',
      (m) =>
        (m.products = [
          { id: 'p', currency: 'USD' },
          { id: 'p', currency: 'EUR' },
        ]),
      'products[1].id: duplicate product id "p"',
    ],
    [
      'a pending product without polls or ms',
      (m) => (m.products = [{ id: 'p', currency: 'USD', pending: { outcome: 'succeeded' } }]),
      'products[0].pending: needs polls or ms',
    ],
    [
      'an unknown duplicate rule',
      (m) => (m.duplicateReference = 'ignore' as never),
      'duplicateReference: must be return-original, reject-duplicate or none',
    ],
    ['no parseIssue', (m) => delete (m as { parseIssue?: unknown }).parseIssue, 'parseIssue: must be a function'],
    ['no examples', (m) => delete (m as { examples?: unknown }).examples, 'examples.issue: is required'],
  ];
  for (const [what, change, expected] of cases) {
    it(`refuses ${what}, naming the model and where`, () => {
      const e = refusal(variant(change));
      expect(e.code).to.equal('SIM_MODEL_INVALID');
      expect(e.message).to.contain(expected);
      expect(e.message).to.match(/^model (zapcash|ZapCash): /);
    });
  }

  it('refuses an oauth2 model without a token route, and with one but no render.token', () => {
    const secret = (m: Record<string, unknown> & ProviderModel) => {
      m.auth = { type: 'oauth2-client-credentials', tokenTtlSeconds: 60 };
      m.accounts = [{ id: 'a', key: 'client', secret: 's' }];
    };
    expect(refusal(variant(secret)).message).to.contain(
      'routes: oauth2-client-credentials auth needs exactly one route with role token (found 0)',
    );
    const withRoute = refusal(
      variant((m) => {
        secret(m);
        m.routes = [...m.routes, { name: 'token', method: 'POST', path: '/oauth/token', role: 'token' }];
      }),
    );
    expect(withRoute.message).to.equal('model zapcash: render.token: is required with oauth2-client-credentials auth');
    expect(withRoute.path).to.equal('render.token');
  });
});
