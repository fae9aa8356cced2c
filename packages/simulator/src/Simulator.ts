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
  /** `http://HOST:PORT`; each model under its prefix (airtime at `url + '/airtime'`, gift cards at `url + '/giftcard'`). */
  readonly url: string;
  /** The models served, in order, with their mount prefixes. */
  readonly models: readonly { id: string; prefix: string; url: string }[];
  /** Stops listening and destroys every open socket, hung ones included. */
  close(): Promise<void>;
  /** Clears ledger, journal, sinks, balances (back to config, then the scenario's), pending work and counters; aborts hung and delayed requests. */
  reset(): void;
  /** Validates and applies a scenario (fresh counters). Throws `ConfigError` with `path: message` lines. */
  setScenario(s: Scenario): void;
  scenario(): ScenarioState;
  /** Sets the balance of the model's first account, as a decimal string in `currency` (defaults to the account's first currency). */
  setBalance(model: string, decimal: string, currency?: string): void;
  /** The balance of the model's first account in `currency` (defaults to its first), as a decimal string; `unlimited` when it keeps none. */
  balance(model: string, currency?: string): string;
  /** Every balance of every account of a model: account id → currency → decimal string. */
  balances(model: string): Record<string, Record<string, string>>;
  /** Makes every OAuth2 token issued so far expired (the next request with one answers token-expired). Returns how many. */
  expireTokens(model?: string): number;
  readonly ledger: {
    entries(filter?: LedgerFilter): LedgerEntry[];
    countByReference(model: string, reference: string): number;
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
