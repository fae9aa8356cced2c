import { container as globalContainer, type DependencyContainer } from 'tsyringe';
import type { Clock, Logger } from '../plugins/ConnectorPlugin.js';
import { guardRegistrations } from './guardRegistrations.js';
import { noopLogger } from './noopLogger.js';
import { systemClock } from './systemClock.js';
import { CoreTokens } from './tokens.js';

/** Options of {@link createRootContainer}. */
export interface RootContainerOptions {
  /** The process logger. Defaults to {@link noopLogger}. */
  logger?: Logger;
  /** The clock. Defaults to {@link systemClock}. */
  clock?: Clock;
}

/**
 * A fresh root container for a host or a test: a child of tsyringe's global
 * container (nothing is registered on the global one) holding the logger and
 * the clock. Registering a token twice in it is refused.
 */
export function createRootContainer(options: RootContainerOptions = {}): DependencyContainer {
  const root = guardRegistrations(globalContainer.createChildContainer(), 'root');
  root.register(CoreTokens.Logger, { useValue: options.logger ?? noopLogger });
  root.register(CoreTokens.Clock, { useValue: options.clock ?? systemClock });
  return root;
}
