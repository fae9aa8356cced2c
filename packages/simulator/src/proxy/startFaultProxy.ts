import { randomInt } from 'node:crypto';
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Request, type Response } from 'express';
import { isConfigError } from '@relaypoint/core';
import { Journal, type JournalFilter } from '../journal/Journal.js';
import type { JournalEntry } from '../journal/JournalEntry.js';
import { AttemptCounter } from '../ledger/AttemptCounter.js';
import { credentialHeaders } from '../model/credentialHeaders.js';
import { defineProviderModel } from '../model/defineProviderModel.js';
import type { ProviderModel } from '../model/ProviderModel.js';
import { FaultPlan } from '../scenario/FaultPlan.js';
import { loadScenario } from '../scenario/loadScenario.js';
import type { Rule, Scenario } from '../scenario/Scenario.types.js';
import { ProxyDispatch } from './ProxyDispatch.js';

/** Options of {@link startFaultProxy}. */
export interface FaultProxyOptions {
  /** Base URL every request is forwarded to (`https://sandbox.example/api`): its path is put before each request's. Required. */
  target: string;
  /**
   * The provider's model: routes are then named `<model>.<route>` by its
   * table, its issue parse and lookups find the reference (per-reference
   * rules, attempts), `"*"` means its issue route, and `omit-voucher` works.
   * Without one, routes are `proxy.<METHOD> <path>` and `"*"` matches every
   * request. Defaults to none.
   */
  model?: ProviderModel;
  /** TCP port. Defaults to 0 (an ephemeral port). */
  port?: number;
  /** Interface to listen on. Defaults to `127.0.0.1`. */
  host?: string;
  /** Seed of every random draw; wins over the scenario's. Defaults to the scenario's seed, else a random one. */
  seed?: number;
  /** Faults to apply from the start: an object or a JSON file path. Defaults to none. */
  scenario?: Scenario | string;
  /** Request journal capacity, in entries. Defaults to 10000. */
  journalSize?: number;
  /** `debug` writes one JSON line per request to stderr; `info` the start line. Defaults to `silent`. */
  logLevel?: 'silent' | 'info' | 'debug';
}

/** A running fault proxy. */
export interface FaultProxy {
  /** `http://HOST:PORT`: point the client here instead of at the target. */
  readonly url: string;
  readonly target: string;
  /** Stops listening and destroys every open socket, held ones included. */
  close(): Promise<void>;
  /** Clears the journal, attempt and rule counters; aborts held requests. */
  reset(): void;
  /** Validates and applies a scenario (fresh counters). Throws `ConfigError` with `path: message` lines. */
  setScenario(s: Scenario): void;
  scenario(): { seed: number; rules: Rule[] };
  readonly journal: {
    entries(filter?: JournalFilter): JournalEntry[];
    clear(): void;
  };
}

