import type { Request, Response } from 'express';
import { HostError, HostErrorCodes } from '../HostError.js';
import type { AppServices } from '../http/AppServices.js';
import { ctx } from '../http/requestContext.js';

/** Options of {@link consoleStream}. */
export interface ConsoleStreamOptions {
  /** How often the store is asked for changes, ms. Defaults to 1000. */
  pollMs?: number;
  /** Streams open at once in this process. Defaults to 100. */
  maxStreams?: number;
  /** A comment line every so often keeps proxies from closing an idle stream, ms. Defaults to 15000. */
  heartbeatMs?: number;
}

/** Status changes of issuances created this long ago or less are streamed, ms (older ones are settled by reconciliation, seen on reload). */
const RECENT_MS = 15 * 60_000;

/**
 * `GET /stream`: server-sent events for the console. `issuance` events for
 * new issuances and status changes of recent ones; `delivery` events for each
 * webhook attempt recorded (a delivery turning delivered, failed or retried).
 * Read from the store (`issuances` by the (tenant, created_at) index,
 * `webhook_attempts` by its id), so changes made by any host instance show.
 */
export function consoleStream(s: AppServices, options: ConsoleStreamOptions = {}) {
  const pollMs = options.pollMs ?? 1000;
  const maxStreams = options.maxStreams ?? 100;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  let open = 0;

  return async (req: Request, res: Response): Promise<void> => {
    if (open >= maxStreams) throw new HostError(503, HostErrorCodes.SHUTTING_DOWN, 'too many console streams are open; try again later');
    const c = ctx(req);
    // An admin without a tenant filter watches every configured tenant (one index range each).
    const tenants = c.tenantId ? [c.tenantId] : s.tenants.map((t) => t.id);
    const inList = tenants.map((_, i) => `$${i + 1}`).join(', ');
    let since = Date.now();
    let lastAttempt = Number((await s.db.query<{ n: number | string | null }>('SELECT MAX(id) AS n FROM webhook_attempts'))[0]?.n ?? 0);

    open++;
    res.status(200);
    res.setHeader('content-type', 'text/event-stream; charset=utf-8');
    res.setHeader('cache-control', 'no-store');
    res.setHeader('x-accel-buffering', 'no');
    res.flushHeaders();
    res.write('retry: 2000\n\n');
    const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    send('ready', { tenants });

    let busy = false;
    const poll = async () => {
      if (busy) return;
      if (s.isShuttingDown()) return stop();
      busy = true;
      try {
        const now = Date.now();
        const issuances = tenants.length
          ? await s.db.query<{ reference: string; tenant_id: string; status: string; updated_at: number | string }>(
              `SELECT reference, tenant_id, status, updated_at FROM issuances
                WHERE tenant_id IN (${inList}) AND created_at > $${tenants.length + 1} AND updated_at > $${tenants.length + 2}
                ORDER BY updated_at LIMIT 500`,
              [...tenants, now - RECENT_MS, since],
            )
          : [];
        for (const row of issuances) {
          send('issuance', { reference: row.reference, tenantId: row.tenant_id, status: row.status });
          since = Math.max(since, Number(row.updated_at));
        }
        const attempts = await s.db.query<{
          attempt: number | string;
          id: string;
          subscription_id: string;
          tenant_id: string;
          status: string;
        }>(
          `SELECT a.id AS attempt, d.id, d.subscription_id, d.tenant_id, d.status FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id
            WHERE a.id > $1 ORDER BY a.id LIMIT 500`,
          [lastAttempt],
        );
        for (const row of attempts) {
          lastAttempt = Math.max(lastAttempt, Number(row.attempt));
          if (tenants.includes(row.tenant_id))
            send('delivery', { id: row.id, subscriptionId: row.subscription_id, tenantId: row.tenant_id, status: row.status });
        }
      } catch (e) {
        c.log.warn({ err: { message: (e as Error).message } }, 'console stream poll failed');
      } finally {
        busy = false;
      }
    };
    const timer = setInterval(() => void poll(), pollMs);
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), heartbeatMs);
    let stopped = false;
    function stop(): void {
      if (stopped) return;
      stopped = true;
      open--;
      clearInterval(timer);
      clearInterval(heartbeat);
      res.end();
    }
    req.once('close', stop);
  };
}
