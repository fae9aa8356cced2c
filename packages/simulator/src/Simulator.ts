import type { ProviderName } from './config/ResolvedConfig.js';
import type { JournalEntry } from './journal/JournalEntry.js';
import type { JournalFilter } from './journal/Journal.js';
import type { LedgerEntry } from './ledger/LedgerEntry.js';
import type { LedgerFilter } from './ledger/Ledger.js';
import type { Scenario } from './scenario/Scenario.types.js';
import type { Rule } from './scenario/Scenario.types.js';
import type { SinkDelivery, SinkOptions } from './sink/Sink.js';

/** The scenario in force, as `scenario()` and `GET /__sim/scenario` report it. */
export interface ScenarioState {
  /** Seed of every random draw: rerun with it to replay. */
  seed: number;
  operatorDown: boolean;
  balances: Scenario['balances'];
  recentRechargeWindowMs: number;
  rules: Rule[];
}

/** A running simulator (see API.md). */
export interface Simulator {
  /** `http://HOST:PORT`; airtime at `url + '/airtime'`, gift cards at `url + '/giftcard'`. */
  readonly url: string;
  /** Stops listening and destroys every open socket, hung ones included. */
  close(): Promise<void>;
  /** Clears ledger, journal, sinks, balances (back to config, then the scenario's), pending work and counters; aborts hung and delayed requests. */
  reset(): void;
  /** Validates and applies a scenario (fresh counters). Throws `ConfigError` with `path: message` lines. */
  setScenario(s: Scenario): void;
  scenario(): ScenarioState;
  /** Sets the balance of the provider's first account, as a decimal string in its currency. */
  setBalance(provider: ProviderName, decimal: string): void;
  /** The balance of the provider's first account, as a decimal string. */
  balance(provider: ProviderName): string;
  readonly ledger: {
    entries(filter?: LedgerFilter): LedgerEntry[];
    countByReference(provider: ProviderName, reference: string): number;
  };
  readonly journal: {
    entries(filter?: JournalFilter): JournalEntry[];
    clear(): void;
  };
  readonly sinks: {
    /** Merges options into the sink's; invalid ones throw `ConfigError` (`path: message` lines) and change nothing. */
    configure(name: string, options: SinkOptions): void;
    deliveries(name: string): SinkDelivery[];
    clear(name?: string): void;
  };
}
