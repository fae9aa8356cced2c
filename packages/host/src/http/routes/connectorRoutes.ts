import { Router, type Request, type Response } from 'express';
import { HostError, HostErrorCodes } from '../../HostError.js';
import type { AppServices } from '../AppServices.js';
import { ctx } from '../requestContext.js';

/** `GET /v1/connectors` (any key) and `GET /v1/tenants` (admin key). */
export function connectorRoutes(services: AppServices): Router {
  const router = Router();

  router.get('/connectors', (_req: Request, res: Response) => {
    res.json({
      items: [...services.connectors.values()].map((h) => ({
        name: h.name,
        plugin: h.plugin.id,
        package: h.packageName,
        version: h.version,
        capabilities: h.plugin.capabilities,
        requiresPhone: h.plugin.requiresPhone ?? false,
        breaker: h.resilient.breaker.state,
      })),
    });
  });

  router.get('/tenants', (req: Request, res: Response) => {
    if (ctx(req).principal?.kind !== 'admin') throw new HostError(403, HostErrorCodes.FORBIDDEN, 'listing tenants needs the admin key');
    res.json({ items: services.tenants.map((t) => ({ id: t.id, ...(t.name ? { name: t.name } : {}) })) });
  });

  return router;
}
