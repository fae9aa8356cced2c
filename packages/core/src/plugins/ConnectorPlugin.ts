import type { Connector, ConnectorCapabilities } from '../contract/Connector.js';
import type { DependencyContainer } from 'tsyringe';

/** A JSON schema object (draft 2020-12 or 07), as ajv accepts it. */
export type JsonSchema = Record<string, unknown>;

/** Minimal structured logger every plugin receives (pino-compatible). Never log secrets. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

/** A clock, injectable so tests can use fake time. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** What a plugin's `create` receives besides its config. */
export interface ConnectorContext {
  /** The instance name from the host config (e.g. `airtime`, `airtime-eu`). */
  name: string;
  /** A logger bound to this instance. */
  logger: Logger;
  /** The clock. */
  clock: Clock;
  /** This instance's child DI container (disposed on shutdown). */
  container: DependencyContainer;
}

/** The definition a plugin package exports (made with `defineConnectorPlugin`). */
export interface ConnectorPluginDefinition<TConfig = unknown> {
  /** Stable plugin id, e.g. `airtime`. Matches the `relaypoint.id` field of the package. */
  id: string;
  /** Semver range of `@relaypoint/core` this plugin works with, e.g. `^0.1.0`. */
  core: string;
  /** JSON schema of the instance config (`additionalProperties: false`; secrets marked `"x-secret": true` or `writeOnly: true`). */
  configSchema: JsonSchema;
  /** What the provider can do. */
  capabilities: ConnectorCapabilities;
  /** Human-readable name. Defaults to `id`. */
  displayName?: string;
  /** Whether `issueVoucher` requires `phoneNumber`. Defaults to `false`. */
  requiresPhone?: boolean;
  /** Creates one connector instance from its validated config. */
  create(config: TConfig, ctx: ConnectorContext): Connector | Promise<Connector>;
}

/** A plugin definition, checked and frozen by `defineConnectorPlugin`. */
export interface ConnectorPlugin<TConfig = unknown> extends Readonly<ConnectorPluginDefinition<TConfig>> {
  /** Brand that lets the host recognise a plugin export. */
  readonly kind: 'relaypoint.connector';
}

/** The `relaypoint` field of a plugin's `package.json`. */
export interface RelaypointPackageField {
  /** Always `connector` for now. */
  kind: 'connector';
  /** The plugin id. */
  id: string;
}
