import { isCurrency, toMinorUnits } from '@relaypoint/core';
import { ModelDefinitionError } from './ModelDefinitionError.js';
import type { ModelAuth, ModelProduct, ModelRoute, ProviderModel } from './ProviderModel.js';

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
const ROLES = new Set(['issue', 'status-by-id', 'status-by-reference', 'catalogue', 'token', 'other']);
const DUPLICATE_RULES = new Set(['return-original', 'reject-duplicate', 'none']);
const ID = /^[a-z][a-z0-9-]{0,39}$/;
const PREFIX = /^\/[A-Za-z0-9._~-]+$/;
const ROUTE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const PATH_SEGMENT = /^(:[A-Za-z_][A-Za-z0-9_]*|[A-Za-z0-9._~!$&'()*+,;=@-]+)$/;

type Fail = (path: string, problem: string) => never;

/**
 * Declares a provider model: checks its shape (id, route table, auth,
 * accounts, products, renderers) and returns it frozen. Throws a
 * {@link ModelDefinitionError} (code `SIM_MODEL_INVALID`) naming the model and
 * the JSON-path-like place of the first problem, e.g.
 * `model zapcash: routes[1].path: must start with "/"`.
 */
export function defineProviderModel(model: ProviderModel): ProviderModel {
  const id = typeof model?.id === 'string' && model.id !== '' ? model.id : '(no id)';
  const fail: Fail = (path, problem) => {
    throw new ModelDefinitionError(id, path, problem);
  };
  if (typeof model !== 'object' || model === null) fail('', 'is not an object');
  if (!ID.test(model.id ?? '')) fail('id', 'must be lower-case letters, digits and dashes, starting with a letter (at most 40)');
  if (model.prefix !== undefined && (!PREFIX.test(model.prefix) || model.prefix === '/__sim'))
    fail('prefix', 'must be one path segment such as "/zapcash" (not /__sim)');
  checkRoutes(model, fail);
  checkAuth(model.auth, model.routes, fail);
  checkAccounts(model, fail);
  (model.products ?? []).forEach((p, i) => checkProduct(p, `products[${i}]`, fail));
  const productIds = new Set<string>();
  (model.products ?? []).forEach((p, i) => {
    if (productIds.has(p.id)) fail(`products[${i}].id`, `duplicate product id "${p.id}"`);
    productIds.add(p.id);
  });
  if (!DUPLICATE_RULES.has(model.duplicateReference)) fail('duplicateReference', 'must be return-original, reject-duplicate or none');
  if (typeof model.parseIssue !== 'function') fail('parseIssue', 'must be a function');
  if (model.checkIssue !== undefined && typeof model.checkIssue !== 'function') fail('checkIssue', 'must be a function');
  if (model.afterIssue !== undefined && typeof model.afterIssue !== 'function') fail('afterIssue', 'must be a function');
  if (model.transactionId !== undefined && typeof model.transactionId !== 'function') fail('transactionId', 'must be a function');
  const render = model.render;
  if (typeof render !== 'object' || render === null) fail('render', 'is required');
  for (const k of ['issued', 'transaction', 'error'] as const)
    if (typeof render[k] !== 'function') fail(`render.${k}`, 'must be a function');
  if (model.duplicateReference === 'reject-duplicate' && typeof render.duplicate !== 'function')
    fail('render.duplicate', 'is required when duplicateReference is reject-duplicate');
  if (model.auth.type === 'oauth2-client-credentials' && typeof render.token !== 'function')
    fail('render.token', 'is required with oauth2-client-credentials auth');
  model.routes.forEach((r, i) => {
    if (r.role === 'catalogue' && r.handle === undefined && typeof render.catalogue !== 'function')
      fail(`routes[${i}]`, 'a catalogue route needs handle or render.catalogue');
  });
  if (typeof model.examples !== 'object' || model.examples === null || typeof model.examples.issue !== 'object')
    fail('examples.issue', 'is required (a successful sample issuance)');
  return Object.freeze({ ...model });
}

function checkRoutes(model: ProviderModel, fail: Fail): void {
  if (!Array.isArray(model.routes) || model.routes.length === 0) fail('routes', 'must be a non-empty array');
  const names = new Set<string>();
  const places = new Set<string>();
  let issues = 0;
  model.routes.forEach((r: ModelRoute, i) => {
    const at = `routes[${i}]`;
    if (typeof r.name !== 'string' || !ROUTE_NAME.test(r.name)) fail(`${at}.name`, 'must be letters, digits, ".", "_" or "-"');
    if (names.has(r.name)) fail(`${at}.name`, `"${r.name}" is used by another route`);
    names.add(r.name);
    if (!METHODS.has(r.method)) fail(`${at}.method`, `must be one of ${[...METHODS].join(', ')}`);
    if (typeof r.path !== 'string' || !r.path.startsWith('/')) fail(`${at}.path`, 'must start with "/"');
    const segments = r.path === '/' ? [] : r.path.split('/').slice(1);
    segments.forEach((s) => {
      if (!PATH_SEGMENT.test(s)) fail(`${at}.path`, `segment "${s}" is not a literal or a :param`);
    });
    const place = `${r.method} ${r.path.replace(/:[^/]+/g, ':')}`;
    if (places.has(place)) fail(`${at}.path`, `${r.method} ${r.path} is matched by another route`);
    places.add(place);
    if (!ROLES.has(r.role)) fail(`${at}.role`, `must be one of ${[...ROLES].join(', ')}`);
    if (r.role === 'issue') issues += 1;
    if (r.role === 'status-by-id' && !segments.includes(':id')) fail(`${at}.path`, 'a status-by-id route captures :id');
    if (r.role === 'status-by-reference' && typeof r.referenceOf !== 'function')
      fail(`${at}.referenceOf`, 'is required for a status-by-reference route');
    if (r.role === 'other' && typeof r.handle !== 'function') fail(`${at}.handle`, 'is required for a route of role other');
    if (r.handle !== undefined && typeof r.handle !== 'function') fail(`${at}.handle`, 'must be a function');
  });
  if (issues !== 1) fail('routes', `needs exactly one route with role issue (found ${issues})`);
}

function checkAuth(auth: ModelAuth, routes: readonly ModelRoute[], fail: Fail): void {
  const tokenRoutes = routes.filter((r) => r.role === 'token').length;
  if (typeof auth !== 'object' || auth === null) fail('auth', 'is required');
  const nonEmpty = (v: unknown, path: string): void => {
    if (typeof v !== 'string' || v === '') fail(path, 'must be a non-empty string');
  };
  switch (auth.type) {
    case 'api-key':
      nonEmpty(auth.header, 'auth.header');
      (auth.also ?? []).forEach((h, i) => nonEmpty(h.header, `auth.also[${i}].header`));
      break;
    case 'hmac':
      nonEmpty(auth.keyHeader, 'auth.keyHeader');
      nonEmpty(auth.signatureHeader, 'auth.signatureHeader');
      if (auth.encoding !== undefined && auth.encoding !== 'hex' && auth.encoding !== 'base64')
        fail('auth.encoding', 'must be hex or base64');
      break;
    case 'oauth2-client-credentials':
      if (!Number.isInteger(auth.tokenTtlSeconds) || auth.tokenTtlSeconds < 1)
        fail('auth.tokenTtlSeconds', 'must be a positive integer (seconds)');
      break;
    case 'custom':
      if (typeof auth.verify !== 'function') fail('auth.verify', 'must be a function');
      break;
    case 'basic':
    case 'none':
      break;
    default:
      fail('auth.type', 'must be api-key, hmac, basic, oauth2-client-credentials, custom or none');
  }
  if (auth.type === 'oauth2-client-credentials' && tokenRoutes !== 1)
    fail('routes', `oauth2-client-credentials auth needs exactly one route with role token (found ${tokenRoutes})`);
  if (auth.type !== 'oauth2-client-credentials' && tokenRoutes > 0) fail('routes', 'a token route needs oauth2-client-credentials auth');
}

function checkAccounts(model: ProviderModel, fail: Fail): void {
  if (!Array.isArray(model.accounts) || model.accounts.length === 0) fail('accounts', 'must list at least one account');
  const ids = new Set<string>();
  const keys = new Set<string>();
  const needsSecret = model.auth.type === 'hmac' || model.auth.type === 'basic' || model.auth.type === 'oauth2-client-credentials';
  model.accounts.forEach((a, i) => {
    const at = `accounts[${i}]`;
    if (typeof a.id !== 'string' || a.id === '') fail(`${at}.id`, 'must be a non-empty string');
    if (ids.has(a.id)) fail(`${at}.id`, `"${a.id}" is used by another account`);
    ids.add(a.id);
    if (typeof a.key !== 'string' || a.key === '') fail(`${at}.key`, 'must be a non-empty string');
    if (keys.has(a.key)) fail(`${at}.key`, 'is used by another account');
    keys.add(a.key);
    if (needsSecret && (typeof a.secret !== 'string' || a.secret === '')) fail(`${at}.secret`, `is required with ${model.auth.type} auth`);
    for (const [currency, decimal] of Object.entries(a.balances ?? {})) {
      if (!isCurrency(currency)) fail(`${at}.balances.${currency}`, 'is not an ISO 4217 code');
      amount(decimal, currency, `${at}.balances.${currency}`, fail);
    }
  });
}

function checkProduct(p: ModelProduct, at: string, fail: Fail): void {
  if (typeof p.id !== 'string' || p.id === '') fail(`${at}.id`, 'must be a non-empty string');
  if (typeof p.currency !== 'string' || !isCurrency(p.currency))
    fail(`${at}.currency`, `${JSON.stringify(p.currency)} is not an ISO 4217 code`);
  if (p.denominations !== undefined && (p.min !== undefined || p.max !== undefined))
    fail(at, 'has denominations and a min/max range: choose one');
  if (p.denominations !== undefined) {
    if (!Array.isArray(p.denominations) || p.denominations.length === 0) fail(`${at}.denominations`, 'must be a non-empty array');
    p.denominations.forEach((d, j) => amount(d, p.currency, `${at}.denominations[${j}]`, fail));
  }
  const min = p.min === undefined ? undefined : amount(p.min, p.currency, `${at}.min`, fail);
  const max = p.max === undefined ? undefined : amount(p.max, p.currency, `${at}.max`, fail);
  if (min !== undefined && max !== undefined && min > max) fail(`${at}.max`, 'must be >= min');
  const pending = p.pending;
  if (pending !== undefined) {
    if (pending.outcome !== 'succeeded' && pending.outcome !== 'failed') fail(`${at}.pending.outcome`, 'must be succeeded or failed');
    if (pending.polls === undefined && pending.ms === undefined) fail(`${at}.pending`, 'needs polls or ms');
    if (pending.polls !== undefined && (!Number.isInteger(pending.polls) || pending.polls < 0))
      fail(`${at}.pending.polls`, 'must be a non-negative integer');
    if (pending.ms !== undefined && (!Number.isInteger(pending.ms) || pending.ms < 0))
      fail(`${at}.pending.ms`, 'must be a non-negative integer (ms)');
  }
}

function amount(decimal: unknown, currency: string, path: string, fail: Fail): bigint {
  if (typeof decimal !== 'string') fail(path, 'must be a decimal string such as "5.00"');
  try {
    const minor = toMinorUnits(decimal as string, currency);
    if (minor < 0n) fail(path, 'must not be negative');
    return minor;
  } catch (e) {
    if (e instanceof ModelDefinitionError) throw e;
    return fail(path, (e as Error).message);
  }
}
