import { expect } from 'chai';
import { createConnectorContainer, createResilientConnector, createRootContainer, noopLogger } from '@relaypoint/core';
import { startFaultProxy, startSimulator, type FaultProxy, type Simulator } from '@relaypoint/simulator';
import plugin, { type TremendousConnectorConfig } from '../src/index.js';
import { tremendousModel, tremendousModelConfig } from '../src/model/index.js';

/**
 * The path docs/providers/tremendous.md gives for Tremendous's real sandbox, with
 * the model standing in for the sandbox: the fault proxy in front, named by
 * the model, the judge the upstream's own record.
 */
describe('TremendousConnector through the fault proxy (the model as the sandbox)', () => {
  let upstream: Simulator;
  let proxy: FaultProxy;

  before(async () => {
    upstream = await startSimulator({ seed: 31, models: [tremendousModel] });
    proxy = await startFaultProxy({ target: `${upstream.url}/tremendous`, model: tremendousModel, seed: 31 });
  });
  after(async () => {
    await proxy.close();
    await upstream.close();
  });

  it('a 503 after the sandbox committed: the re-send with the same external_id returns the one order', async () => {
    proxy.setScenario({
      rules: [{ route: 'tremendous.orders.create' as never, attempts: [1], fault: { type: 'status-after-commit', status: 503 } }],
    });
    const config = {
      ...(tremendousModelConfig(`${upstream.url}/tremendous`) as unknown as TremendousConnectorConfig),
      baseUrl: `${proxy.url}/api/v2`,
    };
    const instance = await createConnectorContainer(createRootContainer(), plugin, {
      name: 'tremendous-proxy',
      config,
      logger: noopLogger,
    });
    const connector = createResilientConnector(instance.connector, plugin, {
      name: 'tremendous-proxy',
      retry: { initialDelayMs: 10, maxDelayMs: 20 },
    });
    try {
      const result = await connector.issue({
        productId: 'OKMHM2X2OHYV',
        customerId: 'c-1',
        amount: '25.00',
        currency: 'USD',
        reference: 'P-1',
      });
      expect(result.status).to.equal('succeeded');
      expect(proxy.journal.entries({ route: 'tremendous.orders.create' as never }).map((e) => e.fault)).to.include('status-after-commit');
      expect(upstream.ledger.countByReference('tremendous', 'P-1')).to.equal(1);
    } finally {
      await connector.dispose();
      await instance.dispose();
    }
  });
});
