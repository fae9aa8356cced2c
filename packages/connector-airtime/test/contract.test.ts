import { describeConnectorContract } from '@relaypoint/simulator/contract';
import plugin from '../src/index.js';

describeConnectorContract({
  plugin,
  provider: 'airtime',
  configFor: (baseUrl) => ({ baseUrl, apiKey: 'sim-airtime-key', secret: 'sim-airtime-secret', timeoutMs: 5_000 }),
});
