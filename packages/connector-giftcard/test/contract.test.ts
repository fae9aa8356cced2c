import { describeConnectorContract } from '@relaypoint/simulator/contract';
import plugin from '../src/index.js';

describeConnectorContract({
  plugin,
  provider: 'giftcard',
  configFor: (baseUrl) => ({ baseUrl, apiKey: 'sim-giftcard-key', timeoutMs: 5_000 }),
});
