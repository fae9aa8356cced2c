import type { DependencyContainer as TsyringeContainer } from 'tsyringe';

/**
 * A DI container as `createRootContainer`, `createConnectorContainer` and a
 * plugin's `ctx.container` give it (tsyringe's), named here so a caller
 * needs no dependency on tsyringe to type it.
 */
export type DependencyContainer = TsyringeContainer;
