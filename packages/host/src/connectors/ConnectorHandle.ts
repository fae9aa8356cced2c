import type { ConnectorInstance, ConnectorPlugin, ResilientConnector } from '@relaypoint/core';

/** One running connector instance: the plugin, its package, the resilient wrapper the host calls. */
export interface ConnectorHandle {
  /** Instance name from the config. */
  readonly name: string;
  /** The plugin it was created from. */
  readonly plugin: ConnectorPlugin;
  /** The plugin's npm package name. */
  readonly packageName: string;
  /** The plugin package's version. */
  readonly version: string;
  /** Timeout, retry, breaker and bulkhead around the plugin's connector. */
  readonly resilient: ResilientConnector;
  /** The DI instance (disposed on shutdown). */
  readonly instance: ConnectorInstance;
}
