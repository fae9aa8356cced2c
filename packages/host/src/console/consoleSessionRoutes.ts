import { Router, type NextFunction, type Request, type Response } from 'express';
import { HostError, HostErrorCodes } from '../HostError.js';
import type { AppServices } from '../http/AppServices.js';
import { ctx } from '../http/requestContext.js';
import { ConsoleSessions, type ConsoleSession } from './ConsoleSessions.js';

/** The session cookie: HttpOnly, SameSite=Strict, path `/console`. */
export const CONSOLE_COOKIE = 'relaypoint_console';

/** The cookie value a request carries, if any. */
export function sessionCookie(req: Request): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === CONSOLE_COOKIE) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function setCookie(req: Request, res: Response, value: string, maxAgeSeconds: number): void {
  // Secure whenever the request came over TLS (or a proxy Express trusts says so); plain http on loopback still works.
  const secure = req.secure ? '; Secure' : '';
  res.setHeader('set-cookie', `${CONSOLE_COOKIE}=${value}; Path=/console; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure}`);
}

function describe(s: AppServices, session: ConsoleSession): Record<string, unknown> {
  const p = session.principal;
  return {
    principal: p.kind === 'tenant' ? { kind: 'tenant', tenantId: p.tenantId } : { kind: 'admin' },
    csrfToken: session.csrfToken,
    expiresAt: new Date(session.expiresAt).toISOString(),
    tenants: (p.kind === 'admin' ? s.tenants : s.tenants.filter((t) => t.id === p.tenantId)).map((t) => ({
      id: t.id,
      ...(t.name ? { name: t.name } : {}),
    })),
  };
}

/**
 * `POST /session` (sign in with a tenant or admin API key: the key is
 * exchanged for a session cookie and never stored), `GET /session` (who is
 * signed in, and the CSRF token), `DELETE /session` (sign out).
 */
export function consoleSessionRoutes(s: AppServices, sessions: ConsoleSessions): Router {
  const r = Router();

  r.post('/session', (req: Request, res: Response) => {
    const key = (req.body as { key?: unknown } | undefined)?.key;
    if (typeof key !== 'string' || key.length === 0) {
      throw new HostError(400, HostErrorCodes.VALIDATION_FAILED, 'send the API key as {"key": "..."}', {
        errors: ['body.key: must be a non-empty string'],
      });
    }
    const principal = s.apiKeys.authenticate(key);
    if (!principal) throw new HostError(401, HostErrorCodes.UNAUTHORIZED, 'the API key is not valid');
    sessions.close(sessionCookie(req));
    const { id, session } = sessions.open(principal);
    setCookie(req, res, id, Math.floor((session.expiresAt - Date.now()) / 1000));
    res.setHeader('cache-control', 'no-store');
    res.status(201).json(describe(s, session));
  });

  r.get('/session', (req: Request, res: Response) => {
    const session = sessions.get(sessionCookie(req));
    if (!session) throw new HostError(401, HostErrorCodes.UNAUTHORIZED, 'not signed in');
    res.setHeader('cache-control', 'no-store');
    res.json(describe(s, session));
  });

  r.delete('/session', (req: Request, res: Response) => {
    const session = sessions.get(sessionCookie(req));
    if (session && !ConsoleSessions.csrfMatches(session, req.get('x-csrf-token'))) throw csrfError();
    sessions.close(sessionCookie(req));
    setCookie(req, res, '', 0);
    res.status(204).end();
  });

  return r;
}

function csrfError(): HostError {
  return new HostError(
    403,
    HostErrorCodes.CSRF_TOKEN_INVALID,
    "this request changes state and needs the session's CSRF token in X-CSRF-Token",
  );
}

/**
 * Authenticates a console API request by its session cookie, checks the
 * CSRF token on anything but GET and HEAD, and sets the request's principal
 * and tenant as the `/v1` bearer check does (an admin names the tenant in
 * `X-Relaypoint-Tenant`), so the `/v1` route handlers serve it unchanged.
 */
export function requireConsoleSession(s: AppServices, sessions: ConsoleSessions) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const session = sessions.get(sessionCookie(req));
    if (!session) return next(new HostError(401, HostErrorCodes.UNAUTHORIZED, 'not signed in, or the session expired: sign in again'));
    if (req.method !== 'GET' && req.method !== 'HEAD' && !ConsoleSessions.csrfMatches(session, req.get('x-csrf-token')))
      return next(csrfError());
    const c = ctx(req);
    c.principal = session.principal;
    if (session.principal.kind === 'tenant') c.tenantId = session.principal.tenantId;
    else {
      // EventSource cannot send headers: the stream names the tenant in its query.
      const acting =
        req.get('x-relaypoint-tenant') ??
        (req.method === 'GET' && typeof req.query.tenant === 'string' && req.query.tenant ? req.query.tenant : undefined);
      if (acting) {
        if (!s.tenants.some((t) => t.id === acting)) return next(new HostError(404, HostErrorCodes.NOT_FOUND, `no tenant "${acting}"`));
        c.tenantId = acting;
      }
    }
    next();
  };
}
