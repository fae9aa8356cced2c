import { randomInt } from 'node:crypto';
import {
  createConnectorContainer,
  createResilientConnector,
  createRootContainer,
  validateAgainstSchema,
  type ConnectorPlugin,
  type IssueParams,
  type IssueResult,
  type JsonSchema,
  type ResilienceOptions,
  type ResilientConnector,
} from '@relaypoint/core';
import type { JournalFilter } from '../journal/Journal.js';
import type { JournalEntry } from '../journal/JournalEntry.js';
import { startFaultProxy, type FaultProxy } from '../proxy/startFaultProxy.js';
import type { Rule } from '../scenario/Scenario.types.js';
import type { Simulator } from '../Simulator.js';
import { startSimulator } from '../startSimulator.js';
import { captureLogger, type CapturedLogger } from './captureLogger.js';
import type { ContractProbe } from './ContractProbe.js';
import { issueRouteOf, type ContractTarget } from './ContractTarget.js';
import { notRun } from './cases/notRun.js';
import { probeIssuances } from './probeIssuances.js';

/**
 * Resilience limits the suite runs plugins with: short, so the whole suite
 * takes seconds, and a breaker that only the breaker case lets trip.
 */
export const CONTRACT_RESILIENCE: ResilienceOptions = {
  timeoutMs: 300,
  retry: { maxAttempts: 4, initialDelayMs: 10, maxDelayMs: 50, maxRetryAfterMs: 5_000 },
  breaker: { failureThreshold: 1_000_000, halfOpenAfterMs: 300 },
  bulkhead: { maxConcurrent: 64, maxQueue: 5_000 },
  reconcile: { attempts: 3, delayMs: 20 },
};

/** Deep-merges resilience options; later arguments win, field by field. */
export function mergeResilience(...layers: (ResilienceOptions | undefined)[]): ResilienceOptions {
  const out: Record<string, unknown> = {};
  for (const layer of layers) {
    if (!layer) continue;
    for (const [k, v] of Object.entries(layer)) {
      out[k] = v !== null && typeof v === 'object' ? { ...((out[k] as object | undefined) ?? {}), ...v } : v;
    }
  }
  return out as ResilienceOptions;
}

/** What a call to the plugin ended with. */
export type Settled = { ok: true; result: IssueResult; ms: number } | { ok: false; error: unknown; ms: number };

/** Awaits a call and records whether it resolved or threw, and how long it took (ms). */
export async function settle(call: () => Promise<IssueResult>): Promise<Settled> {
  const started = performance.now();
  try {
    const result = await call();
    return { ok: true, result, ms: performance.now() - started };
  } catch (error) {
    return { ok: false, error, ms: performance.now() - started };
  }
}

/** Every string value the schema marks secret (`x-secret` or `writeOnly`), with its JSON path. */
export function secretValues(schema: JsonSchema, value: unknown, path = 'config'): { path: string; value: string }[] {
  const out: { path: string; value: string }[] = [];
  if (schema['x-secret'] === true || schema.writeOnly === true) {
    if (typeof value === 'string' && value !== '') out.push({ path, value });
    return out;
  }
  if (value !== null && typeof value === 'object') {
    const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
    for (const [k, sub] of Object.entries(props)) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined && sub && typeof sub === 'object') out.push(...secretValues(sub, v, `${path}.${k}`));
    }
  }
  return out;
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.').slice(1);
  let cur: Record<string, unknown> = obj;
  for (const k of keys.slice(0, -1)) cur = cur[k] as Record<string, unknown>;
  cur[keys[keys.length - 1]] = value;
}

/**
 * One issuance the provider holds, as the suite judges it: a simulator
 * ledger entry, or in proxy mode what the author's probe returned (`status`
 * in the model's words: its success status, `pending` or `failed`).
 */
export interface Issuance {
  reference: string;
  transactionId: string;
  status: string;
  /** Decimal string with the currency's decimals (`"5.00"`). */
  amount: string;
  currency: string;
  productId?: string;
  recipient?: string;
  voucherCode?: string;
  /** False for failed transactions. */
  debited: boolean;
}

/** Options of a {@link ContractHarness}. */
export interface HarnessOptions<TConfig> {
  plugin: ConnectorPlugin<TConfig>;
  target: ContractTarget;
  /** The second argument is the simulator, or in proxy mode the fault proxy. */
  configFor: (providerBaseUrl: string, server: never) => TConfig;
  sampleParams: (reference: string) => IssueParams;
  resilience: ResilienceOptions;
  seed: number;
  /** Proxy mode: the fault proxy in front of `target`, judged by `probe`. */
  proxy?: { target: string; probe: ContractProbe };
}

