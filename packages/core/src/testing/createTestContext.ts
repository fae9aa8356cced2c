import { createRootContainer } from '../di/createRootContainer.js';
import { guardRegistrations } from '../di/guardRegistrations.js';
import { CoreTokens } from '../di/tokens.js';
import { createHttpClient } from '../http/createHttpClient.js';
import type { ConnectorContext } from '../plugins/ConnectorPlugin.js';
import { manualClock, type ManualClock } from './manualClock.js';
import { recordingLogger, type RecordingLogger } from './recordingLogger.js';

/** Options of {@link createTestContext}. */
export interface TestContextOptions {
  /** The instance name. Defaults to `test`. */
  name?: string;
  /** Where the clock starts, ms since the epoch. Defaults to 2026-01-01T00:00:00Z. */
  startMs?: number;
  /** The instance config, registered as `core.connector.config` for a plugin that resolves it from the container. Not registered when omitted. */
  config?: unknown;
}

/** A {@link ConnectorContext} for a plugin's unit tests, with its recording logger and movable clock. */
export interface TestContext extends ConnectorContext {
  /** Records every line the plugin logs (bound to `{ connector: name }`). */
  readonly logger: RecordingLogger;
  /** The clock the plugin reads; move it with `advance`. */
  readonly clock: ManualClock;
  /** Disposes the child and root containers. Idempotent. */
  dispose(): Promise<void>;
}

/**
 * The context the host would give a plugin's `create(config, ctx)`, built
 * for a test: a root container and this instance's child container, with
 * core's tokens registered as the host registers them (logger, clock,
 * name, HTTP client factory, the context itself), a recording logger and a
 * manual clock. A plugin test needs no DI library of its own.
 *
 * @example
 * const ctx = createTestContext();
 * const connector = await plugin.create(config, ctx);
 * ctx.clock.advance(60_000);
 * expect(ctx.logger.lines.map((l) => l.msg)).to.include('issued');
 */
export function createTestContext(options: TestContextOptions = {}): TestContext {
  const name = options.name ?? 'test';
  const rootLogger = recordingLogger();
  const clock = manualClock(options.startMs);
  const root = createRootContainer({ logger: rootLogger, clock });
  const container = guardRegistrations(root.createChildContainer(), `connector "${name}"`);
  const logger = rootLogger.child({ connector: name });
  let disposing: Promise<void> | undefined;
  const ctx: TestContext = {
    name,
    logger,
    clock,
    container,
    dispose() {
      disposing ??= (async () => {
        await container.dispose();
        await root.dispose();
      })();
      return disposing;
    },
  };
  container.register(CoreTokens.ConnectorName, { useValue: name });
  container.register(CoreTokens.Logger, { useValue: logger });
  container.register(CoreTokens.Clock, { useValue: clock });
  container.register(CoreTokens.HttpClientFactory, { useValue: createHttpClient });
  container.register(CoreTokens.ConnectorContext, { useValue: ctx });
  if (options.config !== undefined) container.register(CoreTokens.ConnectorConfig, { useValue: options.config });
  return ctx;
}
