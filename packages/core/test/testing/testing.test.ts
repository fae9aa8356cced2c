import { expect } from 'chai';
import { CoreTokens, createHttpClient, defineConnectorPlugin, type ConnectorContext } from '../../src/index.js';
import { createTestContext, manualClock, measure, recordingLogger, startStray404Server, startTestServer } from '../../src/testing/index.js';

describe('@relaypoint/core/testing', () => {
  describe('recordingLogger', () => {
    it('records level, message and structured fields, shared with children that add bindings', () => {
      const logger = recordingLogger();
      logger.child({ connector: 'a' }).warn({ code: 'X', amount: 5n }, 'attempt failed');
      logger.info({ ok: true });
      expect(logger.lines).to.have.length(2);
      expect(logger.lines[0]).to.deep.include({ level: 'warn', msg: 'attempt failed' });
      expect(logger.lines[0].fields).to.deep.equal({ connector: 'a', code: 'X', amount: 5n });
      expect(JSON.parse(logger.lines[0].line)).to.deep.equal({
        level: 'warn',
        connector: 'a',
        code: 'X',
        amount: '5',
        msg: 'attempt failed',
      });
      expect(logger.lines[1]).to.not.have.property('msg');
      logger.clear();
      expect(logger.lines).to.have.length(0);
    });

    it('writes an error with its message and cause into the line, so a leaked secret shows', () => {
      const logger = recordingLogger();
      logger.error({ err: new Error('boom', { cause: { token: 'sk_live_123' } }) });
      expect(logger.lines[0].line).to.include('boom').and.include('sk_live_123');
    });
  });

  describe('manualClock', () => {
    it('stands still until moved', () => {
      const clock = manualClock(1_000);
      expect(clock.now()).to.equal(1_000);
      expect(clock.advance(500)).to.equal(1_500);
      clock.set(10);
      expect(clock.now()).to.equal(10);
    });
  });

  describe('createTestContext', () => {
    it('gives a plugin a context with containers, logger and clock as the host would, with no DI code in the test', async () => {
      let seen: ConnectorContext | undefined;
      const plugin = defineConnectorPlugin({
        id: 'ctx-probe',
        core: '^0.1.0',
        configSchema: { type: 'object' },
        capabilities: { duplicateReference: 'none', statusByReference: false, amountUnit: 'major' },
        create: (_config, ctx) => {
          seen = ctx;
          ctx.logger.info({ at: ctx.clock.now() }, 'created');
          return {
            issueVoucher: async (r) => ({ status: 'succeeded', reference: r.reference }),
            checkStatus: async () => ({ status: 'not_found' }),
          };
        },
      });
      const ctx = createTestContext({ name: 'probe', startMs: 42, config: { a: 1 } });
      await plugin.create({}, ctx);
      expect(seen).to.equal(ctx);
      expect(ctx.logger.lines[0]).to.deep.include({ level: 'info', msg: 'created' });
      expect(ctx.logger.lines[0].fields).to.deep.equal({ connector: 'probe', at: 42 });
      ctx.clock.advance(1_000);
      expect(ctx.container.resolve(CoreTokens.Clock).now()).to.equal(1_042);
      expect(ctx.container.resolve(CoreTokens.ConnectorName)).to.equal('probe');
      expect(ctx.container.resolve(CoreTokens.ConnectorConfig)).to.deep.equal({ a: 1 });
      expect(ctx.container.resolve(CoreTokens.HttpClientFactory)).to.equal(createHttpClient);
      expect(ctx.container.resolve(CoreTokens.ConnectorContext)).to.equal(ctx);
      expect(() => ctx.container.register(CoreTokens.Clock, { useValue: manualClock() })).to.throw(/already registered/);
      await ctx.dispose();
      await ctx.dispose();
    });
  });

  describe('measure', () => {
    it('reports a result or an error, and the time taken', async () => {
      const ok = await measure(async () => {
        await new Promise((r) => setTimeout(r, 20));
        return 7;
      });
      expect(ok.ok).to.equal(true);
      expect(ok.ok && ok.result).to.equal(7);
      expect(ok.ms).to.be.greaterThanOrEqual(15);
      const failed = await measure(() => {
        throw new Error('no');
      });
      expect(failed.ok).to.equal(false);
      expect(!failed.ok && (failed.error as Error).message).to.equal('no');
    });
  });

  describe('startTestServer / startStray404Server', () => {
    it('records the request line and exact body bytes, and answers with the handler', async () => {
      const server = await startTestServer((req, res) => {
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ got: req.body.length }));
      });
      try {
        const res = await createHttpClient({ baseURL: server.url }).post('/v1/x?y=é', Buffer.from([1, 2, 3]));
        expect(res.status).to.equal(201);
        expect(res.data).to.equal('{"got":3}');
        expect(server.requests[0]).to.deep.include({ method: 'POST', path: '/v1/x?y=%C3%A9' });
        expect([...server.requests[0].body]).to.deep.equal([1, 2, 3]);
      } finally {
        await server.close();
      }
    });

    it('a stray server answers every path with an HTML 404', async () => {
      const server = await startStray404Server();
      try {
        const res = await createHttpClient({ baseURL: server.url }).get('/transactions', { validateStatus: () => true });
        expect(res.status).to.equal(404);
        expect(res.headers['content-type']).to.equal('text/html');
        expect(server.requests).to.have.length(1);
      } finally {
        await server.close();
      }
    });
  });
});
