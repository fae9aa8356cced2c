import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { HostError, HostErrorCodes } from '../HostError.js';
import type { AppServices } from './AppServices.js';
import { buildOpenApi } from './openApi.js';
import { errorHandler, sendProblem } from './problem.js';
import { ctx, RequestContext } from './requestContext.js';
import { issuanceRoutes } from './routes/issuanceRoutes.js';
import { webhookRoutes } from './routes/webhookRoutes.js';
import { systemRoutes } from './routes/systemRoutes.js';
import { connectorRoutes } from './routes/connectorRoutes.js';
import { consoleRoutes } from '../console/consoleRoutes.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Builds the express app: request ids and logs, metrics, auth, JSON parsing, routes, problem+json errors. */
export function createApp(services: AppServices): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  app.use((req: Request, res: Response, next: NextFunction) => {
    const given = req.get('x-request-id');
    const requestId = given && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('x-request-id', requestId);
    const context = new RequestContext(requestId, services.logger);
    (req as Request & { relaypoint: RequestContext }).relaypoint = context;
    const started = performance.now();
    // 'close' fires for every request, answered or not, so a client that hangs up still leaves its line.
    res.once('close', () => {
      const seconds = (performance.now() - started) / 1000;
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      const finished = res.writableFinished;
      if (finished) services.metrics.observeHttp(req.method, route, res.statusCode, seconds);
      const i = context.issuance;
      // One line per request, bound fields inline (a child logger per request costs more than the line).
      services.logger[res.statusCode >= 500 ? 'error' : 'info'](
        {
          reqId: requestId,
          method: req.method,
          path: req.path,
          route,
          status: res.statusCode,
          ms: Math.round(seconds * 10000) / 10,
          tenant: context.tenantId,
          principal: context.principal?.kind,
          ...(finished ? {} : { aborted: true }),
          ...(i ? { issuanceId: i.id, issuanceStatus: i.status, ...(i.code ? { code: i.code } : {}) } : {}),
        },
        'request',
      );
    });
    next();
  });

  // A request that reaches a closing host (on a connection opened before) gets a clear answer, not a half-served one.
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (!services.isShuttingDown() || req.method === 'GET' || req.method === 'HEAD') {
      next();
      return;
    }
    res.setHeader('connection', 'close');
    res.setHeader('retry-after', '1');
    next(
      new HostError(
        503,
        HostErrorCodes.SHUTTING_DOWN,
        'the host is shutting down and takes no new work; retry (with the same reference for an issuance)',
      ),
    );
  });

  // Bodies: JSON only. A body with another type is refused before parsing.
  app.use((req: Request, _res: Response, next: NextFunction) => {
    const hasBody =
      (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0') ||
      req.headers['transfer-encoding'] !== undefined;
    if (hasBody && !req.is('application/json')) {
      next(new HostError(415, HostErrorCodes.UNSUPPORTED_MEDIA_TYPE, 'request bodies must be application/json'));
      return;
    }
    next();
  });
  app.use(express.json({ limit: services.bodyLimit, type: 'application/json', strict: true }));
  // PostgreSQL cannot store U+0000 in text: refuse it at the door instead of failing deep in a write.
  app.use((req: Request, _res: Response, next: NextFunction) => {
    const bad = /%00/i.test(req.url) ? 'url' : findNul(req.body, 'body');
    if (bad)
      next(
        new HostError(400, HostErrorCodes.VALIDATION_FAILED, `${bad}: must not contain U+0000`, {
          errors: [`${bad}: must not contain U+0000`],
        }),
      );
    else next();
  });

  app.use(systemRoutes(services));
  app.use(consoleRoutes(services, services.console));

  // Everything under /v1 needs a bearer key.
  app.use('/v1', (req: Request, _res: Response, next: NextFunction) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const principal = match ? services.apiKeys.authenticate(match[1]) : null;
    if (!principal) {
      next(
        new HostError(
          401,
          HostErrorCodes.UNAUTHORIZED,
          match ? 'the API key is not valid' : 'send the API key as "Authorization: Bearer <key>"',
        ),
      );
      return;
    }
    const context = ctx(req);
    context.principal = principal;
    if (principal.kind === 'tenant') context.tenantId = principal.tenantId;
    else {
      const acting = req.get('x-relaypoint-tenant');
      if (acting) {
        if (!services.tenants.some((t) => t.id === acting)) {
          next(new HostError(404, HostErrorCodes.NOT_FOUND, `no tenant "${acting}"`));
          return;
        }
        context.tenantId = acting;
      }
    }
    next();
  });
  app.use('/v1', connectorRoutes(services));
  app.use('/v1', issuanceRoutes(services));
  app.use('/v1', webhookRoutes(services));

  // A path the API has, asked with a method it does not: 405 with the methods it does have (from the OpenAPI document,
  // which lists every route).
  const routes = Object.entries(buildOpenApi().paths as Record<string, Record<string, unknown>>).map(([path, ops]) => {
    const methods = Object.keys(ops).map((m) => m.toUpperCase());
    if (methods.includes('GET')) methods.push('HEAD');
    methods.sort((a, b) => METHOD_ORDER.indexOf(a) - METHOD_ORDER.indexOf(b));
    return {
      pattern: new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}/?$`),
      allow: methods,
    };
  });
  app.use((req: Request, res: Response) => {
    const route = routes.find((r) => r.pattern.test(req.path));
    if (route) {
      res.set('Allow', route.allow.join(', '));
      sendProblem(
        res,
        405,
        HostErrorCodes.METHOD_NOT_ALLOWED,
        `${req.method} is not allowed on ${req.path} (allowed: ${route.allow.join(', ')})`,
      );
      return;
    }
    sendProblem(res, 404, HostErrorCodes.NOT_FOUND, `no route ${req.method} ${req.path}`);
  });
  app.use(errorHandler);
  return app;
}

const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

function findNul(value: unknown, path: string, depth = 0): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (value === null || typeof value !== 'object' || depth > 64) return undefined;
  for (const [k, v] of Object.entries(value)) {
    const p = Array.isArray(value) ? `${path}[${k}]` : `${path}.${k}`;
    if (k.includes('\u0000')) return path;
    const found = findNul(v, p, depth + 1);
    if (found) return found;
  }
  return undefined;
}
