import type { IssueParams } from '@relaypoint/core';
import type { ProviderModel, RouteRole } from '../model/ProviderModel.js';
import { airtimeModel } from '../models/airtime.js';
import { giftcardModel } from '../models/giftcard.js';

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
  /** The model the simulator serves. */
  model: ProviderModel;
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

/** The built-in airtime or gift-card model as a target. */
export function builtInTarget(name: 'airtime' | 'giftcard'): ContractTarget {
  return modelTarget(name === 'airtime' ? airtimeModel : giftcardModel);
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
export function modelTarget(model: ProviderModel): ContractTarget {
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
    prefix: model.prefix ?? `/${model.id}`,
    routes: model.routes.map((r) => ({ route: `${model.id}.${r.name}`, role: r.role, method: r.method, path: r.path })),
    authDescription: describeAuth(model),
    duplicateReference: model.duplicateReference,
    echoesAmount: model.echoesAmount ?? true,
    reportsInsufficientBalance: model.reportsInsufficientBalance ?? true,
    hasCatalogue: model.routes.some((r) => r.role === 'catalogue'),
    successStatus: model.successStatus ?? 'succeeded',
    ...(examples.pending ? { pendingProducts: examples.pending } : {}),
    products,
    sample: (reference) => ({ ...examples.issue, reference }),
    otherCurrencies: examples.otherCurrencies ?? [],
  };
}
