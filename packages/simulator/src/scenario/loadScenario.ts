import { ConfigError, ErrorCodes, toMinorUnits, validateAgainstSchema } from '@relaypoint/core';
import { readJsonFile } from '../config/loadConfig.js';
import type { ProviderModel } from '../model/ProviderModel.js';
import { validationSchema } from '../validation/validationSchema.js';
import schema from './Scenario.schema.json' with { type: 'json' };
import type { Scenario } from './Scenario.types.js';
import type { Fault } from './Fault.js';
import { scenarioTargetOf, type ScenarioTarget } from './ScenarioTarget.js';

const scenarioSchema = validationSchema(schema);

/**
 * Validates a scenario (an object or a JSON file path). Throws `ConfigError`
 * (`CONFIG_INVALID`, or `CONFIG_UNREADABLE` for a file) whose `errors` are
 * `path: message` lines such as `rules[0].fault.status: must be >= 400`.
 * Given the models the simulator serves (or a {@link ScenarioTarget}), also
 * checks each rule's route against their route names
 * (`rules[0].route: must be one of *, airtime.issue, …`) and each balance
 * against its model's currencies, e.g.
 * `balances.airtime: amount "1.999" has 3 decimals; USD has 2`.
 */
export function loadScenario(input: Scenario | string, models?: readonly ProviderModel[] | ScenarioTarget): Scenario {
  const raw = typeof input === 'string' ? readJsonFile(input) : input;
  const target =
    models === undefined
      ? undefined
      : Array.isArray(models)
        ? scenarioTargetOf(models as readonly ProviderModel[])
        : (models as ScenarioTarget);
  const invalid = validateAgainstSchema(scenarioSchema, raw);
  if (target?.routes) invalid.push(...routeErrors(raw, target.routes));
  if (invalid.length) throw new ConfigError(ErrorCodes.CONFIG_INVALID, invalid);
  const scenario = raw as Scenario;
  const errors: string[] = [];
  if (target) {
    for (const [model, value] of Object.entries(scenario.balances ?? {})) {
      const currencies = target.currencies.get(model);
      if (currencies === undefined) {
        errors.push(`balances.${model}: no such model (${[...target.currencies.keys()].join(', ')})`);
        continue;
      }
      const pairs: [string, string, string][] =
        typeof value === 'string'
          ? [[`balances.${model}`, currencies[0] ?? '', value]]
          : Object.entries(value).map(([c, d]) => [`balances.${model}.${c}`, c, d]);
      for (const [path, currency, decimal] of pairs) {
        if (!currencies.includes(currency)) {
          errors.push(`${path}: the account holds no balance in ${currency || 'any currency'} (${currencies.join(', ') || 'unlimited'})`);
          continue;
        }
        try {
          toMinorUnits(decimal, currency);
        } catch (e) {
          errors.push(`${path}: ${(e as Error).message}`);
        }
      }
    }
  }
  (scenario.rules ?? []).forEach((rule, i) => {
    const c = rule.calls;
    if (c && c.to !== undefined && c.from !== undefined && c.to < c.from) errors.push(`rules[${i}].calls.to: must be >= calls.from`);
    if (c && c.to !== undefined && c.from === undefined) errors.push(`rules[${i}].calls.from: is required with calls.to`);
    const faults: Fault[] = Array.isArray(rule.fault) ? rule.fault : [rule.fault];
    faults.forEach((f, j) => {
      const path = Array.isArray(rule.fault) ? `rules[${i}].fault[${j}]` : `rules[${i}].fault`;
      if (f.type === 'latency' && f.distribution === 'uniform' && (f.minMs ?? 0) > (f.maxMs ?? 0))
        errors.push(`${path}.maxMs: must be >= minMs`);
    });
  });
  if (errors.length) throw new ConfigError(ErrorCodes.CONFIG_INVALID, errors);
  // A private copy: the caller may mutate its object after handing it over.
  return structuredClone(scenario);
}

/** `rules[i].route: must be one of …` for each rule whose route no model has. */
function routeErrors(raw: unknown, routes: readonly string[]): string[] {
  const rules = (raw as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(rules)) return [];
  const known = new Set(routes);
  const out: string[] = [];
  rules.forEach((rule: unknown, i) => {
    const route = (rule as { route?: unknown } | null)?.route;
    if (typeof route === 'string' && route !== '*' && !known.has(route))
      out.push(`rules[${i}].route: must be one of *, ${routes.join(', ')}`);
  });
  return out;
}
