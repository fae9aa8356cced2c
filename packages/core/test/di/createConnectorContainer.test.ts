import { expect } from 'chai';
import {
  CoreTokens,
  createConnectorContainer,
  createHttpClient,
  createRootContainer,
  defineConnectorPlugin,
  noopLogger,
  systemClock,
} from '../../src/index.js';
import type { Clock, Connector, ConnectorContext, Logger } from '../../src/index.js';

interface LogLine {
  level: string;
  bindings: Record<string, unknown>;
  obj: object;
  msg?: string;
}

function memoryLogger(lines: LogLine[], bindings: Record<string, unknown> = {}): Logger {
  const at = (level: string) => (obj: object, msg?: string) => lines.push({ level, bindings, obj, msg });
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (b) => memoryLogger(lines, { ...bindings, ...b }),
  };
}

function makePlugin(events: string[], onCreate?: (config: { apiKey: string }, ctx: ConnectorContext) => void) {
  return defineConnectorPlugin<{ apiKey: string }>({
    id: 'demo',
    core: '*',
    configSchema: { type: 'object', properties: { apiKey: { type: 'string' } } },
    capabilities: { duplicateReference: 'none', statusByReference: true, amountUnit: 'major' },
    create(config, ctx) {
      onCreate?.(config, ctx);
      events.push(`create:${ctx.name}`);
      const c: Connector = {
        issueVoucher: async (p) => ({ status: 'succeeded', reference: p.reference }),
        checkStatus: async () => ({ status: 'not_found' }),
        close: async () => {
          events.push(`close:${ctx.name}`);
        },
      };
      return c;
    },
  });
}

describe('createRootContainer', () => {
  it('registers the logger and clock it is given, or the defaults', () => {
    const clock: Clock = { now: () => 42 };
    const root = createRootContainer({ logger: noopLogger, clock });
    expect(root.resolve(CoreTokens.Clock).now()).to.equal(42);
    const defaults = createRootContainer();
    expect(defaults.resolve(CoreTokens.Clock)).to.equal(systemClock);
    expect(defaults.resolve(CoreTokens.Logger)).to.equal(noopLogger);
  });

  it('gives independent containers: nothing leaks between two roots', () => {
    const a = createRootContainer({ clock: { now: () => 1 } });
    const b = createRootContainer({ clock: { now: () => 2 } });
    expect(a.resolve(CoreTokens.Clock).now()).to.equal(1);
    expect(b.resolve(CoreTokens.Clock).now()).to.equal(2);
  });
});

