import { Router, type Request, type Response } from 'express';
import type { AppServices } from '../createApp.js';
import { buildOpenApi } from '../openApi.js';

/** `/healthz`, `/readyz`, `/metrics`, `/openapi.json`: no key needed, nothing secret in them. */
export function systemRoutes(s: AppServices): Router {
  const r = Router();
  let openapi: string | undefined;

  r.get('/healthz', (_req: Request, res: Response) => {
    res.json({ status: 'ok' });
  });

  r.get('/readyz', async (_req: Request, res: Response) => {
    const checks: Record<string, unknown> = {};
    let ready = !s.isShuttingDown();
    if (!ready) checks.shutdown = 'in progress';
    try {
      await s.db.ping();
      checks.store = 'ok';
      const missing: string[] = [];
      for (const m of s.expectedMigrations) {
        const applied = new Set(await s.db.appliedMigrations(m.namespace));
        for (const id of m.ids) if (!applied.has(id)) missing.push(`${m.namespace}#${id}`);
      }
      checks.migrations = missing.length === 0 ? 'ok' : { missing };
      if (missing.length > 0) ready = false;
    } catch (e) {
      checks.store = `unreachable: ${(e as Error).message}`;
      ready = false;
    }
    // An open breaker is reported, not fatal: the host still serves reads and other connectors.
    checks.breakers = Object.fromEntries([...s.connectors.values()].map((h) => [h.name, h.resilient.breaker.state]));
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks });
  });

  r.get('/metrics', async (_req: Request, res: Response) => {
    res.setHeader('content-type', s.metrics.registry.contentType);
    res.send(await s.metrics.registry.metrics());
  });

  r.get('/openapi.json', (_req: Request, res: Response) => {
    openapi ??= JSON.stringify(buildOpenApi());
    res.type('application/json').send(openapi);
  });

  return r;
}
