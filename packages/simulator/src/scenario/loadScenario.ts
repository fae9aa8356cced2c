import { ConfigError, ErrorCodes, toMinorUnits, validateAgainstSchema } from '@relaypoint/core';
import { readJsonFile } from '../config/loadConfig.js';
import type { ResolvedConfig } from '../config/ResolvedConfig.js';
import { validationSchema } from '../validation/validationSchema.js';
import schema from './Scenario.schema.json' with { type: 'json' };
import type { Scenario } from './Scenario.types.js';
import type { Fault } from './Fault.js';

const scenarioSchema = validationSchema(schema);

/**
 * Validates a scenario (an object or a JSON file path). Throws `ConfigError`
 * (`CONFIG_INVALID`, or `CONFIG_UNREADABLE` for a file) whose `errors` are
 * `path: message` lines such as `rules[0].fault.status: must be >= 400`.
 * Given the simulator config (what `loadConfig` returns), also checks each
 * balance against its provider's currency, e.g.
 * `balances.airtime: amount "1.999" has 3 decimals; USD has 2`.
 */
export function loadScenario(input: Scenario | string, config?: ResolvedConfig): Scenario {
  const raw = typeof input === 'string' ? readJsonFile(input) : input;
  const invalid = validateAgainstSchema(scenarioSchema, raw);
  if (invalid.length) throw new ConfigError(ErrorCodes.CONFIG_INVALID, invalid);
  const scenario = raw as Scenario;
  const errors: string[] = [];
  if (config) {
    for (const p of ['airtime', 'giftcard'] as const) {
      const decimal = scenario.balances?.[p];
      if (decimal === undefined) continue;
      try {
        toMinorUnits(decimal, config[p].currency);
      } catch (e) {
        errors.push(`balances.${p}: ${(e as Error).message}`);
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
      if (f.type === 'latency' && f.distribution === 'uniform' && (f.minMs ?? 0) > (f.maxMs ?? 0)) errors.push(`${path}.maxMs: must be >= minMs`);
    });
  });
  if (errors.length) throw new ConfigError(ErrorCodes.CONFIG_INVALID, errors);
  // A private copy: the caller may mutate its object after handing it over.
  return structuredClone(scenario);
}
