import type { ConnectorPlugin, IssueParams, ResilienceOptions } from '@relaypoint/core';
import type { ProviderName } from '../config/ResolvedConfig.js';
import type { Simulator } from '../Simulator.js';
import { chaosCase, type ChaosOptions } from './cases/chaosCase.js';
import { issuanceCases } from './cases/issuanceCases.js';
import { pendingCases } from './cases/pendingCases.js';
import { timingCases } from './cases/timingCases.js';
import { uncertainOutcomeCases } from './cases/uncertainOutcomeCases.js';
import { ContractHarness } from './ContractHarness.js';
import { fail } from './explain.js';
import { providerProfiles } from './providerProfiles.js';

/** The seed the suite runs with unless told otherwise. */
export const DEFAULT_CONTRACT_SEED = 20_240_611;

/** Options of {@link describeConnectorContract}. */
export interface ConnectorContractOptions<TConfig = unknown> {
  /** The plugin under test (the default export of its package). */
  plugin: ConnectorPlugin<TConfig>;
  /** Which simulated provider API the plugin speaks. */
  provider: ProviderName;
  /**
   * The instance config pointing at the simulator. `providerBaseUrl` is the
   * provider API's base URL (`http://127.0.0.1:PORT/airtime`). Use the
   * simulator's default credentials (see the simulator's README). Secret
   * fields (marked in your schema) are swapped for wrong values in the
   * authentication case.
   */
  configFor: (providerBaseUrl: string, sim: Simulator) => TConfig;
  /** Parameters of a synchronous, successful issuance for `reference`. Defaults to the provider's sample product (e.g. `AIRTIME_5`, 5.00 USD). */
  sampleParams?: (reference: string) => IssueParams;
  /** Resilience overrides merged over the suite's short limits (per-attempt timeout 300 ms, 4 attempts, 10–50 ms backoff). */
  resilience?: ResilienceOptions;
  /** Seed of every simulated fault. Defaults to `RELAYPOINT_CONTRACT_SEED` from the environment, else {@link DEFAULT_CONTRACT_SEED}. */
  seed?: number;
  /** Size of the chaos case (12). Defaults to 500 issuances, 20 at once, 30% faults. */
  chaos?: ChaosOptions;
}

function seedFrom(options: ConnectorContractOptions<unknown>): number {
  if (options.seed !== undefined) return options.seed;
  const env = process.env.RELAYPOINT_CONTRACT_SEED;
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`RELAYPOINT_CONTRACT_SEED must be a non-negative integer, got ${JSON.stringify(env)}`);
    return n;
  }
  return DEFAULT_CONTRACT_SEED;
}

/**
 * Registers the connector contract suite as a mocha `describe('<id>
 * connector contract')`: it starts the simulator, creates the plugin through
 * core (child container + resilience pipeline), and checks, on the
 * simulator's ledger and journal, every money-safety rule a plugin must keep
 * (cases 1–13, with 1b, 1c, 2b, 3b, 6b and 8b). Call it at the top level of a test file.
 */
export function describeConnectorContract<TConfig>(options: ConnectorContractOptions<TConfig>): void {
  const profile = providerProfiles[options.provider];
  if (!profile) throw new Error(`describeConnectorContract: provider must be one of ${Object.keys(providerProfiles).join(', ')}, got ${JSON.stringify(options.provider)}`);
  const seed = seedFrom(options as ConnectorContractOptions<unknown>);
  const h = new ContractHarness<TConfig>({
    plugin: options.plugin,
    profile,
    configFor: options.configFor,
    sampleParams: options.sampleParams ?? profile.sample,
    resilience: options.resilience ?? {},
    seed,
  });
  const harness = h as unknown as ContractHarness;

  describe(`${options.plugin.id} connector contract (${options.provider} simulator, seed ${seed})`, function () {
    this.timeout(20_000);
    before(() => h.start());
    after(() => h.stop());
    beforeEach(() => h.reset());

    issuanceCases(harness);
    uncertainOutcomeCases(harness);
    pendingCases(harness);
    timingCases(harness);
    chaosCase(harness, options.chaos);

    it('13. no secret from the config appears anywhere in the log output of the whole run', () => {
      const secrets = h.secrets();
      for (const s of secrets) {
        const line = h.logger.lines.find((l) => l.line.includes(s.value));
        if (line) fail(`the value of ${s.path} appears in a ${line.level} log line: never log credentials, headers or the request config`);
      }
    });
  });
}
