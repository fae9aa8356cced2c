import type { DependencyContainer } from 'tsyringe';
import type { Connector } from '../contract/Connector.js';
import { createHttpClient } from '../http/createHttpClient.js';
import type { Clock, ConnectorContext, ConnectorPlugin, Logger } from '../plugins/ConnectorPlugin.js';
import { guardRegistrations } from './guardRegistrations.js';
import { noopLogger } from './noopLogger.js';
import { systemClock } from './systemClock.js';
import { CoreTokens } from './tokens.js';

/** One connector instance from the host config. */
export interface ConnectorInstanceConfig<TConfig = unknown> {
  /** Instance name (e.g. `airtime-eu`); bound into every log line as `connector`. */
  name: string;
  /** The instance config, already validated against the plugin's schema. */
  config: TConfig;
  /** Logger. Defaults to the root container's `core.logger`, else {@link noopLogger}. */
  logger?: Logger;
  /** Clock. Defaults to the root container's `core.clock`, else {@link systemClock}. */
  clock?: Clock;
}

/** A created connector instance and the child container it lives in. */
export interface ConnectorInstance<TConfig = unknown> {
  /** Instance name. */
  readonly name: string;
  /** The plugin it was created from. */
  readonly plugin: ConnectorPlugin<TConfig>;
  /** Its own child container. */
  readonly container: DependencyContainer;
  /** The connector `plugin.create` returned. */
  readonly connector: Connector;
  /** Closes the connector (`close()`), then disposes the container. Idempotent. */
  dispose(): Promise<void>;
}

function fromRoot<T>(root: DependencyContainer, token: string, fallback: T): T {
  return root.isRegistered(token, true) ? root.resolve<T>(token) : fallback;
}

/**
 * Creates one connector instance in its own child container of `root`, with
 * `core.connector.config`, `core.connector.name`, `core.connector.plugin`,
 * `core.logger` (a child bound to `{ connector: name }`), `core.clock`,
 * `core.http.clientFactory` and `core.connector.context` registered, then
 * calls `plugin.create(config, ctx)`. A token registered twice in that
 * container is refused. If `create` throws, the container is disposed.
 */
export async function createConnectorContainer<TConfig>(
  root: DependencyContainer,
  plugin: ConnectorPlugin<TConfig>,
  instance: ConnectorInstanceConfig<TConfig>,
): Promise<ConnectorInstance<TConfig>> {
  const container = guardRegistrations(root.createChildContainer(), `connector "${instance.name}"`);
  const logger = (instance.logger ?? fromRoot<Logger>(root, CoreTokens.Logger as string, noopLogger)).child({ connector: instance.name });
  const clock = instance.clock ?? fromRoot<Clock>(root, CoreTokens.Clock as string, systemClock);
  const ctx: ConnectorContext = { name: instance.name, logger, clock, container };
  container.register(CoreTokens.ConnectorConfig, { useValue: instance.config });
  container.register(CoreTokens.ConnectorName, { useValue: instance.name });
  container.register(CoreTokens.ConnectorPlugin, { useValue: plugin });
  container.register(CoreTokens.Logger, { useValue: logger });
  container.register(CoreTokens.Clock, { useValue: clock });
  container.register(CoreTokens.HttpClientFactory, { useValue: createHttpClient });
  container.register(CoreTokens.ConnectorContext, { useValue: ctx });

  let connector: Connector;
  try {
    connector = await plugin.create(instance.config, ctx);
  } catch (e) {
    await container.dispose();
    throw e;
  }
  let disposing: Promise<void> | undefined;
  return {
    name: instance.name,
    plugin,
    container,
    connector,
    dispose() {
      disposing ??= (async () => {
        try {
          await connector.close?.();
        } finally {
          await container.dispose();
        }
      })();
      return disposing;
    },
  };
}
