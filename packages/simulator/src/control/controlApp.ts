import { STATUS_CODES } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { isConfigError } from '@relaypoint/core';
import type { JournalFilter } from '../journal/Journal.js';
import type { Scenario } from '../scenario/Scenario.types.js';
import type { SinkOptions } from '../sink/Sink.js';
import type { SinkRegistry } from '../sink/SinkRegistry.js';
import type { SimulatorState } from '../SimulatorState.js';
import { simConsoleRoutes } from '../console/simConsoleRoutes.js';

/** What the control API drives. */
export interface ControlTarget {
  state: SimulatorState;
  sinks: SinkRegistry;
  setScenario(s: Scenario): void;
  scenario(): object;
  reset(): void;
  setBalance(model: string, decimal: string, currency?: string): void;
  balance(model: string, currency?: string): string;
  expireTokens(model?: string): number;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/**
 * An error answer of the control API: RFC 9457 problem details
 * (`application/problem+json`) with a stable `code`, as every Relaypoint API
 * answers errors. `message` repeats `detail` for clients written against the
 * earlier plain-JSON answers. (The simulated provider routes answer errors the
 * way each provider does, not like this.)
 */
function fail(res: Response, status: number, code: string, message: string, extra: Record<string, unknown> = {}): void {
  res
    .status(status)
    .type('application/problem+json')
    .send(
      JSON.stringify({ type: 'about:blank', title: STATUS_CODES[status] ?? 'Error', status, detail: message, code, message, ...extra }),
    );
}

/** The control API (`/__sim/*`) and the webhook sink, on express: not the hot path. */
export function controlApp(target: ControlTarget): express.Express {
  const app = express();
  app.disable('x-powered-by');
  const { state, sinks } = target;
  const ids = state.models.map((m) => m.id);
  const oneOf = `one of ${ids.join(', ')}`;

  // Mutations are journalled (route `control`), except reset and clearing the journal, which empty it.
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && !req.path.startsWith('/__sim/sink/') && req.path !== '/__sim/reset' && req.path !== '/__sim/journal') {
      const rec = state.journal.record(req.method, req.originalUrl, 'control', req.rawHeaders, undefined);
      res.once('finish', () => rec.answered(res.statusCode));
    }
    next();
  });

  app.post('/__sim/sink/:name', express.raw({ type: () => true, limit: '1mb' }), (req: Request, res: Response) => {
    sinks.receive(String(req.params.name), req, res, Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));
  });

  app.use(express.json({ limit: '1mb' }));

  app.get('/__sim/ledger', (req: Request, res: Response) => {
    const provider = str(req.query.provider) ?? str(req.query.model);
    const one = provider === undefined ? undefined : state.model(provider);
    if (provider !== undefined && !one) return fail(res, 400, 'INVALID_REQUEST', `provider must be ${oneOf}`);
    const reference = str(req.query.reference);
    const entries = (one ? [one] : state.models).flatMap((m) => m.ledger.entries(reference));
    res.json({ entries, evicted: Object.fromEntries(state.models.map((m) => [m.id, m.ledger.evicted])) });
  });

  app.get('/__sim/ledger/count', (req: Request, res: Response) => {
    const provider = str(req.query.provider) ?? str(req.query.model);
    const reference = str(req.query.reference);
    const one = provider === undefined ? undefined : state.model(provider);
    if (!one || reference === undefined) return fail(res, 400, 'INVALID_REQUEST', `provider (${oneOf}) and reference are required`);
    res.json({ count: one.ledger.countByReference(reference) });
  });

  app.get('/__sim/journal', (req: Request, res: Response) => {
    const filter: JournalFilter = {};
    const path = str(req.query.path);
    const reference = str(req.query.reference);
    const route = str(req.query.route);
    if (path !== undefined) filter.path = path;
    if (reference !== undefined) filter.reference = reference;
    const routes = state.routeNames;
    if (route !== undefined && !routes.includes(route))
      return fail(res, 400, 'INVALID_REQUEST', `route must be one of ${routes.join(', ')}`, { routes });
    if (route !== undefined) filter.route = route;
    res.json({ entries: state.journal.entries(filter) });
  });

  app.delete('/__sim/journal', (_req: Request, res: Response) => {
    state.journal.clear();
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

  app.get('/__sim/balances', (_req: Request, res: Response) => {
    res.json(Object.fromEntries(ids.map((id) => [id, target.balance(id)])));
  });

  // Every account and currency of one model.
  app.get('/__sim/balances/:model', (req: Request, res: Response) => {
    const m = state.model(String(req.params.model));
    if (!m) return fail(res, 404, 'NOT_FOUND', `model must be ${oneOf}`);
    res.json({ model: m.id, accounts: m.balances() });
  });

  app.put('/__sim/balances/:model', (req: Request, res: Response) => {
    const id = String(req.params.model);
    const { balance, currency } = (req.body ?? {}) as { balance?: unknown; currency?: unknown };
    if (!state.model(id)) return fail(res, 404, 'NOT_FOUND', `provider must be ${oneOf}`);
    if (typeof balance !== 'string') return fail(res, 400, 'INVALID_REQUEST', 'balance must be a decimal string such as "100.00"');
    if (currency !== undefined && (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency)))
      return fail(res, 400, 'INVALID_REQUEST', 'currency must be an ISO 4217 code such as "EUR"');
    try {
      target.setBalance(id, balance, currency);
    } catch (e) {
      return fail(res, 400, 'INVALID_AMOUNT', (e as Error).message);
    }
    res.json({ [id]: target.balance(id, currency) });
  });

  // Expires every OAuth2 token issued so far (of one model with ?model=).
  app.post('/__sim/tokens/expire', (req: Request, res: Response) => {
    const id = str(req.query.model);
    if (id !== undefined && !state.model(id)) return fail(res, 404, 'NOT_FOUND', `model must be ${oneOf}`);
    res.json({ expired: target.expireTokens(id) });
  });

  app.put('/__sim/sink/:name', (req: Request, res: Response) => {
    try {
      sinks.configure(String(req.params.name), (req.body ?? {}) as SinkOptions);
    } catch (e) {
      if (isConfigError(e)) return fail(res, 400, 'INVALID_REQUEST', 'invalid sink options', { errors: e.errors });
      throw e;
    }
    res.json({ name: req.params.name, options: redact(sinks.options(String(req.params.name))) });
  });

  app.get('/__sim/sink/:name', (req: Request, res: Response) => {
    const name = String(req.params.name);
    res.json({ name, options: redact(sinks.options(name)), deliveries: sinks.deliveries(name) });
  });

  app.delete('/__sim/sink/:name', (req: Request, res: Response) => {
    sinks.clear(String(req.params.name));
    res.status(204).end();
  });

  app.use(simConsoleRoutes());
  app.use((req: Request, res: Response) => fail(res, 404, 'NOT_FOUND', `no such endpoint: ${req.method} ${req.path}`));
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = (err as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) return fail(res, status, 'INVALID_REQUEST', (err as Error).message);
    fail(res, 500, 'INTERNAL_ERROR', 'internal error');
  });
  return app;
}

function redact(o: SinkOptions): SinkOptions {
  return { ...o, ...(o.secret ? { secret: 'whsec_***' } : {}), ...(o.legacySecret ? { legacySecret: '***' } : {}) };
}
