import { Router, type Request, type Response } from 'express';
import type { AppServices } from '../AppServices.js';
import { buildOpenApi } from '../openApi.js';

/** `/healthz`, `/readyz`, `/metrics`, `/openapi.json`: no key needed, nothing secret in them. */
export function systemRoutes(services: AppServices): Router {
  const router = Router();
  let openapi: string | undefined;

  router.get('/healthz', (_req: Request, res: Response) => {
    res.json({ status: 'ok' });
  });

  router.get('/readyz', async (_req: Request, res: Response) => {
    const checks: Record<string, unknown> = {};
    let ready = !services.isShuttingDown();
    if (!ready) checks.shutdown = 'in progress';
    try {
      await services.db.ping();
      checks.store = 'ok';
      const missing: string[] = [];
      for (const expected of services.expectedMigrations) {
        const applied = new Set(await services.db.appliedMigrations(expected.namespace));
        for (const id of expected.ids) if (!applied.has(id)) missing.push(`${expected.namespace}#${id}`);
      }
      checks.migrations = missing.length === 0 ? 'ok' : { missing };
      if (missing.length > 0) ready = false;
    } catch (e) {
      checks.store = `unreachable: ${(e as Error).message}`;
      ready = false;
    }
    // An open breaker is reported, not fatal: the host still serves reads and other connectors.
    checks.breakers = Object.fromEntries([...services.connectors.values()].map((h) => [h.name, h.resilient.breaker.state]));
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks });
  });

  router.get('/metrics', async (_req: Request, res: Response) => {
    res.setHeader('content-type', services.metrics.registry.contentType);
    res.send(await services.metrics.registry.metrics());
  });

  router.get('/openapi.json', (_req: Request, res: Response) => {
    openapi ??= JSON.stringify(buildOpenApi());
    res.type('application/json').send(openapi);
  });

  return router;
}
