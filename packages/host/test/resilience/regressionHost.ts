import { startSimulator, type Simulator } from '@relaypoint/simulator';
import { tempSqlitePath } from '@relaypoint/store/testing';
import { startHost, type HostConfig, type RunningHost } from '../../src/index.js';
import { packageDir } from './hostProcess.js';

/** The tenant key of a regression host (tenant id `regress`). */
export const REGRESSION_KEY = 'regress-tenant-key-0123456789abc';

/** What {@link useRegressionHost} gives a suite once its `before` hook ran. */
export interface RegressionHost {
  readonly sim: Simulator;
  readonly host: RunningHost;
}

/**
 * Registers `before`/`after` hooks that start a simulator and an in-process
 * host on a temporary SQLite store with one connector (`airtime` or
 * `giftcard`) and the tenant `regress`, and stop them afterwards.
 */
export function useRegressionHost(connector: 'airtime' | 'giftcard'): RegressionHost {
  const state: { sim?: Simulator; host?: RunningHost; tmp?: ReturnType<typeof tempSqlitePath> } = {};
  before(async () => {
    const sim = (state.sim = await startSimulator({ seed: 1 }));
    state.tmp = tempSqlitePath('relaypoint-regress-');
    const config =
      connector === 'airtime'
        ? { baseUrl: `${sim.url}/airtime`, apiKey: 'sim-airtime-key', secret: 'sim-airtime-secret' }
        : { baseUrl: `${sim.url}/giftcard`, apiKey: 'sim-giftcard-key' };
    state.host = await startHost(
      {
        server: { host: '127.0.0.1', port: 0 },
        storage: { driver: 'sqlite', path: state.tmp.path },
        tenants: [{ id: 'regress', apiKeys: [REGRESSION_KEY] }],
        connectors: [{ name: connector, plugin: `@relaypoint/connector-${connector}`, config }],
        logging: { level: 'silent' },
      } as HostConfig,
      { configDir: packageDir },
    );
  });
  after(async () => {
    await state.host?.close();
    await state.sim?.close();
    state.tmp?.cleanup();
  });
  return {
    get sim() {
      return state.sim!;
    },
    get host() {
      return state.host!;
    },
  };
}
