import type { InjectionToken } from 'tsyringe';
import type { createHttpClient } from '../http/createHttpClient.js';
import type { HttpClient } from '../http/HttpClient.js';
import type { Clock, ConnectorContext, ConnectorPlugin, Logger } from '../plugins/ConnectorPlugin.js';

/** DI tokens of `@relaypoint/core`, namespaced `core.*`. */
export const CoreTokens = {
  /** The structured logger ({@link Logger}). */
  Logger: 'core.logger' as InjectionToken<Logger>,
  /** The clock ({@link Clock}). */
  Clock: 'core.clock' as InjectionToken<Clock>,
  /** A connector instance's validated config. */
  ConnectorConfig: 'core.connector.config' as InjectionToken<unknown>,
  /** A connector instance's name. */
  ConnectorName: 'core.connector.name' as InjectionToken<string>,
  /** The plugin a connector instance was created from. */
  ConnectorPlugin: 'core.connector.plugin' as InjectionToken<ConnectorPlugin>,
  /** The connector instance context. */
  ConnectorContext: 'core.connector.context' as InjectionToken<ConnectorContext>,
  /** The {@link HttpClient} for this connector instance's provider calls (registered by the plugin, if it wants). */
  HttpClient: 'core.http.client' as InjectionToken<HttpClient>,
  /** {@link createHttpClient}, so a plugin builds its axios instance from its config (and tests can swap it). */
  HttpClientFactory: 'core.http.clientFactory' as InjectionToken<typeof createHttpClient>,
} as const;
