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
import type { JournalEntry } from '../journal/JournalEntry.js';
import type { LedgerEntry } from '../ledger/LedgerEntry.js';
import type { Rule } from '../scenario/Scenario.types.js';
import type { Simulator } from '../Simulator.js';
import { startSimulator } from '../startSimulator.js';
import { captureLogger, type CapturedLogger } from './captureLogger.js';
import { issueRouteOf, type ContractTarget } from './ContractTarget.js';

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

/** Options of a {@link ContractHarness}. */
export interface HarnessOptions<TConfig> {
  plugin: ConnectorPlugin<TConfig>;
  target: ContractTarget;
  configFor: (providerBaseUrl: string, sim: Simulator) => TConfig;
  sampleParams: (reference: string) => IssueParams;
  resilience: ResilienceOptions;
  seed: number;
}

/**
 * The simulator, the plugin under test and what the suite observes: one per
 * `describeConnectorContract`. Each case gets fresh connector instances (so
 * breaker state never leaks between cases) and a reset simulator.
 */
export class ContractHarness<TConfig = unknown> {
  sim!: Simulator;
  readonly logger: CapturedLogger = captureLogger();
  private readonly open: { dispose(): Promise<void> | void }[] = [];
  private counter = 0;

  constructor(readonly options: HarnessOptions<TConfig>) {}

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
    return this.sim.models.find((m) => m.id === this.target.id)?.url ?? `${this.sim.url}${this.target.prefix}`;
  }

  /** Set by case 0 when the sample issuance never reached the model's issue route: later cases are not run. */
  wireMismatch = false;

  /** Every error a connector call threw during the run, with the case it was thrown in (the secrets case reads them). */
  readonly errorsSeen: { title: string; error: unknown }[] = [];

  /** Title of the case running now (for {@link errorsSeen}). */
  currentCase = '';

  async start(): Promise<void> {
    this.sim = await startSimulator({ port: 0, seed: this.options.seed, models: [this.target.model] });
  }

  async stop(): Promise<void> {
    await this.disposeConnectors();
    await this.sim?.close();
  }

  /** Between cases: forget connectors and every provider-side trace. */
  async reset(): Promise<void> {
    await this.disposeConnectors();
    this.sim.reset();
    this.sim.setScenario({ seed: this.options.seed, rules: [] });
  }

  /** The config the plugin author's `configFor` returns, checked against the plugin's schema (defaults filled in, as the host does). */
  config(): TConfig {
    return this.configAt(this.providerUrl);
  }

  /** The same, pointing at another base URL (a server that is not the provider, for the wrong-URL case). */
  configAt(providerBaseUrl: string): TConfig {
    const config = structuredClone(this.options.configFor(providerBaseUrl, this.sim));
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
    const record = <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
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
    return `${tag}-${this.counter}`;
  }

  /** The plugin author's sample parameters for `reference`, with `patch` applied. */
  params(reference: string, patch: Partial<IssueParams> = {}): IssueParams {
    return { ...this.options.sampleParams(reference), ...patch, reference };
  }

  /** Applies fault rules (with the suite's seed, so a failure replays). */
  faults(rules: Rule[]): void {
    this.sim.setScenario({ seed: this.options.seed, rules });
  }

  /** Requests that reached the issue route (optionally for one reference), in arrival order. */
  issueRequests(reference?: string): JournalEntry[] {
    const all = this.sim.journal.entries({ route: this.issueRoute });
    return (reference === undefined ? all : all.filter((e) => e.reference === reference)).sort((a, b) => a.seq - b.seq);
  }

  /** Every request the provider API saw (control calls excluded). */
  providerRequests(): JournalEntry[] {
    const routes = new Set(this.target.routes.map((r) => r.route));
    return this.sim.journal.entries().filter((e) => routes.has(e.route));
  }

  /** The provider's ledger (optionally for one reference). */
  ledger(reference?: string): LedgerEntry[] {
    return this.sim.ledger.entries({ provider: this.target.id, ...(reference !== undefined ? { reference } : {}) });
  }

  private async disposeConnectors(): Promise<void> {
    const open = this.open.splice(0);
    for (const o of open.reverse()) await o.dispose();
  }
}
