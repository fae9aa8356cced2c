import { describeConnectorContract } from '@relaypoint/simulator/contract';
import plugin, { type ReloadlyConnectorConfig } from '../src/index.js';
import { reloadlyModel, reloadlyModelConfig } from '../src/model/index.js';

describeConnectorContract<ReloadlyConnectorConfig>({
  plugin,
  model: reloadlyModel,
  configFor: (providerBaseUrl) => ({ ...(reloadlyModelConfig(providerBaseUrl) as unknown as ReloadlyConnectorConfig), timeoutMs: 5_000 }),
});
