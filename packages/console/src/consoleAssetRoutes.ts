import { Router, type Request, type Response } from 'express';
import type { ConsoleAssets } from './ConsoleAssets.js';

/** One year, in seconds: the most `max-age` caches honour. */
const YEAR_SECONDS = 31_536_000;

/**
 * `GET /assets/<hash>/<file>`: the console's files, cacheable for a year
 * (`immutable`), since a changed file changes the hash in every URL. A
 * stale hash or an unknown file is a 404 with no caching.
 */
export function consoleAssetRoutes(assets: ConsoleAssets): Router {
  const r = Router();
  r.get('/assets/:hash/*file', (req: Request, res: Response) => {
    const file = assets.files.get((req.params.file as unknown as string[]).join('/'));
    if (req.params.hash !== assets.hash || !file) {
      res.status(404).setHeader('cache-control', 'no-store');
      res.type('text/plain').send('no such console asset');
      return;
    }
    res.setHeader('cache-control', `public, max-age=${YEAR_SECONDS}, immutable`);
    res.setHeader('content-type', file.contentType);
    res.send(file.body);
  });
  return r;
}