/**
 * The simulator, the plugin under test and what the suite observes: one per
 * `describeConnectorContract`. Each case gets fresh connector instances (so
 * breaker state never leaks between cases) and a reset simulator.
 */
export class ContractHarness<TConfig = unknown> {
  /** The simulator serving the model (not started in proxy mode: read it only after {@link simulatorOnly}). */
  sim!: Simulator;
  /** The fault proxy in front of the author's target, in proxy mode. */
  proxy: FaultProxy | undefined;
  /** Put before every reference: unique per run in proxy mode, where the provider keeps earlier runs' references. */
  readonly runTag: string;
  readonly logger: CapturedLogger = captureLogger();
  private readonly open: { dispose(): Promise<void> | void }[] = [];
  private counter = 0;

  constructor(readonly options: HarnessOptions<TConfig>) {
    // Time and a random pair: two suites started in the same millisecond against one sandbox still differ.
    this.runTag = options.proxy ? `rp${Date.now().toString(36)}${randomInt(1296).toString(36).padStart(2, '0')}-` : '';
  }

  /** `proxy` when the suite runs through the fault proxy, judged by the author's probe. */
  get mode(): 'simulator' | 'proxy' {
    return this.options.proxy ? 'proxy' : 'simulator';
  }

  /** Marks the case pending in proxy mode: it needs the simulator's own state (`what`), which a probe of a real API cannot give. */
  simulatorOnly(context: Mocha.Context, what: string): void {
    if (this.options.proxy) notRun(context, `proxy mode cannot know or set ${what}: only the simulator can`);
  }

  /**
   * Extra wait before reading what a request held at the proxy led to, ms: a
   * real API takes its own time to commit after the proxy forwards. 0 on
   * the simulator, 1500 in proxy mode.
   */
  get upstreamSlackMs(): number {
    return this.options.proxy ? 1_500 : 0;
  }

  /** The request journal: the simulator's, or the fault proxy's. */
  get journal(): { entries(filter?: JournalFilter): JournalEntry[] } {
    return this.proxy ? this.proxy.journal : this.sim.journal;
  }

  /** The path the model's routes sit under at {@link providerUrl} (`/zapcash` on the simulator; none behind the proxy). */
  get pathPrefix(): string {
    return this.proxy ? '' : this.target.prefix;
  }

  get plugin(): ConnectorPlugin<TConfig> {
    return this.options.plugin;
  }

  get target(): ContractTarget {
    return this.options.target;
  }

  /** The journal name of the model's issue route. */
  get issueRoute(): string {
    return issueRouteOf(this.target).route;
  }

  /** The model's mount URL (`http://127.0.0.1:PORT/zapcash`). */
  get providerUrl(): string {
    if (this.proxy) return this.proxy.url;
    return this.sim.models.find((m) => m.id === this.target.id)?.url ?? `${this.sim.url}${this.target.prefix}`;
  }

  /** Set by case 0 when the sample issuance never reached the model's issue route: later cases are not run. */
  wireMismatch = false;

  /** Every error a connector call threw during the run, with the case it was thrown in (the secrets case reads them). */
  readonly errorsSeen: { title: string; error: unknown }[] = [];

  /** Title of the case running now (for {@link errorsSeen}). */
  currentCase = '';

  async start(): Promise<void> {
    const { proxy } = this.options;
    if (proxy) this.proxy = await startFaultProxy({ target: proxy.target, model: this.target.model, seed: this.options.seed });
    else this.sim = await startSimulator({ port: 0, seed: this.options.seed, models: [this.target.model] });
  }

  async stop(): Promise<void> {
    await this.disposeConnectors();
    await this.proxy?.close();
    await this.sim?.close();
  }

  /** Between cases: forget connectors and every provider-side trace (in proxy mode, the proxy's: the target keeps its own). */
  async reset(): Promise<void> {
    await this.disposeConnectors();
    this.resetProvider();
    this.faults([]);
  }

  /** Clears the journal and counters (and on the simulator, the ledger and balances). */
  resetProvider(): void {
    if (this.proxy) this.proxy.reset();
    else this.sim.reset();
  }

  /** The config the plugin author's `configFor` returns, checked against the plugin's schema (defaults filled in, as the host does). */
  config(): TConfig {
    return this.configAt(this.providerUrl);
  }

  /** The same, pointing at another base URL (a server that is not the provider, for the wrong-URL case). */
  configAt(providerBaseUrl: string): TConfig {
    const config = structuredClone(this.options.configFor(providerBaseUrl, (this.proxy ?? this.sim) as never));
    const errors = validateAgainstSchema(this.plugin.configSchema, config, { pathPrefix: 'config' });
    if (errors.length) {
      throw new Error(`configFor() returned a config that does not match the plugin's configSchema:\n  ${errors.join('\n  ')}`);
    }
    return config;
  }

