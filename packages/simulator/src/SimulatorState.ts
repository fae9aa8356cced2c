import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { toMinorUnits } from '@relaypoint/core';
import { Journal } from './journal/Journal.js';
import { AttemptCounter } from './ledger/AttemptCounter.js';
import { MountedModel } from './model/MountedModel.js';
import type { ModelScenarioView, ProviderModel } from './model/ProviderModel.js';
import { FaultPlan } from './scenario/FaultPlan.js';
import type { Scenario } from './scenario/Scenario.types.js';
import { scenarioTargetOf, type ScenarioTarget } from './scenario/ScenarioTarget.js';
import { credentialHeaders } from './model/credentialHeaders.js';

/**
 * Everything a running simulator holds: the mounted models (ledgers,
 * balances, tokens), journal, scenario and the requests parked by a fault
 * (hang, latency, late-commit), which reset and close abort.
 */
export class SimulatorState {
  readonly models: MountedModel[];
  /** Mount prefix (`/airtime`) → model. */
  readonly byPrefix = new Map<string, MountedModel>();
  readonly byId = new Map<string, MountedModel>();
  readonly journal: Journal;
  readonly attempts: AttemptCounter;
  readonly target: ScenarioTarget;
  /** Every `<model>.<route>` name, then the simulator's own. */
  readonly routeNames: string[];
  scenario: Scenario = {};
  seed: number;
  plan: FaultPlan;
  /** Bumped by reset: work started before it must not commit after it. */
  generation = 0;
  /** Cancels of requests parked by hang, latency or late-commit. */
  readonly parked = new Set<() => void>();
  private readonly issueRoutes: ReadonlySet<string>;
  private scenarioView: ModelScenarioView = { operatorDown: false };

  constructor(
    models: readonly ProviderModel[],
    seed: number,
    journalSize: number,
    ledgerSize: number,
    readonly now: () => number,
    /** The seed given at start (`--seed`, `startSimulator({ seed })`): wins over the seed of every scenario applied. */
    readonly seedOverride?: number,
  ) {
    this.seed = seed;
    const host = { now, seed: () => this.seed, scenario: () => this.scenarioView };
    this.models = models.map((m) => new MountedModel(m, host, ledgerSize));
    for (const m of this.models) {
      if (this.byId.has(m.id)) throw new Error(`two models have the id "${m.id}"`);
      if (this.byPrefix.has(m.prefix)) throw new Error(`two models are mounted at ${m.prefix}`);
      this.byId.set(m.id, m);
      this.byPrefix.set(m.prefix, m);
    }
    this.issueRoutes = new Set(this.models.map((m) => m.issueRoute));
    this.routeNames = [...this.models.flatMap((m) => m.routeNames), 'control', 'sink', 'unknown'];
    this.target = scenarioTargetOf(models);
    this.plan = new FaultPlan({}, seed, this.issueRoutes);
    this.journal = new Journal(journalSize);
    this.journal.maskHeaders(models.flatMap((m) => credentialHeaders(m)));
    // Per route, twice the ledger: room for references that were refused or faulted and never committed.
    this.attempts = new AttemptCounter(ledgerSize === Infinity ? Infinity : ledgerSize * 2);
  }

  /** The model with this id, or undefined. */
  model(id: string): MountedModel | undefined {
    return this.byId.get(id);
  }

  /**
   * Applies a validated scenario (see `loadScenario`): rules (fresh counters),
   * seed (the start seed, if any, wins), balances. The balances are converted
   * before anything changes: if one throws, the scenario in force stays.
   */
  applyScenario(scenario: Scenario): void {
    const balances = this.balancesOf(scenario);
    this.scenario = scenario;
    this.scenarioView = {
      operatorDown: scenario.operatorDown ?? false,
      ...(scenario.recentRechargeWindowMs !== undefined ? { recentRechargeWindowMs: scenario.recentRechargeWindowMs } : {}),
    };
    this.seed = this.seedOverride ?? scenario.seed ?? this.seed;
    this.plan = new FaultPlan(scenario, this.seed, this.issueRoutes);
    this.installBalances(balances);
  }

  /** The scenario's balances as (model, currency, minor units) for each model's first account. */
  private balancesOf(scenario: Scenario): [MountedModel, string, bigint][] {
    const out: [MountedModel, string, bigint][] = [];
    for (const [id, value] of Object.entries(scenario.balances ?? {})) {
      const m = this.byId.get(id);
      if (!m) continue;
      const primary = m.accounts[0].primaryCurrency;
      const pairs = typeof value === 'string' ? (primary ? [[primary, value]] : []) : Object.entries(value);
      for (const [currency, decimal] of pairs) out.push([m, currency, toMinorUnits(decimal, currency)]);
    }
    return out;
  }

  private installBalances(balances: [MountedModel, string, bigint][]): void {
    for (const [m, currency, minor] of balances) m.accounts[0].balances.set(currency, minor);
  }

  /** Sets the balance of a model's first account (in its first currency unless one is named) from a decimal string. */
  setBalance(modelId: string, decimal: string, currency?: string): void {
    const m = this.byId.get(modelId);
    if (!m) throw new Error(`no model "${modelId}"`);
    const c = currency ?? m.accounts[0].primaryCurrency;
    if (c === undefined) throw new Error(`model ${modelId} keeps no balance`);
    m.accounts[0].balances.set(c, toMinorUnits(decimal, c));
  }

  /**
   * Parks a request for `ms`, then runs `then`. Reset and close cancel it
   * first (destroying `socket`: the client sees the connection drop). With
   * `res`, the client closing its connection cancels it too; without, it runs
   * whether or not the client is still there.
   */
  park(ms: number, socket: Socket, then: () => void, res?: ServerResponse): void {
    const cancel = (): void => {
      clearTimeout(timer);
      this.parked.delete(cancel);
      socket.destroy();
    };
    const timer = setTimeout(() => {
      this.parked.delete(cancel);
      then();
    }, ms);
    this.parked.add(cancel);
    res?.once('close', () => {
      clearTimeout(timer);
      this.parked.delete(cancel);
    });
  }

  /** Aborts every parked request (their sockets are destroyed: the client sees the connection drop). */
  abortParked(): void {
    for (const cancel of [...this.parked]) cancel();
    this.parked.clear();
  }

  /** Back to a fresh start under the same models and scenario. */
  reset(): void {
    this.generation += 1;
    this.abortParked();
    for (const m of this.models) m.reset();
    this.journal.clear();
    this.attempts.clear();
    this.plan.resetCounters();
    this.installBalances(this.balancesOf(this.scenario));
  }
}
