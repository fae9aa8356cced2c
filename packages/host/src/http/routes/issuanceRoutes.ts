import { Router, type Request, type Response } from 'express';
import { HostError, HostErrorCodes } from '../../HostError.js';
import type { IssueInput } from '../../issuance/IssuanceService.js';
import type { IssuanceStatus } from '../../issuance/IssuanceRecord.js';
import { issueRequestSchema, issuanceListQuerySchema } from '../apiSchemas.js';
import { tenantOf, type AppServices } from '../AppServices.js';
import { sendProblem, validateOrThrow } from '../problem.js';
import { ctx } from '../requestContext.js';

/** `POST /v1/issuances`, `GET /v1/issuances/:reference`, `GET /v1/issuances`. */
export function issuanceRoutes(services: AppServices): Router {
  const router = Router();

  router.post('/issuances', async (req: Request, res: Response) => {
    const tenantId = tenantOf(req);
    const body = req.body as unknown;
    if (body !== null && typeof body === 'object' && typeof (body as { amount?: unknown }).amount === 'number') {
      throw new HostError(
        400,
        HostErrorCodes.AMOUNT_MUST_BE_STRING,
        'amount must be a decimal string such as "5.00", not a JSON number: no float ever carries money',
        {
          errors: ['body.amount: must be a decimal string such as "5.00"'],
        },
      );
    }
    validateOrThrow(issueRequestSchema, body ?? {}, 'body');
    const outcome = await services.issuances.issue(tenantId, body as IssueInput);
    const { record } = outcome;
    ctx(req).issuance = { id: record.id, status: record.status, ...(record.error ? { code: record.error.code } : {}) };
    res.setHeader('location', `/v1/issuances/${encodeURIComponent(record.reference)}`);
    if (outcome.repeat) {
      res.status(record.status === 'succeeded' || record.status === 'failed' ? 200 : 202).json(record);
      return;
    }
    if (record.status === 'succeeded') {
      res.status(201).json(record);
      return;
    }
    if (record.status === 'failed') {
      if (outcome.failure === 'not_sent') {
        // `reason` is Relaypoint's code for why nothing could be sent (PROVIDER_UNREACHABLE, BREAKER_OPEN, …);
        // `providerCode` is only ever a code the provider itself answered with.
        sendProblem(
          res,
          503,
          HostErrorCodes.PROVIDER_NOT_SENT,
          `the provider could not be reached (${record.error?.code}); nothing was sent. Retry with a new reference.`,
          {
            ...(record.error ? { reason: record.error.code } : {}),
            ...(record.providerCode ? { providerCode: record.providerCode } : {}),
            issuance: record,
          },
        );
        return;
      }
      sendProblem(res, 422, HostErrorCodes.PROVIDER_REJECTED, record.error?.message || 'the provider refused the issuance', {
        ...(record.error ? { reason: record.error.code } : {}),
        providerCode: record.providerCode ?? record.error?.code,
        issuance: record,
      });
      return;
    }
    res.status(202).json(record);
  });

  router.get('/issuances/:reference', async (req: Request, res: Response) => {
    const record = await services.issuances.get(tenantOf(req), String(req.params.reference));
    if (!record) throw new HostError(404, HostErrorCodes.NOT_FOUND, `no issuance with reference "${String(req.params.reference)}"`);
    res.json(record);
  });

  router.get('/issuances', async (req: Request, res: Response) => {
    const query = { ...(req.query as Record<string, unknown>) };
    validateOrThrow(issuanceListQuerySchema, query, 'query');
    // The admin key without X-Relaypoint-Tenant lists every tenant's issuances (e.g. all that need attention).
    const context = ctx(req);
    const tenant = context.principal?.kind === 'admin' && !context.tenantId ? null : tenantOf(req);
    const page = await services.issuances.list(tenant, {
      ...(query.status ? { status: query.status as IssuanceStatus } : {}),
      ...(query.connector ? { connector: String(query.connector) } : {}),
      ...(query.needs_attention ? { needsAttention: query.needs_attention === 'true' } : {}),
      ...(query.cursor ? { cursor: String(query.cursor) } : {}),
      ...(query.limit ? { limit: Number(query.limit) } : {}),
    });
    res.json(page);
  });

  return router;
}
