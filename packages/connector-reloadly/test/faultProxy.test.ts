import { expect } from 'chai';
import { createConnectorContainer, createResilientConnector, createRootContainer, noopLogger } from '@relaypoint/core';
import { startFaultProxy, startSimulator, type FaultProxy, type Simulator } from '@relaypoint/simulator';
import plugin, { type ReloadlyConnectorConfig } from '../src/index.js';
import { reloadlyModel, reloadlyModelConfig } from '../src/model/index.js';

/**
 * The path docs/providers/reloadly.md gives for Reloadly's real sandbox, with
 * the model standing in for the sandbox: the fault proxy in front, named by
 * the model, the judge the upstream's own record.
 */
describe('ReloadlyConnector through the fault proxy (the model as the sandbox)', () => {
  let upstream: Simulator;
  let proxy: FaultProxy;

  before(async () => {
    upstream = await startSimulator({ seed: 31, models: [reloadlyModel] });
    proxy = await startFaultProxy({ target: `${upstream.url}/reloadly`, model: reloadlyModel, seed: 31 });
  });
  after(async () => {
    await proxy.close();
    await upstream.close();
  });

  it('a 503 after the sandbox committed is resolved to the one top-up, which the sandbox lists once', async () => {
    proxy.setScenario({
      rules: [{ route: 'reloadly.topups' as never, attempts: [1], fault: { type: 'status-after-commit', status: 503 } }],
    });
    const config = { ...(reloadlyModelConfig(`${upstream.url}/reloadly`) as unknown as ReloadlyConnectorConfig), baseUrl: proxy.url };
    const instance = await createConnectorContainer(createRootContainer(), plugin, { name: 'reloadly-proxy', config, logger: noopLogger });
    const connector = createResilientConnector(instance.connector, plugin, {
      name: 'reloadly-proxy',
      retry: { initialDelayMs: 10, maxDelayMs: 20 },
    });
    try {
      const result = await connector.issue({
        productId: '341',
        customerId: 'c-1',
        phoneNumber: '+2348031234567',
        amount: '500.00',
        currency: 'NGN',
        reference: 'P-1',
      });
      expect(result.status).to.equal('succeeded');
      expect(proxy.journal.entries({ route: 'reloadly.topups' as never }).map((e) => e.fault)).to.include('status-after-commit');
      expect(upstream.ledger.countByReference('reloadly', 'P-1')).to.equal(1);
    } finally {
      await connector.dispose();
      await instance.dispose();
    }
  });
});
