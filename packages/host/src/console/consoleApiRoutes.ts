import { Router, type Request, type Response } from 'express';
import { HostError, HostErrorCodes } from '../HostError.js';
import { tenantOf, type AppServices } from '../http/AppServices.js';
import { ctx } from '../http/requestContext.js';
import type { IssuanceStatus } from '../issuance/IssuanceRecord.js';
import type { ConsoleQueries, IssuanceSearch } from './ConsoleQueries.js';
import { maskIssuance } from './maskIssuance.js';
import type { ProviderCallLog } from './ProviderCallLog.js';

const STATUSES: readonly string[] = ['in_flight', 'pending', 'unknown', 'succeeded', 'failed'];

function searchOf(query: Record<string, unknown>): IssuanceSearch {
  const errors: string[] = [];
  const str = (name: string) => (typeof query[name] === 'string' && query[name] !== '' ? (query[name] as string) : undefined);
  const instant = (name: string) => {
    const v = str(name);
    if (v === undefined) return undefined;
    const t = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
    if (!Number.isSafeInteger(t) || t < 0) errors.push(`query.${name}: must be an ISO 8601 date-time or epoch milliseconds`);
    return t;
  };
  const search: IssuanceSearch = {};
  const status = str('status');
  if (status !== undefined && !STATUSES.includes(status)) errors.push(`query.status: must be one of ${STATUSES.join(', ')}`);
  else if (status) search.status = status as IssuanceStatus;
  const connector = str('connector');
  if (connector) search.connector = connector;
  const reference = str('reference');
  if (reference) search.reference = reference;
  const from = instant('from');
  const to = instant('to');
  if (from !== undefined) search.from = from;
  if (to !== undefined) search.to = to;
  const cursor = str('cursor');
  if (cursor) search.cursor = cursor;
  const limit = str('limit');
  if (limit !== undefined) {
    if (!/^\d+$/.test(limit) || Number(limit) < 1 || Number(limit) > 200) errors.push('query.limit: must be an integer from 1 to 200');
    else search.limit = Number(limit);
  }
  if (errors.length)
    throw new HostError(
      400,
      HostErrorCodes.VALIDATION_FAILED,
      errors.length === 1 ? errors[0] : `${errors.length} problems in the request`,
      { errors },
    );
  return search;
}

/**
 * The console's own reads: issuance search, an issuance with its timeline
 * and the deliveries it caused, connectors with breaker state and call
 * statistics, subscription health. Reads `IssuanceService.get`,
 * {@link ConsoleQueries}, the connector handles and {@link ProviderCallLog}.
 */
export function consoleApiRoutes(s: AppServices, queries: ConsoleQueries, calls: ProviderCallLog): Router {
  const r = Router();

  r.get('/issuances', async (req: Request, res: Response) => {
    const search = searchOf({ ...(req.query as Record<string, unknown>) });
    const c = ctx(req);
    const tenant = c.principal?.kind === 'admin' && !c.tenantId ? null : tenantOf(req);
    const page = await queries.issuances(tenant, search);
    res.json({ ...page, items: page.items.map(maskIssuance) });
  });

  r.get('/issuances/:reference', async (req: Request, res: Response) => {
    const c = ctx(req);
    // An admin opening a row of the all-tenants list names its tenant in the query.
    const tenantId =
      c.principal?.kind === 'admin' && typeof req.query.tenant === 'string' && s.tenants.some((t) => t.id === req.query.tenant)
        ? req.query.tenant
        : tenantOf(req);
    const reference = String(req.params.reference);
    const record = await s.issuances.get(tenantId, reference);
    if (!record) throw new HostError(404, HostErrorCodes.NOT_FOUND, `no issuance with reference "${reference}"`);
    const providerCalls = calls.forReference(record.providerReference).map((call) => ({
      ...call,
      at: new Date(call.at).toISOString(),
      ms: Math.round(call.ms * 10) / 10,
    }));
    res.json({
      issuance: maskIssuance(record),
      providerCalls,
      deliveries: await queries.deliveriesOfIssuance(tenantId, record.id),
    });
  });

  r.get('/connectors', (_req: Request, res: Response) => {
    res.json({
      items: [...s.connectors.values()].map((h) => ({
        name: h.name,
        plugin: h.plugin.id,
        package: h.packageName,
        version: h.version,
        breaker: h.resilient.breaker.state,
        calls: calls.stats(h.name),
      })),
    });
  });

  r.get('/webhooks/:id/health', async (req: Request, res: Response) => {
    const tenantId = tenantOf(req);
    const sub = await s.webhooks.subscriptions.get(tenantId, String(req.params.id));
    if (!sub) throw new HostError(404, HostErrorCodes.NOT_FOUND, `no webhook subscription "${String(req.params.id)}"`);
    res.json(await queries.subscriptionHealth(tenantId, sub.id));
  });

  return r;
}
