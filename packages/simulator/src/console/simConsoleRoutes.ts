import { Router, type Request, type Response } from 'express';
import { consoleAssetRoutes, consoleSecurityHeaders, consoleShell, loadConsoleAssets } from '@relaypoint/console';

/**
 * The simulator console at `/__sim/console`: one page and its assets; the
 * page reads and drives the control API (`/__sim/*`) from the browser, so it
 * shows exactly what a test sees.
 */
export function simConsoleRoutes(): Router {
  const r = Router();
  let page: string | undefined;
  let assets: Router | undefined;
  r.use('/__sim/console', consoleSecurityHeaders);
  r.use('/__sim/console', (req, res, next) => (assets ??= consoleAssetRoutes(loadConsoleAssets()))(req, res, next));
  r.get(['/__sim/console', '/__sim/console/'], (_req: Request, res: Response) => {
    // Read on first use: a simulator that never opens its console never reads the assets.
    page ??= consoleShell({ app: 'sim', title: 'Simulator console', base: '/__sim/console', assets: loadConsoleAssets() });
    res.setHeader('cache-control', 'no-store');
    res.type('html').send(page);
  });
  return r;
}
