import { Router, type Request, type Response } from 'express';
import { HostError, HostErrorCodes } from '../../HostError.js';
import type { AppServices } from '../createApp.js';
import { ctx } from '../requestContext.js';

/** `GET /v1/connectors` (any key) and `GET /v1/tenants` (admin key). */
export function connectorRoutes(s: AppServices): Router {
  const r = Router();

  r.get('/connectors', (_req: Request, res: Response) => {
    res.json({
      items: [...s.connectors.values()].map((h) => ({
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

  r.get('/tenants', (req: Request, res: Response) => {
    if (ctx(req).principal?.kind !== 'admin') throw new HostError(403, HostErrorCodes.FORBIDDEN, 'listing tenants needs the admin key');
    res.json({ items: s.tenants.map((t) => ({ id: t.id, ...(t.name ? { name: t.name } : {}) })) });
  });

  return r;
}
