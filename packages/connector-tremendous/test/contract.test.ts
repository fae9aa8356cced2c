import { describeConnectorContract } from '@relaypoint/simulator/contract';
import plugin, { type TremendousConnectorConfig } from '../src/index.js';
import { tremendousModel, tremendousModelConfig } from '../src/model/index.js';

describeConnectorContract<TremendousConnectorConfig>({
  plugin,
  model: tremendousModel,
  configFor: (providerBaseUrl) => ({
    ...(tremendousModelConfig(providerBaseUrl) as unknown as TremendousConnectorConfig),
    timeoutMs: 5_000,
  }),
});
