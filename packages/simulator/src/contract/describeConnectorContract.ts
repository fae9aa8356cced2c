import type { ConnectorPlugin, IssueParams, ResilienceOptions } from '@relaypoint/core';
import type { ProviderName } from '../config/ResolvedConfig.js';
import type { ProviderModel } from '../model/ProviderModel.js';
import type { FaultProxy } from '../proxy/startFaultProxy.js';
import type { Simulator } from '../Simulator.js';
import { attemptCases } from './cases/attemptCases.js';
import { chaosCase, type ChaosOptions } from './cases/chaosCase.js';
import { moneyCases } from './cases/moneyCases.js';
import { referenceConflictCases } from './cases/referenceConflictCases.js';
import { secretsCase } from './cases/secretsCase.js';
import { WIRE_MISMATCH_REASON, wireCheckCases } from './cases/wireCheckCases.js';
import { issuanceCases } from './cases/issuanceCases.js';
import { pendingCases } from './cases/pendingCases.js';
import { timingCases } from './cases/timingCases.js';
import { uncertainOutcomeCases } from './cases/uncertainOutcomeCases.js';
import { ContractHarness } from './ContractHarness.js';
import type { ContractProxyOptions } from './ContractProbe.js';
import { builtInTarget, modelTarget, type ContractTarget } from './ContractTarget.js';

/** The seed the suite runs with unless told otherwise. */
export const DEFAULT_CONTRACT_SEED = 20_240_611;

/** Options shared by both modes of {@link describeConnectorContract}. */
interface ContractOptionsBase<TConfig> {
  /** The plugin under test (the default export of its package). */
  plugin: ConnectorPlugin<TConfig>;
  /**
   * The provider the plugin speaks: a {@link ProviderModel} of its API (the
   * simulator serves it), or `'airtime'` / `'giftcard'` for the built-in
   * models. One of `model` and `provider` is required (in proxy mode,
   * `proxy.model` may stand for it).
   */
  model?: ProviderModel | ProviderName;
  /** @deprecated Use `model`; `provider: 'airtime'` is `model: 'airtime'`. */
  provider?: ProviderName;
  /** Parameters of a synchronous, successful issuance for `reference`. Defaults to the model's `examples.issue` (built-ins: `AIRTIME_5` 5.00 USD, `GC-AMAZON-USD` 25.00 USD). */
  sampleParams?: (reference: string) => IssueParams;
  /** Resilience overrides merged over the suite's short limits (per-attempt timeout 300 ms, 4 attempts, 10–50 ms backoff). */
  resilience?: ResilienceOptions;
  /** Seed of every simulated fault. Defaults to `RELAYPOINT_CONTRACT_SEED` from the environment, else {@link DEFAULT_CONTRACT_SEED}. */
  seed?: number;
  /** Size of the chaos case (12). Defaults to 300 issuances, 20 at once, 30% faults. */
  chaos?: ChaosOptions;
}

/** Options of {@link describeConnectorContract} against the simulator serving the model (the default mode). */
export interface SimulatorContractOptions<TConfig = unknown> extends ContractOptionsBase<TConfig> {
  proxy?: undefined;
  /**
   * The instance config pointing at the simulator. `providerBaseUrl` is the
   * model's mount URL (`http://127.0.0.1:PORT/airtime`, `…/zapcash`). Use
   * the model's account credentials (the first account of a model; the
   * built-ins' are in the simulator's README). Secret fields (marked in your
   * schema) are swapped for wrong values in the authentication case.
   */
  configFor: (providerBaseUrl: string, sim: Simulator) => TConfig;
}

/**
 * Options of {@link describeConnectorContract} in proxy mode: the suite
 * starts the fault proxy in front of `proxy.target` (a provider's sandbox)
 * and judges the plugin on what `proxy.probe` reads there. Cases that need
 * the simulator's own state are pending, saying so.
 */
export interface ProxyContractOptions<TConfig = unknown> extends ContractOptionsBase<TConfig> {
  proxy: ContractProxyOptions;
  /**
   * The instance config pointing at the fault proxy: `providerBaseUrl` is
   * the proxy's URL (`http://127.0.0.1:PORT`), which forwards to
   * `proxy.target`. Use your sandbox credentials.
   */
  configFor: (providerBaseUrl: string, proxy: FaultProxy) => TConfig;
}

/** Options of {@link describeConnectorContract}: against the simulator, or with `proxy` through the fault proxy in front of a sandbox. */
export type ConnectorContractOptions<TConfig = unknown> = SimulatorContractOptions<TConfig> | ProxyContractOptions<TConfig>;