describe('createConnectorContainer', () => {
  it('registers config, name, plugin, bound logger, clock, http factory and context in a child container', async () => {
    const lines: LogLine[] = [];
    const events: string[] = [];
    const clock: Clock = { now: () => 7 };
    const root = createRootContainer({ logger: memoryLogger(lines), clock });
    let seen: ConnectorContext | undefined;
    const plugin = makePlugin(events, (config, ctx) => {
      seen = ctx;
      ctx.logger.info({ apiKeySet: config.apiKey.length > 0 }, 'created');
    });
    const inst = await createConnectorContainer(root, plugin, { name: 'demo-eu', config: { apiKey: 'k' } });
    const c = inst.container;
    expect(c.resolve(CoreTokens.ConnectorConfig)).to.deep.equal({ apiKey: 'k' });
    expect(c.resolve(CoreTokens.ConnectorName)).to.equal('demo-eu');
    expect(c.resolve(CoreTokens.ConnectorPlugin)).to.equal(plugin);
    expect(c.resolve(CoreTokens.Clock).now()).to.equal(7);
    expect(c.resolve(CoreTokens.HttpClientFactory)).to.equal(createHttpClient);
    expect(c.resolve(CoreTokens.ConnectorContext)).to.equal(seen);
    expect(seen?.container).to.equal(c);
    expect(lines).to.deep.equal([{ level: 'info', bindings: { connector: 'demo-eu' }, obj: { apiKeySet: true }, msg: 'created' }]);
    expect(root.isRegistered(CoreTokens.ConnectorName, false)).to.equal(false);
    expect(inst.name).to.equal('demo-eu');
    expect(inst.plugin).to.equal(plugin);
    expect(await inst.connector.issueVoucher({ reference: 'r1' } as never)).to.deep.equal({ status: 'succeeded', reference: 'r1' });
  });

  it('keeps two instances of one plugin apart', async () => {
    const root = createRootContainer();
    const events: string[] = [];
    const plugin = makePlugin(events);
    const a = await createConnectorContainer(root, plugin, { name: 'a', config: { apiKey: '1' } });
    const b = await createConnectorContainer(root, plugin, { name: 'b', config: { apiKey: '2' } });
    expect(a.container.resolve(CoreTokens.ConnectorConfig)).to.deep.equal({ apiKey: '1' });
    expect(b.container.resolve(CoreTokens.ConnectorConfig)).to.deep.equal({ apiKey: '2' });
  });

  it('prefers an instance logger and clock over the root ones', async () => {
    const lines: LogLine[] = [];
    const root = createRootContainer({ clock: { now: () => 1 } });
    const inst = await createConnectorContainer(
      root,
      makePlugin([], (_c, ctx) => ctx.logger.warn({}, 'x')),
      {
        name: 'n',
        config: { apiKey: '' },
        logger: memoryLogger(lines, { app: 'host' }),
        clock: { now: () => 2 },
      },
    );
    expect(inst.container.resolve(CoreTokens.Clock).now()).to.equal(2);
    expect(lines[0].bindings).to.deep.equal({ app: 'host', connector: 'n' });
  });

  it('refuses to register the same token twice in the child container', async () => {
    const root = createRootContainer();
    const inst = await createConnectorContainer(root, makePlugin([]), { name: 'n', config: { apiKey: '' } });
    expect(() => inst.container.register(CoreTokens.ConnectorConfig, { useValue: {} })).to.throw('core.connector.config');
    expect(() => inst.container.registerInstance(CoreTokens.Clock, { now: () => 0 })).to.throw('already registered');
    inst.container.register('plugin.thing', { useValue: 1 });
    expect(() => inst.container.register('plugin.thing', { useValue: 2 })).to.throw('plugin.thing');
    expect(inst.container.resolve('plugin.thing')).to.equal(1);
  });

  it('refuses a plugin registering a core token from create', async () => {
    const root = createRootContainer();
    const plugin = makePlugin([], (_c, ctx) => ctx.container.register(CoreTokens.Logger, { useValue: noopLogger }));
    let err: unknown;
    try {
      await createConnectorContainer(root, plugin, { name: 'n', config: { apiKey: '' } });
    } catch (e) {
      err = e;
    }
    expect((err as Error).message).to.include('core.logger');
  });

  it('dispose closes the connector then disposes the container, once', async () => {
    const events: string[] = [];
    const inst = await createConnectorContainer(createRootContainer(), makePlugin(events), { name: 'n', config: { apiKey: '' } });
    await Promise.all([inst.dispose(), inst.dispose()]);
    expect(events).to.deep.equal(['create:n', 'close:n']);
    expect(() => inst.container.resolve(CoreTokens.ConnectorName)).to.throw('disposed');
  });

  it('disposes the container when create throws', async () => {
    const root = createRootContainer();
    let captured: ConnectorContext | undefined;
    const plugin = makePlugin([], (_c, ctx) => {
      captured = ctx;
      throw new Error('bad config');
    });
    let err: unknown;
    try {
      await createConnectorContainer(root, plugin, { name: 'n', config: { apiKey: '' } });
    } catch (e) {
      err = e;
    }
    expect((err as Error).message).to.equal('bad config');
    expect(() => captured?.container.resolve(CoreTokens.ConnectorName)).to.throw('disposed');
  });
});