/**
 * Starts the fault proxy: the simulator's seeded fault engine and journal in
 * front of any HTTP API (a provider's sandbox, a hand-written fake). Faults
 * before forwarding: `status-before-commit`, `rate-limit`, `reset`, `hang`,
 * `latency`; after the upstream answered: `drop-after-commit`, `truncate`,
 * `malformed`, `status-after-commit`, `late-commit` (the answer held `ms`),
 * `omit-voucher` (with a model). The control API (`/__sim/journal`,
 * `/__sim/scenario`, `/__sim/reset`) answers on the proxy itself.
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  let target: URL;
  try {
    target = new URL(options.target);
  } catch {
    throw new TypeError(`target: ${JSON.stringify(options.target)} is not a URL`);
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:')
    throw new TypeError(`target: must be an http or https URL (got ${target.protocol})`);
  const model = options.model ? defineProviderModel(options.model) : undefined;
  const scenarioTarget = {
    ...(model ? { routes: model.routes.map((r) => `${model.id}.${r.name}`) } : {}),
    currencies: new Map<string, string[]>(),
  };
  const wildcard = model ? new Set([`${model.id}.${model.routes.find((r) => r.role === 'issue')!.name}`]) : null;
  let scenario = options.scenario === undefined ? {} : loadScenario(options.scenario, scenarioTarget);
  let seed = options.seed ?? scenario.seed ?? randomInt(0, 2 ** 31);
  let plan = new FaultPlan(scenario, seed, wildcard);
  let generation = 0;
  const journal = new Journal(options.journalSize ?? 10_000);
  if (model) journal.maskHeaders(credentialHeaders(model));
  const attempts = new AttemptCounter(100_000);
  const held = new Set<() => void>();
  const level = options.logLevel ?? 'silent';
  const log = (line: object): void => {
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), ...line })}\n`);
  };
  const hold = (cancel: () => void): (() => void) => {
    const entry = (): void => {
      held.delete(entry);
      cancel();
    };
    held.add(entry);
    return () => held.delete(entry);
  };
  const dispatch = new ProxyDispatch(target.href, model, {
    journal,
    attempts,
    plan: () => plan,
    generation: () => generation,
    hold,
    park: (ms, socket, then, res) => {
      const release = hold(() => {
        clearTimeout(timer);
        socket.destroy();
      });
      const timer = setTimeout(() => {
        release();
        then();
      }, ms);
      res?.once('close', () => {
        clearTimeout(timer);
        release();
      });
    },
    ...(level === 'debug' ? { log } : {}),
  });
  const abortHeld = (): void => {
    for (const cancel of [...held]) cancel();
  };
  const setScenario = (s: Scenario): void => {
    const next = loadScenario(s, scenarioTarget);
    scenario = next;
    seed = options.seed ?? next.seed ?? seed;
    plan = new FaultPlan(next, seed, wildcard);
  };
  const reset = (): void => {
    generation += 1;
    abortHeld();
    journal.clear();
    attempts.clear();
    plan.resetCounters();
  };
  const scenarioState = () => ({ seed, rules: structuredClone(scenario.rules ?? []) });
  const app = controlApp({ journal, setScenario, scenario: scenarioState, reset });

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if ((req.url ?? '').startsWith('/__sim/')) app(req, res);
    else dispatch.handle(req, res);
  });
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
    log({
      level: 'info',
      msg: 'fault proxy listening',
      url,
      target: target.href,
      model: model?.id ?? null,
      seed,
      rules: scenario.rules?.length ?? 0,
    });
  let closed: Promise<void> | undefined;
  return {
    url,
    target: target.href,
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        abortHeld();
        dispatch.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
    reset,
    setScenario,
    scenario: scenarioState,
    journal: { entries: (filter) => journal.entries(filter), clear: () => journal.clear() },
  };
}

/** The proxy's control API: journal, scenario, reset (problem+json errors, as the simulator's). */
function controlApp(target: { journal: Journal; setScenario(s: Scenario): void; scenario(): object; reset(): void }): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '1mb' }));
  const fail = (res: Response, status: number, code: string, message: string, extra: Record<string, unknown> = {}): void => {
    res
      .status(status)
      .type('application/problem+json')
      .send(
        JSON.stringify({ type: 'about:blank', title: STATUS_CODES[status] ?? 'Error', status, detail: message, code, message, ...extra }),
      );
  };
  app.get('/__sim/journal', (req: Request, res: Response) => {
    const filter: JournalFilter = {};
    for (const k of ['path', 'reference', 'route'] as const) if (typeof req.query[k] === 'string') filter[k] = req.query[k] as string;
    res.json({ entries: target.journal.entries(filter) });
  });
  app.delete('/__sim/journal', (_req: Request, res: Response) => {
    target.journal.clear();
    res.status(204).end();
  });
  app.get('/__sim/scenario', (_req: Request, res: Response) => {
    res.json(target.scenario());
  });
  app.post('/__sim/scenario', (req: Request, res: Response) => {
    try {
      target.setScenario(req.body as Scenario);
    } catch (e) {
      if (isConfigError(e)) return fail(res, 400, 'INVALID_SCENARIO', e.errors.join('\n'), { errors: e.errors });
      throw e;
    }
    res.json(target.scenario());
  });
  app.post('/__sim/reset', (_req: Request, res: Response) => {
    target.reset();
    res.status(204).end();
  });
  app.use((req: Request, res: Response) => fail(res, 404, 'NOT_FOUND', `no such endpoint: ${req.method} ${req.path}`));
  return app;
}
