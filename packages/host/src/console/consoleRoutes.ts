import { Router, type Request, type Response } from 'express';
import { consoleAssetRoutes, consoleSecurityHeaders, consoleShell, loadConsoleAssets } from '@relaypoint/console';
import type { AppServices } from '../http/AppServices.js';
import { connectorRoutes } from '../http/routes/connectorRoutes.js';
import { webhookRoutes } from '../http/routes/webhookRoutes.js';
import { consoleApiRoutes } from './consoleApiRoutes.js';
import { ConsoleQueries } from './ConsoleQueries.js';
import { ConsoleSessions } from './ConsoleSessions.js';
import { consoleSessionRoutes, requireConsoleSession } from './consoleSessionRoutes.js';
import { consoleStream } from './consoleStream.js';
import { ProviderCallLog } from './ProviderCallLog.js';

/** The console's settings, from the host config. */
export interface ConsoleOptions {
  /** `server.console`; the console is served unless this is false. Defaults to true. */
  enabled?: boolean;
  /** `reconciliation.maxAgeMs`, for `needsAttention` in the console's issuance list, ms. Defaults to 3600000. */
  maxAgeMs?: number;
  /** Session lifetime, ms. Defaults to 8 hours. */
  sessionTtlMs?: number;
}

/**
 * The web console under `/console`: the page and its assets, sign-in, and
 * `/console/api/*`, which serves the `/v1` webhook and connector routes
 * (authenticated by the session cookie instead of a bearer key, CSRF-checked)
 * plus the console's own reads and live stream. An empty router when
 * `options.enabled` is false.
 */
export function consoleRoutes(s: AppServices, options: ConsoleOptions = {}): Router {
  const r = Router();
  if (options.enabled === false) return r;
  const assets = loadConsoleAssets();
  const sessions = new ConsoleSessions(options.sessionTtlMs !== undefined ? { ttlMs: options.sessionTtlMs } : {});
  const calls = new ProviderCallLog();
  calls.observe(s.connectors);
  const queries = new ConsoleQueries(s.db, options.maxAgeMs ?? 3_600_000);
  const page = consoleShell({ app: 'host', title: 'Relaypoint console', base: '/console', assets });

  r.use('/console', consoleSecurityHeaders);
  r.use('/console', consoleAssetRoutes(assets));
  r.use('/console/api', consoleSessionRoutes(s, sessions));
  r.use('/console/api', requireConsoleSession(s, sessions));
  r.get('/console/api/stream', consoleStream(s));
  r.use('/console/api', consoleApiRoutes(s, queries, calls));
  r.use('/console/api', connectorRoutes(s));
  r.use('/console/api', webhookRoutes(s));
  // Every other page path gets the one HTML page; the script routes by path.
  r.get(['/console', '/console/{*page}'], (req: Request, res: Response, next) => {
    if (req.path.startsWith('/console/api/') || req.path.startsWith('/console/assets/')) return next();
    res.setHeader('cache-control', 'no-store');
    res.type('html').send(page);
  });
  return r;
}
