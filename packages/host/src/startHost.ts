import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { clientErrorResponse } from './http/problem.js';
import type { DestinationStream, Logger as PinoLogger, LevelWithSilent } from 'pino';
import { createRootContainer, type Logger } from '@relaypoint/core';
import { lockForProcess, openDatabase, type Database } from '@relaypoint/store';
import { createWebhookService, validateEvent, type WebhookService } from '@relaypoint/webhooks';
import type { HostConfig } from './config.types.js';
import { configSecrets } from './config/configSecrets.js';
import { configWarnings } from './config/configWarnings.js';
import { resolveHostConfig, type ResolvedHostConfig } from './config/resolveHostConfig.js';
import type { ConnectorHandle } from './connectors/ConnectorHandle.js';
import { createConnectors, disposeConnectors } from './connectors/createConnectors.js';
import { ApiKeys } from './http/ApiKeys.js';
import { createApp } from './http/createApp.js';
import { createAppServer } from './http/createAppServer.js';
import { IssuanceService } from './issuance/IssuanceService.js';
import { issuanceMigrations } from './issuance/issuanceMigrations.js';
import { createLogger } from './observability/createLogger.js';
import { createMetrics, type HostMetrics } from './observability/createMetrics.js';

/** Options of {@link startHost}. */
export interface StartHostOptions {
  /** Folder plugin names and relative paths resolve from. Defaults to the config file's folder (CLI) or `process.cwd()`. */
  configDir?: string;
  /** Overrides `server.port` (0 picks a free port). */
  port?: number;
  /** A logger to use as is (secrets are then the caller's concern). Defaults to a pino JSON logger built from `logging.level`. */
  logger?: PinoLogger;
  /** Where the default logger writes. Defaults to stdout. */
  logDestination?: DestinationStream;
  /** Environment for `${VAR}` interpolation. Defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Webhook SSRF resolver override, for tests. */
  webhookResolver?: (host: string) => Promise<Array<{ address: string; family: number }>>;
}

/** A running host. */
export interface RunningHost {
  /** `http://HOST:PORT`. */
  readonly url: string;
  /** The resolved config (secrets included: never print it; see `redactHostConfig`). */
  readonly config: ResolvedHostConfig;
  /** The store. */
  readonly db: Database;
  /** The webhook service. */
  readonly webhooks: WebhookService;
  /** Connector instances by name. */
  readonly connectors: ReadonlyMap<string, ConnectorHandle>;
  /** The issuance journal and reconciler. */
  readonly issuances: IssuanceService;
  /** Prometheus metrics (own registry). */
  readonly metrics: HostMetrics;
  /** The process logger. */
  readonly logger: PinoLogger;
  /**
   * Graceful shutdown: stop accepting, finish in-flight provider calls
   * (up to `serverConfig.shutdownGraceMs`, then abort them: they stay open and are
   * reconciled), stop the dispatcher (leases released), close the store.
   * Idempotent.
   */
  close(): Promise<void>;
}

/**
 * Starts a host from a config object (not yet validated: it is checked
 * completely first, and a `ConfigError` lists every problem). Runs
 * migrations, reconciles issuances a dead process left in flight, then
 * listens. Resolves once the server accepts connections.
 */
export async function startHost(rawConfig: HostConfig | Record<string, unknown>, options: StartHostOptions = {}): Promise<RunningHost> {
  const resolved = await resolveHostConfig(rawConfig, {
    dir: options.configDir ?? process.cwd(),
    ...(options.env ? { env: options.env } : {}),
  });
  return startResolvedHost(resolved, options);
}