  /** The secret values of the config (fields the schema marks `x-secret`/`writeOnly`). */
  secrets(config: TConfig = this.config()): { path: string; value: string }[] {
    return secretValues(this.plugin.configSchema, config);
  }

  /** The config with the secret at `path` replaced by a wrong value (still a valid config). */
  configWithWrongSecret(path: string): TConfig {
    const config = this.config() as unknown as Record<string, unknown>;
    const current = this.secrets(config as unknown as TConfig).find((s) => s.path === path);
    setPath(config, path, `wrong-${current?.value ?? 'secret'}`);
    return config as unknown as TConfig;
  }

  /** A fresh plugin instance created through core (child container), wrapped in the resilience pipeline. */
  async connect(overrides?: ResilienceOptions, config: TConfig = this.config()): Promise<ResilientConnector> {
    this.counter += 1;
    const name = `${this.plugin.id}-contract-${this.counter}`;
    const root = createRootContainer({ logger: this.logger });
    const instance = await createConnectorContainer(root, this.plugin, { name, config, logger: this.logger });
    const resilient = createResilientConnector(instance.connector, this.plugin, {
      ...mergeResilience(CONTRACT_RESILIENCE, this.options.resilience, overrides),
      name,
      logger: this.logger,
    });
    this.open.push({ dispose: () => resilient.dispose() }, instance);
    return this.recordErrors(resilient);
  }

  /** The connector with every thrown error recorded in {@link errorsSeen}. */
  private recordErrors(connector: ResilientConnector): ResilientConnector {
    const record =
      <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
      async (...args: A): Promise<R> => {
        try {
          return await call(...args);
        } catch (error) {
          this.errorsSeen.push({ title: this.currentCase, error });
          throw error;
        }
      };
    return Object.assign(Object.create(connector) as ResilientConnector, {
      issue: record(connector.issue.bind(connector)),
      checkStatus: record(connector.checkStatus.bind(connector)),
    });
  }

  /** A reference unique in this run, readable in failure messages. */
  reference(tag: string): string {
    this.counter += 1;
    return `${this.runTag}${tag}-${this.counter}`;
  }

  /** The plugin author's sample parameters for `reference`, with `patch` applied. */
  params(reference: string, patch: Partial<IssueParams> = {}): IssueParams {
    return { ...this.options.sampleParams(reference), ...patch, reference };
  }

  /** Applies fault rules (with the suite's seed, so a failure replays). */
  faults(rules: Rule[]): void {
    (this.proxy ?? this.sim).setScenario({ seed: this.options.seed, rules });
  }

  /** Requests that reached the issue route (optionally for one reference), in arrival order. */
  issueRequests(reference?: string): JournalEntry[] {
    const all = this.journal.entries({ route: this.issueRoute });
    return (reference === undefined ? all : all.filter((e) => e.reference === reference)).sort((a, b) => a.seq - b.seq);
  }

  /** Every request the provider API saw (control calls excluded). */
  providerRequests(): JournalEntry[] {
    const routes = new Set(this.target.routes.map((r) => r.route));
    return this.journal.entries().filter((e) => routes.has(e.route));
  }

  /**
   * What the provider holds (optionally for one reference): the simulator's
   * ledger, or in proxy mode the probe's answer for every reference the
   * issue route saw in this case (one entry per transaction it counts; one
   * when it cannot count).
   */
  async ledger(reference?: string): Promise<Issuance[]> {
    const { proxy } = this.options;
    if (!proxy) return this.sim.ledger.entries({ provider: this.target.id, ...(reference !== undefined ? { reference } : {}) });
    const references =
      reference !== undefined
        ? [reference]
        : [...new Set(this.issueRequests().flatMap((e) => (e.reference === undefined ? [] : [e.reference])))];
    const found = await probeIssuances(proxy.probe, references, this.target.successStatus);
    return found.flatMap(({ issuance, count }) => Array.from({ length: count ?? 1 }, () => issuance));
  }

  /** How many transactions the provider holds for `reference`; undefined in proxy mode when the probe cannot count. */
  async countOf(reference: string): Promise<number | undefined> {
    const { proxy } = this.options;
    if (!proxy) return this.sim.ledger.countByReference(this.target.id, reference);
    const [found] = await probeIssuances(proxy.probe, [reference], this.target.successStatus);
    return found ? found.count : 0;
  }

  private async disposeConnectors(): Promise<void> {
    const open = this.open.splice(0);
    for (const o of open.reverse()) await o.dispose();
  }
}
