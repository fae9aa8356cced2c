import { randomInt } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SimulatorConfig } from './config/SimulatorConfig.types.js';
import { loadConfig } from './config/loadConfig.js';
import type { ResolvedConfig } from './config/ResolvedConfig.js';
import { controlApp } from './control/controlApp.js';
import { ProviderDispatch } from './http/ProviderDispatch.js';
import { defineProviderModel } from './model/defineProviderModel.js';
import { ModelDefinitionError } from './model/ModelDefinitionError.js';
import type { ProviderModel } from './model/ProviderModel.js';
import { createAirtimeModel } from './models/airtime.js';
import { createGiftcardModel } from './models/giftcard.js';
import { loadScenario } from './scenario/loadScenario.js';
import type { Scenario } from './scenario/Scenario.types.js';
import { SimulatorState } from './SimulatorState.js';
import type { Simulator, ScenarioState } from './Simulator.js';
import { SinkRegistry } from './sink/SinkRegistry.js';

/** Options of {@link startSimulator}. */
export interface SimulatorOptions {
  /** TCP port. Defaults to 0 (an ephemeral port). */
  port?: number;
  /** Interface to listen on. Defaults to `127.0.0.1`. */
  host?: string;
  /** Seed of every random draw; wins over the scenario's seed. Defaults to the scenario's seed, else a random one (see `scenario().seed`). */
  seed?: number;
  /**
   * The provider models to serve, each under its prefix: models, or the
   * names of the built-in ones (`'airtime'`, `'giftcard'`). Defaults to both
   * built-ins. Each is checked with `defineProviderModel` (a bad one throws
   * `ModelDefinitionError`).
   */
  models?: readonly (ProviderModel | BuiltInModelName)[];
  /** Accounts, keys, balances and products of the built-in models: an object or a JSON file path. Defaults to `DEFAULT_CONFIG`. */
  config?: SimulatorConfig | string;
  /** Faults to apply from the start: an object or a JSON file path. Defaults to none. */
  scenario?: Scenario | string;
  /** Request journal capacity, in entries. Defaults to 10000. */
  journalSize?: number;
  /** Transactions kept per model before the oldest are forgotten. Defaults to unbounded. */
  ledgerSize?: number;
  /** `debug` writes one JSON line per request to stderr; `info` the start line. Defaults to `silent`. */
  logLevel?: 'silent' | 'info' | 'debug';
  /** Clock for pending-by-time and the recently-recharged window, ms epoch. Defaults to `Date.now`. */
  now?: () => number;
}

/** The names of the built-in models. */
export type BuiltInModelName = 'airtime' | 'giftcard';

/** The models a simulator serves: built-in names resolved against the config, every model checked. */
export function resolveModels(list: readonly (ProviderModel | BuiltInModelName)[] | undefined, config: ResolvedConfig): ProviderModel[] {
  const models = (list ?? ['airtime', 'giftcard']).map((m) => {
    if (m === 'airtime') return createAirtimeModel(config.sections.airtime);
    if (m === 'giftcard') return createGiftcardModel(config.sections.giftcard);
    return defineProviderModel(m);
  });
  const ids = new Set<string>();
  const prefixes = new Set<string>();
  for (const m of models) {
    const prefix = m.prefix ?? `/${m.id}`;
    if (ids.has(m.id)) throw new ModelDefinitionError(m.id, 'id', 'another model served has the same id');
    if (prefixes.has(prefix)) throw new ModelDefinitionError(m.id, 'prefix', `another model is mounted at ${prefix}`);
    ids.add(m.id);
    prefixes.add(prefix);
  }
  return models;
}

/**
 * Starts the provider simulator on `node:http`: every model on a lean
 * dispatch, the control API and webhook sink on express. Throws
 * `ConfigError` for an invalid config or scenario, `ModelDefinitionError`
 * for a model that is not one.
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const config = loadConfig(options.config);
  const models = resolveModels(options.models, config);
  const scenario = options.scenario === undefined ? {} : loadScenario(options.scenario, models);
  const seed = options.seed ?? scenario.seed ?? randomInt(0, 2 ** 31);
  const journalSize = options.journalSize ?? 10_000;
  // options.seed wins over this scenario's seed and every later one's (setScenario, POST /__sim/scenario, reset).
  const state = new SimulatorState(models, seed, journalSize, options.ledgerSize ?? Infinity, options.now ?? Date.now, options.seed);
  state.applyScenario(scenario);
  const level = options.logLevel ?? 'silent';
  const log = (line: object): void => {
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), ...line })}\n`);
  };
  const sinks = new SinkRegistry(state, Math.max(1, Math.min(journalSize, 10_000)));
  const dispatch = new ProviderDispatch(state, level === 'debug' ? log : undefined);

  const scenarioState = (): ScenarioState => ({
    seed: state.seed,
    operatorDown: state.scenario.operatorDown ?? false,
    balances: state.scenario.balances ?? {},
    recentRechargeWindowMs: state.scenario.recentRechargeWindowMs ?? config.sections.airtime.recentRechargeWindowMs ?? 0,
    rules: structuredClone(state.scenario.rules ?? []),
  });
  const mounted = (id: string) => {
    const m = state.model(id);
    if (!m) throw new Error(`no model "${id}" (serving ${state.models.map((x) => x.id).join(', ')})`);
    return m;
  };
  const balance = (id: string, currency?: string): string => mounted(id).balance(currency);
  const setScenario = (s: Scenario): void => state.applyScenario(loadScenario(s, state.target));
  const reset = (): void => {
    state.reset();
    sinks.clear();
  };
  const setBalance = (id: string, decimal: string, currency?: string): void => state.setBalance(id, decimal, currency);
  const expireTokens = (id?: string): number =>
    (id === undefined ? state.models : [mounted(id)]).reduce((n, m) => n + (m.tokens?.expireAll() ?? 0), 0);
  const app = controlApp({ state, sinks, setScenario, scenario: scenarioState, reset, setBalance, balance, expireTokens });

  const server: Server = createServer((req, res) => {
    if (!dispatch.handle(req, res)) app(req, res);
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  if (level !== 'silent')
    log({ level: 'info', msg: 'simulator listening', url, seed: state.seed, rules: state.scenario.rules?.length ?? 0 });

  let closed: Promise<void> | undefined;
  return {
    url,
    models: state.models.map((m) => ({ id: m.id, prefix: m.prefix, url: `${url}${m.prefix}` })),
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        state.abortParked();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
    reset,
    setScenario,
    scenario: scenarioState,
    setBalance,
    balance,
    balances: (id) => mounted(id).balances(),
    expireTokens,
    ledger: {
      entries: (filter = {}) =>
        (filter.provider !== undefined ? [mounted(filter.provider)] : state.models).flatMap((m) => m.ledger.entries(filter.reference)),
      countByReference: (id, reference) => mounted(id).ledger.countByReference(reference),
    },
    journal: {
      entries: (filter) => state.journal.entries(filter),
      clear: () => state.journal.clear(),
    },
    sinks: {
      configure: (name, o) => sinks.configure(name, o),
      deliveries: (name) => sinks.deliveries(name),
      clear: (name) => sinks.clear(name),
    },
  };
}