/** Like {@link startHost}, for a config already resolved (the CLI resolves first to report config errors with exit code 2). */
export async function startResolvedHost(resolved: ResolvedHostConfig, options: StartHostOptions = {}): Promise<RunningHost> {
  const { config } = resolved;
  // Validation fills in every default the schema declares (ajv useDefaults): they are written there only.
  const serverConfig = config.server as Required<NonNullable<HostConfig['server']>>;
  const logger =
    options.logger ??
    createLogger({
      level: config.logging.level as LevelWithSilent,
      secrets: configSecrets(resolved),
      ...(options.logDestination ? { destination: options.logDestination } : {}),
    });
  const coreLogger = logger as unknown as Logger;
  const hostId = `host_${randomBytes(6).toString('hex')}`;
  const cleanups: Array<() => Promise<void>> = [];
  const cleanup = async () => {
    for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
  };

  try {
    // The store, the webhook service and the metrics refer to each other; the late-bound side goes through this holder.
    const late: { metrics?: HostMetrics; issuances?: IssuanceService } = {};
    const storage = config.storage;
    if (storage.driver === 'sqlite' && storage.path !== ':memory:') {
      // One process per SQLite store: its crash recovery takes over every row left in flight, which is right only
      // when no other process is calling the provider for them. The OS releases the lock with the process.
      const lock = lockForProcess(storage.path);
      if (!lock) {
        throw new Error(
          `storage.path: ${storage.path} is in use by another Relaypoint host process (an embedded SQLite store serves one process; stop the other one, or use PostgreSQL to run several hosts)`,
        );
      }
      cleanups.push(async () => lock.release());
    }
    const db = await openDatabase(
      storage.driver === 'sqlite'
        ? {
            driver: 'sqlite',
            path: storage.path,
            ...(storage.synchronous ? { synchronous: storage.synchronous } : {}),
            ...(storage.thread ? { thread: storage.thread } : {}),
            onSync: (s) => late.metrics?.storeSync(s.seconds),
            onCheckpoint: (c) => late.metrics?.storeCheckpoint(c.seconds),
          }
        : {
            driver: 'postgres',
            url: storage.url,
            ...(storage.poolSize ? { poolSize: storage.poolSize } : {}),
            applicationName: `relaypoint-${hostId}`,
          },
    );
    cleanups.push(() => db.close());
    await db.migrate('host', issuanceMigrations);

    const wh = config.webhooks;
    const webhooks = await createWebhookService({
      db,
      // The service binds `component: webhooks` itself.
      logger: coreLogger,
      workerId: hostId,
      ...(wh.retrySchedule ? { retrySchedule: wh.retrySchedule } : {}),
      ...(wh.concurrency ? { concurrency: wh.concurrency } : {}),
      ...(wh.perSubscriptionConcurrency ? { perSubscriptionConcurrency: wh.perSubscriptionConcurrency } : {}),
      ...(wh.requestTimeoutMs ? { requestTimeoutMs: wh.requestTimeoutMs } : {}),
      ssrf: { ...(wh.ssrf ?? {}), ...(options.webhookResolver ? { resolver: options.webhookResolver } : {}) },
      metrics: {
        onDelivered: () => late.metrics?.webhookOutcome('delivered'),
        onFailed: () => late.metrics?.webhookOutcome('failed'),
        onRetried: () => late.metrics?.webhookOutcome('retry'),
      },
    });

    const root = createRootContainer({ logger: coreLogger });
    const connectors = await createConnectors(root, resolved.connectors, coreLogger);
    cleanups.push(async () => {
      await disposeConnectors(connectors);
      await root.dispose();
    });

    // Validation fills in every default the schema declares (ajv useDefaults): they are written there only.
    const reconciliation = config.reconciliation as Required<NonNullable<HostConfig['reconciliation']>>;
    // The same warnings `relaypoint config validate` prints.
    for (const w of configWarnings(resolved)) logger.warn({ ...w.fields, path: w.path }, `${w.path}: ${w.message}`);
    const metrics = createMetrics({
      breakers: () => [...connectors.values()].map((h) => [h.name, h.resilient.breaker.state] as [string, string]),
      webhookQueueDepth: async () => (await webhooks.stats()).pending,
      needsAttention: async () => (late.issuances ? late.issuances.countNeedingAttention() : 0),
      storeDriver: storage.driver,
    });
    late.metrics = metrics;
    const issuances = new IssuanceService({
      db,
      connectors,
      outbox: webhooks,
      validateEvent,
      logger: coreLogger.child({ component: 'issuances' }),
      metrics: metrics.issuance,
      hostId,
      waitMs: serverConfig.issuanceWaitMs,
      leaseMs: reconciliation.leaseMs,
      settleMs: reconciliation.settleMs,
      intervalMs: reconciliation.intervalMs,
      maxIntervalMs: reconciliation.maxIntervalMs,
      maxAgeMs: reconciliation.maxAgeMs,
      slowAfterMs: reconciliation.slowAfterMs,
      batchSize: reconciliation.batchSize,
      exclusiveStore: storage.driver === 'sqlite',
    });
    late.issuances = issuances;

    // Crash recovery comes first: issuances a dead process left in flight are settled before new work is served.
    await issuances.recoverOrphans();
    issuances.start();
    cleanups.push(() => issuances.stop(0));
    webhooks.start();
    cleanups.push(() => webhooks.stop({ graceMs: 0 }));

    let shuttingDown = false;
    const app = createApp({
      db,
      issuances,
      webhooks,
      connectors,
      metrics,
      apiKeys: new ApiKeys(config.tenants, config.admin?.apiKey),
      tenants: config.tenants,
      logger,
      expectedMigrations: [{ namespace: 'host', ids: issuanceMigrations.map((m) => m.id) }],
      bodyLimit: serverConfig.bodyLimit,
      isShuttingDown: () => shuttingDown,
      console: { enabled: config.server.console !== false, maxAgeMs: reconciliation.maxAgeMs },
    });
    const server: Server = createAppServer(app);
    server.keepAliveTimeout = 65_000;
    // Requests Node's parser refuses before express sees them (oversized headers, a broken request line)
    // still get a problem document, like every other error of this API.
    server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => answerClientError(err, socket));
    const port = options.port ?? serverConfig.port;
    const host = serverConfig.host;
    await new Promise<void>((resolve, reject) => {
      const onError = (e: NodeJS.ErrnoException) => reject(e.code === 'EADDRINUSE' ? portInUse(host, port, e) : e);
      server.once('error', onError);
      server.listen(port, host, () => {
        server.off('error', onError);
        resolve();
      });
    });
    const address = server.address() as AddressInfo;
    const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
    logger.info({ url, hostId, connectors: [...connectors.keys()], storage: storage.driver }, 'listening');
    // Whoever waits for this line (a supervisor, a test, the demo) gets it now, not with the next chunk.
    logger.flush();

    let closing: Promise<void> | undefined;
    const running: RunningHost = {
      url,
      config: resolved,
      db,
      webhooks,
      connectors,
      issuances,
      metrics,
      logger,
      close() {
        closing ??= (async () => {
          shuttingDown = true;
          logger.info({ hostId }, 'shutting down');
          const serverClosed = new Promise<void>((r) => server.close(() => r()));
          server.closeIdleConnections();
          await issuances.stop(serverConfig.shutdownGraceMs);
          await webhooks.stop({ graceMs: Math.min(serverConfig.shutdownGraceMs, 5000) });
          // Requests still open now only wait on the journal; give them a moment, then cut them.
          const cut = setTimeout(() => server.closeAllConnections(), 1000);
          await serverClosed;
          clearTimeout(cut);
          await cleanup();
          logger.info({ hostId }, 'stopped');
          await new Promise<void>((r) => logger.flush(() => r()));
        })();
        return closing;
      },
    };
    return running;
  } catch (e) {
    await cleanup();
    throw e;
  }
}

/** The one line an operator needs when the port is taken: which port, and the ways to pick another. */
function portInUse(host: string, port: number, cause: Error): Error {
  return new Error(
    `${host}:${port} is already in use by another process; pick another port with --port N (relaypoint start or demo), PORT=N (npm start), or server.port in the config`,
    { cause },
  );
}

function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(clientErrorResponse(err.code));
}
