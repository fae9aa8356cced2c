import type { IssueParams } from '@relaypoint/core';
import type { ProviderModel, RouteRole } from '../model/ProviderModel.js';
import { providerProfiles } from './providerProfiles.js';

/** A product as the suite reads the model's catalogue: amounts in major-unit decimals of `currency`. */
export interface TargetProduct {
  id: string;
  currency: string;
  denominations?: readonly string[];
  min?: string;
  max?: string;
  pending?: boolean;
}

/** One route of the model, as the journal names it. */
export interface TargetRoute {
  /** The journal's route name (`zapcash.payouts.create`, `airtime.issue`). */
  route: string;
  role: RouteRole;
  method: string;
  /** Path below the mount prefix (`/v2/payouts`). */
  path: string;
}

/**
 * The provider model as the contract suite drives it: where it is mounted,
 * which journal routes play which role, what it can do (so a case whose
 * premise it lacks is pending, never passed or failed), and the values the
 * cases issue with.
 */
export interface ContractTarget {
  /** The model's id (`airtime`, `zapcash`); the ledger's provider name. */
  id: string;
  /** The model object, when the suite serves one (undefined for the built-ins until they are models). */
  model?: ProviderModel;
  /** Mount prefix on the simulator (`/zapcash`). */
  prefix: string;
  routes: readonly TargetRoute[];
  /** How a request proves itself, in words for the wire-mismatch message. */
  authDescription: string;
  /** What the provider does with a repeated reference. */
  duplicateReference: 'return-original' | 'reject-duplicate' | 'none';
  /** Whether lookups echo amount and currency (a plugin can compare them with its request). */
  echoesAmount: boolean;
  /** Whether the provider answers insufficient balance. */
  reportsInsufficientBalance: boolean;
  /** Whether the provider has a catalogue route (products the plugin checks before ordering). */
  hasCatalogue: boolean;
  /** Ledger status of a successful issuance. */
  successStatus: string;
  /** Products that stay pending, then succeed / fail; undefined when the provider has no async issuance. */
  pendingProducts?: { succeeds: string; fails: string };
  /** The provider's products (empty when it has none). */
  products: readonly TargetProduct[];
  /** A synchronous, successful issuance. */
  sample(reference: string): IssueParams;
  /** Issuances in other currencies the model accepts. */
  otherCurrencies: readonly Omit<IssueParams, 'reference'>[];
}

/** Every route of a role. */
export function routesOf(target: ContractTarget, role: RouteRole): TargetRoute[] {
  return target.routes.filter((r) => r.role === role);
}

/** The route that issues value. */
export function issueRouteOf(target: ContractTarget): TargetRoute {
  const route = routesOf(target, 'issue')[0];
  if (!route) throw new Error(`describeConnectorContract: model ${target.id} has no route with role "issue"`);
  return route;
}

/** Whether the model has a route of this role. */
export function hasRole(target: ContractTarget, role: RouteRole): boolean {
  return target.routes.some((r) => r.role === role);
}

/** The built-in APIs as the simulator serves them today. */
const BUILT_IN_ROUTES: Record<'airtime' | 'giftcard', TargetRoute[]> = {
  airtime: [
    { route: 'airtime.issue', role: 'issue', method: 'POST', path: '/issue' },
    { route: 'airtime.status', role: 'status-by-id', method: 'GET', path: '/transactions/:id' },
    { route: 'airtime.lookup', role: 'status-by-reference', method: 'GET', path: '/transactions?reference=' },
  ],
  giftcard: [
    { route: 'giftcard.order', role: 'issue', method: 'POST', path: '/orders' },
    { route: 'giftcard.status', role: 'status-by-id', method: 'GET', path: '/orders/:id' },
    { route: 'giftcard.lookup', role: 'status-by-reference', method: 'GET', path: '/orders?external_ref=' },
    { route: 'giftcard.products', role: 'catalogue', method: 'GET', path: '/products' },
  ],
};

const BUILT_IN_PRODUCTS: Record<'airtime' | 'giftcard', TargetProduct[]> = {
  airtime: [
    { id: 'AIRTIME_5', currency: 'USD', min: '0.01', max: '1000.00' },
    { id: 'DATA_200MB', currency: 'USD', min: '0.01', max: '1000.00' },
  ],
  giftcard: [
    { id: 'GC-AMAZON-USD', currency: 'USD', denominations: ['10.00', '25.00', '50.00'] },
    { id: 'GC-VISA-USD', currency: 'USD', min: '1.00', max: '500.00' },
  ],
};

/** The built-in airtime or gift-card API as a target. */
export function builtInTarget(name: 'airtime' | 'giftcard'): ContractTarget {
  const profile = providerProfiles[name];
  return {
    id: name,
    prefix: profile.prefix,
    routes: BUILT_IN_ROUTES[name],
    authDescription:
      name === 'airtime'
        ? 'X-API-Key with the account key and X-Signature, a hex HMAC-SHA256 of the exact body with the account secret'
        : 'X-API-Key with the account key',
    duplicateReference: name === 'airtime' ? 'reject-duplicate' : 'return-original',
    echoesAmount: true,
    reportsInsufficientBalance: true,
    hasCatalogue: name === 'giftcard',
    successStatus: profile.successStatus,
    pendingProducts: profile.pendingProducts,
    products: BUILT_IN_PRODUCTS[name],
    sample: profile.sample,
    otherCurrencies: [],
  };
}

/** In words: how a model's requests authenticate. */
function describeAuth(model: ProviderModel): string {
  const auth = model.auth;
  switch (auth.type) {
    case 'api-key':
      return `${auth.header}: ${auth.scheme ? `${auth.scheme} ` : ''}<account key>`;
    case 'hmac':
      return `${auth.keyHeader}: <account key> and ${auth.signatureHeader}: HMAC-SHA256 of the exact body with the account secret (${auth.encoding ?? 'hex'})`;
    case 'basic':
      return 'Authorization: Basic <key:secret>';
    case 'oauth2-client-credentials':
      return 'Authorization: Bearer <token from the token route>';
    case 'custom':
      return "the model's own check (custom authentication)";
    case 'none':
      return 'no authentication';
  }
}

/** A provider model as a target: routes by role, capabilities and examples from the model. */
export function modelTarget(model: ProviderModel, successStatus = 'succeeded'): ContractTarget {
  const products: TargetProduct[] = (model.products ?? []).map((p) => ({
    id: p.id,
    currency: p.currency,
    ...(p.denominations ? { denominations: p.denominations } : {}),
    ...(p.min !== undefined ? { min: p.min } : {}),
    ...(p.max !== undefined ? { max: p.max } : {}),
    pending: p.pending !== undefined,
  }));
  const examples = model.examples;
  return {
    id: model.id,
    model,
    prefix: `/${model.id}`,
    routes: model.routes.map((r) => ({ route: `${model.id}.${r.name}`, role: r.role, method: r.method, path: r.path })),
    authDescription: describeAuth(model),
    duplicateReference: model.duplicateReference,
    echoesAmount: model.echoesAmount ?? true,
    reportsInsufficientBalance: model.reportsInsufficientBalance ?? true,
    hasCatalogue: model.routes.some((r) => r.role === 'catalogue'),
    successStatus,
    ...(examples.pending ? { pendingProducts: examples.pending } : {}),
    products,
    sample: (reference) => ({ ...examples.issue, reference }),
    otherCurrencies: examples.otherCurrencies ?? [],
  };
}
