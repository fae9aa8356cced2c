import { randomInt } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fromMinorUnits } from '@relaypoint/core';
import type { SimulatorConfig } from './config/SimulatorConfig.types.js';
import { loadConfig } from './config/loadConfig.js';
import type { ProviderName } from './config/ResolvedConfig.js';
import { controlApp } from './control/controlApp.js';
import { ProviderDispatch } from './http/ProviderDispatch.js';
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
  /** Accounts, keys, balances and products: an object or a JSON file path. Defaults to `DEFAULT_CONFIG`. */
  config?: SimulatorConfig | string;
  /** Faults to apply from the start: an object or a JSON file path. Defaults to none. */
  scenario?: Scenario | string;
  /** Request journal capacity, in entries. Defaults to 10000. */
  journalSize?: number;
  /** Transactions kept per provider before the oldest are forgotten. Defaults to unbounded. */
  ledgerSize?: number;
  /** `debug` writes one JSON line per request to stderr; `info` the start line. Defaults to `silent`. */
  logLevel?: 'silent' | 'info' | 'debug';
  /** Clock for pending-by-time and the recently-recharged window, ms epoch. Defaults to `Date.now`. */
  now?: () => number;
}

/**
 * Starts the provider simulator on `node:http`: the airtime and gift-card
 * APIs on a lean dispatch, the control API and webhook sink on express.
 * Throws `ConfigError` for an invalid config or scenario.
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const config = loadConfig(options.config);
  const scenario = options.scenario === undefined ? {} : loadScenario(options.scenario, config);
  const seed = options.seed ?? scenario.seed ?? randomInt(0, 2 ** 31);
  const journalSize = options.journalSize ?? 10_000;
  // options.seed wins over this scenario's seed and every later one's (setScenario, POST /__sim/scenario, reset).
  const state = new SimulatorState(config, seed, journalSize, options.ledgerSize ?? Infinity, options.now ?? Date.now, options.seed);
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
    recentRechargeWindowMs: state.recentRechargeWindowMs,
    rules: structuredClone(state.scenario.rules ?? []),
  });
  const balance = (p: ProviderName): string => fromMinorUnits(config[p].accounts[0].balance, config[p].currency);
  const setScenario = (s: Scenario): void => state.applyScenario(loadScenario(s, config));
  const reset = (): void => {
    state.reset();
    sinks.clear();
  };
  const setBalance = (p: ProviderName, decimal: string): void => state.setBalance(p, decimal);
  const app = controlApp({ state, sinks, setScenario, scenario: scenarioState, reset, setBalance, balance });

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
  if (level !== 'silent') log({ level: 'info', msg: 'simulator listening', url, seed: state.seed, rules: state.scenario.rules?.length ?? 0 });

  let closed: Promise<void> | undefined;
  return {
    url,
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
    ledger: {
      entries: (filter = {}) =>
        (filter.provider ? [filter.provider] : (['airtime', 'giftcard'] as const)).flatMap((p) => state.ledgers[p].entries(filter.reference)),
      countByReference: (provider, reference) => state.ledgers[provider].countByReference(reference),
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
