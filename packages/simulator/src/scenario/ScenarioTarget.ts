import type { ProviderModel } from '../model/ProviderModel.js';

/** What a scenario is checked against: the routes that exist and each model's account currencies. */
export interface ScenarioTarget {
  /** Route names a rule may select (besides `*`); undefined accepts any (the proxy without a model). */
  routes?: readonly string[];
  /** Per model id: the first account's currencies, its primary one first. */
  currencies: ReadonlyMap<string, readonly string[]>;
}

/** The scenario target of a list of models. */
export function scenarioTargetOf(models: readonly ProviderModel[]): ScenarioTarget {
  return {
    routes: models.flatMap((m) => m.routes.map((r) => `${m.id}.${r.name}`)),
    currencies: new Map(models.map((m) => [m.id, Object.keys(m.accounts[0]?.balances ?? {})])),
  };
}
