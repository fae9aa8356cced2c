import { createConnectorContainer, createResilientConnector, type DependencyContainer, type Logger } from '@relaypoint/core';
import type { ResolvedConnector } from '../config/resolveHostConfig.js';
import type { ConnectorHandle } from './ConnectorHandle.js';

/**
 * Creates every configured connector instance, each in its own child
 * container of `root`, wrapped in its resilience pipeline. If one fails to
 * start, the ones already created are disposed and the error is rethrown.
 */
export async function createConnectors(
  root: DependencyContainer,
  connectors: readonly ResolvedConnector[],
  logger: Logger,
): Promise<Map<string, ConnectorHandle>> {
  const out = new Map<string, ConnectorHandle>();
  try {
    for (const c of connectors) {
      const plugin = c.discovered.plugin;
      const instance = await createConnectorContainer(root, plugin, { name: c.name, config: c.config, logger });
      // The pipeline binds `connector` itself: a child here would print the key twice on every line.
      const resilient = createResilientConnector(instance.connector, plugin, { ...c.resilience, name: c.name, logger });
      out.set(c.name, { name: c.name, plugin, packageName: c.discovered.packageName, version: c.discovered.version, resilient, instance });
    }
  } catch (e) {
    await disposeConnectors(out);
    throw e;
  }
  return out;
}

/** Disposes every connector (resilience timers, then the plugin's sockets and container). */
export async function disposeConnectors(connectors: Map<string, ConnectorHandle>): Promise<void> {
  for (const h of connectors.values()) {
    h.resilient.dispose();
    await h.instance.dispose().catch(() => undefined);
  }
}
