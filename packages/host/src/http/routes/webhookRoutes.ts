import { Router, type Request, type Response } from 'express';
import { HostError, HostErrorCodes } from '../../HostError.js';
import {
  eventPublishSchema,
  pageQuerySchema,
  replaySchema,
  rotateSecretSchema,
  webhookCreateSchema,
  webhookPatchSchema,
} from '../apiSchemas.js';
import { tenantOf, type AppServices } from '../AppServices.js';
import { validateOrThrow } from '../problem.js';

const notFound = (what: string, id: string) => new HostError(404, HostErrorCodes.NOT_FOUND, `no ${what} "${id}"`);

function page(q: Record<string, unknown>): { cursor?: string; limit?: number } {
  return { ...(q.cursor ? { cursor: String(q.cursor) } : {}), ...(q.limit ? { limit: Number(q.limit) } : {}) };
}

function instant(v: unknown): number {
  return typeof v === 'number' ? v : Date.parse(String(v));
}

/** Subscriptions, deliveries, replay and `POST /v1/events`, wired to the webhook service. */
export function webhookRoutes(services: AppServices): Router {
  const router = Router();
  const w = services.webhooks;

  router.post('/webhooks', async (req: Request, res: Response) => {
    validateOrThrow(webhookCreateSchema, req.body ?? {}, 'body');
    const { existing, ...sub } = await w.subscriptions.create(tenantOf(req), req.body as Parameters<typeof w.subscriptions.create>[1]);
    // 200 with the subscription already there for this URL and these events (and its secret), 201 for a new one.
    res
      .status(existing ? 200 : 201)
      .setHeader('location', `/v1/webhooks/${sub.id}`)
      .json(sub);
  });

  router.get('/webhooks', async (req: Request, res: Response) => {
    const q = { ...(req.query as Record<string, unknown>) };
    validateOrThrow(pageQuerySchema, q, 'query');
    res.json(await w.subscriptions.list(tenantOf(req), page(q)));
  });

  router.get('/webhooks/:id', async (req: Request, res: Response) => {
    const sub = await w.subscriptions.get(tenantOf(req), String(req.params.id));
    if (!sub) throw notFound('webhook subscription', String(req.params.id));
    res.json(sub);
  });

  router.patch('/webhooks/:id', async (req: Request, res: Response) => {
    validateOrThrow(webhookPatchSchema, req.body ?? {}, 'body');
    const sub = await w.subscriptions.update(
      tenantOf(req),
      String(req.params.id),
      req.body as Parameters<typeof w.subscriptions.update>[2],
    );
    if (!sub) throw notFound('webhook subscription', String(req.params.id));
    res.json(sub);
  });

  router.delete('/webhooks/:id', async (req: Request, res: Response) => {
    if (!(await w.subscriptions.delete(tenantOf(req), String(req.params.id))))
      throw notFound('webhook subscription', String(req.params.id));
    res.status(204).end();
  });

  router.post('/webhooks/:id/rotate-secret', async (req: Request, res: Response) => {
    validateOrThrow(rotateSecretSchema, req.body ?? {}, 'body');
    const body = (req.body ?? {}) as { overlapMs?: number };
    const out = await w.subscriptions.rotateSecret(
      tenantOf(req),
      String(req.params.id),
      body.overlapMs !== undefined ? { overlapMs: body.overlapMs } : {},
    );
    if (!out) throw notFound('webhook subscription', String(req.params.id));
    res.json(out);
  });

  router.post('/webhooks/:id/test', async (req: Request, res: Response) => {
    const out = await w.sendTestEvent(tenantOf(req), String(req.params.id));
    if (!out) throw notFound('webhook subscription', String(req.params.id));
    res.status(202).setHeader('location', `/v1/deliveries/${out.deliveryId}`).json(out);
  });

  router.get('/webhooks/:id/deliveries', async (req: Request, res: Response) => {
    const q = { ...(req.query as Record<string, unknown>) };
    validateOrThrow(pageQuerySchema, q, 'query');
    const out = await w.deliveries.list(tenantOf(req), String(req.params.id), {
      ...page(q),
      ...(q.status ? { status: q.status as 'pending' | 'in_flight' | 'delivered' | 'failed' } : {}),
    });
    if (!out) throw notFound('webhook subscription', String(req.params.id));
    res.json(out);
  });

  router.post('/webhooks/:id/replay', async (req: Request, res: Response) => {
    validateOrThrow(replaySchema, req.body ?? {}, 'body');
    const body = req.body as { from: string | number; to: string | number };
    const from = instant(body.from);
    const to = instant(body.to);
    if (!(to >= from))
      throw new HostError(400, HostErrorCodes.VALIDATION_FAILED, '`to` must not be before `from`', {
        errors: ['body.to: must not be before from'],
      });
    const out = await w.deliveries.replay(tenantOf(req), String(req.params.id), { from, to });
    if (!out) throw notFound('webhook subscription', String(req.params.id));
    res.status(202).json(out);
  });

  router.get('/deliveries/:id', async (req: Request, res: Response) => {
    const d = await w.deliveries.get(tenantOf(req), String(req.params.id));
    if (!d) throw notFound('delivery', String(req.params.id));
    res.json(d);
  });

  router.post('/deliveries/:id/retry', async (req: Request, res: Response) => {
    const d = await w.deliveries.retry(tenantOf(req), String(req.params.id));
    if (!d) throw notFound('delivery', String(req.params.id));
    res.status(202).json(d);
  });

  router.post('/events', async (req: Request, res: Response) => {
    validateOrThrow(eventPublishSchema, req.body ?? {}, 'body');
    const out = await w.publish(tenantOf(req), req.body as { type: string; data: unknown; id?: string });
    res.status(202).json(out);
  });

  return router;
}
