import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ProviderName, ResolvedConfig } from './config/ResolvedConfig.js';
import { Journal } from './journal/Journal.js';
import { AttemptCounter } from './ledger/AttemptCounter.js';
import { Ledger } from './ledger/Ledger.js';
import { FaultPlan } from './scenario/FaultPlan.js';
import type { Scenario } from './scenario/Scenario.types.js';
import { toMinorUnits } from '@relaypoint/core';

/**
 * Everything a running simulator holds: config, ledgers, balances, journal,
 * scenario and the requests parked by a fault (hang, latency, late-commit),
 * which reset and close abort.
 */
export class SimulatorState {
  readonly ledgers: Record<ProviderName, Ledger>;
  readonly journal: Journal;
  readonly attempts: AttemptCounter;
  scenario: Scenario = {};
  seed: number;
  plan: FaultPlan;
  /** Bumped by reset: work started before it must not commit after it. */
  generation = 0;
  /** Last recharge time per airtime account + phone number (only while a window is set). */
  readonly recentPhones = new Map<string, number>();
  /** Cancels of requests parked by hang, latency or late-commit. */
  readonly parked = new Set<() => void>();

  constructor(
    readonly config: ResolvedConfig,
    seed: number,
    journalSize: number,
    ledgerSize: number,
    readonly now: () => number,
    /** The seed given at start (`--seed`, `startSimulator({ seed })`): wins over the seed of every scenario applied. */
    readonly seedOverride?: number,
  ) {
    this.seed = seed;
    this.plan = new FaultPlan({}, seed);
    this.ledgers = { airtime: new Ledger('airtime', ledgerSize, now), giftcard: new Ledger('giftcard', ledgerSize, now) };
    this.journal = new Journal(journalSize);
    // Per route, twice the ledger: room for references that were refused or faulted and never committed.
    this.attempts = new AttemptCounter(ledgerSize === Infinity ? Infinity : ledgerSize * 2);
  }

  /**
   * Applies a validated scenario (see `loadScenario`): rules (fresh counters),
   * seed (the start seed, if any, wins), balances. The balances are converted
   * before anything changes: if one throws, the scenario in force stays.
   */
  applyScenario(scenario: Scenario): void {
    const balances = this.balancesOf(scenario);
    this.scenario = scenario;
    this.seed = this.seedOverride ?? scenario.seed ?? this.seed;
    this.plan = new FaultPlan(scenario, this.seed);
    this.installBalances(balances);
  }

  /** The scenario's balances in minor units of each provider's currency (throws `ValidationError` for one that does not fit). */
  private balancesOf(scenario: Scenario): [ProviderName, bigint][] {
    const out: [ProviderName, bigint][] = [];
    for (const p of ['airtime', 'giftcard'] as const) {
      const decimal = scenario.balances?.[p];
      if (decimal !== undefined) out.push([p, toMinorUnits(decimal, this.config[p].currency)]);
    }
    return out;
  }

  private installBalances(balances: [ProviderName, bigint][]): void {
    for (const [p, minor] of balances) this.config[p].accounts[0].balance = minor;
  }

  /** The airtime window for PHONE_RECENTLY_RECHARGED, in ms (0: off). */
  get recentRechargeWindowMs(): number {
    return this.scenario.recentRechargeWindowMs ?? this.config.airtime.recentRechargeWindowMs;
  }

  /** Sets the balance of the provider's first account from a decimal string. */
  setBalance(provider: ProviderName, decimal: string): void {
    const section = this.config[provider];
    section.accounts[0].balance = toMinorUnits(decimal, section.currency);
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

  /** Back to a fresh start under the same config and scenario. */
  reset(): void {
    this.generation += 1;
    this.abortParked();
    this.ledgers.airtime.clear();
    this.ledgers.giftcard.clear();
    this.journal.clear();
    this.attempts.clear();
    this.recentPhones.clear();
    this.plan.resetCounters();
    for (const section of [this.config.airtime, this.config.giftcard]) for (const a of section.accounts) a.balance = a.initialBalance;
    this.installBalances(this.balancesOf(this.scenario));
  }
}