function seedFrom(options: ConnectorContractOptions<unknown>): number {
  if (options.seed !== undefined) return options.seed;
  const env = process.env.RELAYPOINT_CONTRACT_SEED;
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (!Number.isSafeInteger(n) || n < 0)
      throw new Error(`RELAYPOINT_CONTRACT_SEED must be a non-negative integer, got ${JSON.stringify(env)}`);
    return n;
  }
  return DEFAULT_CONTRACT_SEED;
}

function targetFrom(options: ConnectorContractOptions<unknown>): ContractTarget {
  const model = options.proxy?.model ?? options.model ?? options.provider;
  if (options.proxy && model === undefined) {
    throw new Error(
      "describeConnectorContract: proxy mode needs the provider's model (proxy.model or model), so the fault proxy knows the issue route and finds the reference in each request",
    );
  }
  if (model === 'airtime' || model === 'giftcard') return builtInTarget(model);
  if (model !== null && typeof model === 'object' && typeof model.id === 'string' && Array.isArray(model.routes)) return modelTarget(model);
  throw new Error(
    `describeConnectorContract: model must be a ProviderModel (defineProviderModel) or one of 'airtime', 'giftcard', got ${JSON.stringify(model)}`,
  );
}

function proxyFrom(proxy: ContractProxyOptions | undefined): { target: string; probe: ContractProxyOptions['probe'] } | undefined {
  if (proxy === undefined) return undefined;
  if (typeof proxy.target !== 'string' || !/^https?:\/\//.test(proxy.target))
    throw new Error(`describeConnectorContract: proxy.target must be an http or https URL, got ${JSON.stringify(proxy.target)}`);
  if (typeof proxy.probe !== 'function')
    throw new Error(
      "describeConnectorContract: proxy.probe must be a function (reference) => Promise<ProbeRecord | undefined> reading what the provider holds: in proxy mode it is the suite's ground truth",
    );
  return { target: proxy.target, probe: proxy.probe };
}

/**
 * Registers the connector contract suite as a mocha `describe('<id>
 * connector contract')`: it starts the simulator serving the model, creates
 * the plugin through core (child container + resilience pipeline), and
 * checks, on the simulator's ledger and journal, every money-safety rule a
 * plugin must keep. Case 0 checks first that the plugin's requests reach the
 * model; a case whose premise the provider lacks is pending with its reason.
 * With `proxy`, the fault proxy stands in front of a real API and the
 * author's probe is the ground truth (see docs/testing-your-own-provider.md
 * for what that weakens). Call it at the top level of a test file.
 */
export function describeConnectorContract<TConfig>(options: ProxyContractOptions<TConfig>): void;
export function describeConnectorContract<TConfig>(options: SimulatorContractOptions<TConfig>): void;
export function describeConnectorContract<TConfig>(options: ConnectorContractOptions<TConfig>): void {
  const target = targetFrom(options as ConnectorContractOptions<unknown>);
  const seed = seedFrom(options as ConnectorContractOptions<unknown>);
  const proxy = proxyFrom(options.proxy);
  const h = new ContractHarness<TConfig>({
    plugin: options.plugin,
    target,
    configFor: options.configFor as (url: string, server: never) => TConfig,
    ...(proxy ? { proxy } : {}),
    sampleParams: options.sampleParams ?? target.sample,
    resilience: options.resilience ?? {},
    seed,
  });
  const harness = h as unknown as ContractHarness;

  const where = proxy ? `${target.id} model, proxy mode in front of ${proxy.target}` : `${target.id} model`;
  describe(`${options.plugin.id} connector contract (${where}, seed ${seed})`, function () {
    this.timeout(20_000);
    before(() => h.start());
    after(() => h.stop());
    beforeEach(async function () {
      h.currentCase = this.currentTest?.title ?? '';
      if (h.wireMismatch && !/^0b?\. /.test(h.currentCase) && !/^13\. /.test(h.currentCase)) {
        if (this.currentTest) this.currentTest.title += ` (pending: ${WIRE_MISMATCH_REASON})`;
        this.skip();
      }
      await h.reset();
    });

    wireCheckCases(harness);
    issuanceCases(harness);
    uncertainOutcomeCases(harness);
    pendingCases(harness);
    timingCases(harness);
    moneyCases(harness);
    referenceConflictCases(harness);
    attemptCases(harness);
    chaosCase(harness, options.chaos);
    secretsCase(harness);
  });
}
