import { expect } from 'chai';
import { createHmac } from 'node:crypto';
import { createHttpClient, hmacBase64, hmacHex, timingSafeEqualStr } from '../../src/index.js';
import { TestServer } from './testServer.js';

describe('createHttpClient', () => {
  const server = new TestServer();
  let base: string;
  before(async () => {
    base = await server.start();
  });
  after(() => server.stop());
  beforeEach(() => {
    server.seen.length = 0;
    server.handler = (_req, res) => res.end('{"ok":true}');
  });

  it('leaves the response body as raw text for the plugin to parse', async () => {
    const res = await createHttpClient({ baseURL: base }).get('/x');
    expect(res.data).to.equal('{"ok":true}');
  });

  it('does not silently parse or swallow a broken JSON body', async () => {
    server.handler = (_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end('{"ok":tru');
    };
    const res = await createHttpClient({ baseURL: base }).get('/x');
    expect(res.data).to.equal('{"ok":tru');
  });

  it('keeps connections alive across requests', async () => {
    const before = server.connections;
    const client = createHttpClient({ baseURL: base });
    for (let i = 0; i < 5; i++) await client.post('/issue', { i });
    expect(server.connections - before).to.equal(1);
  });

  it('sets TCP keep-alive on a kept-alive socket once, not on every request', async () => {
    const client = createHttpClient({ baseURL: base });
    const agent = client.defaults.httpAgent as import('node:http').Agent;
    // Count the system calls: the socket's native handle, below Node's "unchanged value" check.
    let calls = 0;
    const counted = new WeakSet<object>();
    agent.on('free', (socket: import('node:net').Socket) => {
      const handle = (socket as unknown as { _handle?: { setKeepAlive?: (...a: unknown[]) => unknown } })._handle;
      if (!handle?.setKeepAlive || counted.has(handle)) return;
      counted.add(handle);
      const original = handle.setKeepAlive.bind(handle);
      handle.setKeepAlive = (...a: unknown[]) => {
        calls++;
        return original(...a);
      };
    });
    for (let i = 0; i < 6; i++) await client.post('/issue', { i });
    expect(calls).to.equal(0);
  });

  describe('proxy from the environment', () => {
    const names = ['http_proxy', 'https_proxy', 'all_proxy', 'no_proxy'].flatMap((n) => [n, n.toUpperCase()]);
    let saved: Record<string, string | undefined>;
    const proxy = new TestServer();
    let proxyUrl: string;
    before(async () => {
      proxyUrl = await proxy.start();
    });
    after(() => proxy.stop());
    beforeEach(() => {
      saved = Object.fromEntries(names.map((n) => [n, process.env[n]]));
      for (const n of names) delete process.env[n];
      proxy.seen.length = 0;
      proxy.handler = (_req, res) => res.end('"via proxy"');
    });
    afterEach(() => {
      for (const n of names) {
        if (saved[n] === undefined) delete process.env[n];
        else process.env[n] = saved[n];
      }
    });

    it('without a proxy variable, tells axios so and calls the provider directly', async () => {
      const client = createHttpClient({ baseURL: base });
      expect(client.defaults.proxy).to.equal(false);
      expect((await client.get('/x')).data).to.equal('{"ok":true}');
      expect(proxy.seen).to.have.length(0);
    });

    it('with HTTP_PROXY set when the client is created, sends through that proxy', async () => {
      process.env.HTTP_PROXY = proxyUrl;
      const client = createHttpClient({ baseURL: base });
      expect((await client.get('/x')).data).to.equal('"via proxy"');
      expect(proxy.seen.map((r) => r.url)).to.deep.equal([`${base}/x`]);
      expect(server.seen).to.have.length(0);
    });

    it('with a lower-case all_proxy too, and NO_PROXY still exempts a host', async () => {
      process.env.all_proxy = proxyUrl;
      expect((await createHttpClient({ baseURL: base }).get('/x')).data).to.equal('"via proxy"');
      process.env.NO_PROXY = '127.0.0.1';
      expect((await createHttpClient({ baseURL: base }).get('/x')).data).to.equal('{"ok":true}');
      expect(proxy.seen).to.have.length(1);
    });
  });

  it('sends default headers', async () => {
    await createHttpClient({ baseURL: base, headers: { 'X-API-Key': 'k1' } }).get('/x');
    expect(server.seen[0].headers['x-api-key']).to.equal('k1');
  });

  it('signs the exact bytes sent: a JSON object body, hex HMAC-SHA256 in X-Signature', async () => {
    const client = createHttpClient({ baseURL: base, signing: { secret: 's3cret' } });
    await client.post('/issue', { reference: 'r-1', amount: '5.00', note: 'ünïcödé ✓' });
    const { body, headers } = server.seen[0];
    expect(headers['x-signature']).to.equal(createHmac('sha256', 's3cret').update(body).digest('hex'));
    expect(JSON.parse(body.toString('utf8'))).to.deep.equal({ reference: 'r-1', amount: '5.00', note: 'ünïcödé ✓' });
  });

  it('signs string and Buffer bodies as sent, with a custom header and base64', async () => {
    const client = createHttpClient({ baseURL: base, signing: { secret: 'k', header: 'X-Sig', encoding: 'base64', algorithm: 'sha512' } });
    await client.post('/a', '{"pre":"formatted",  "spaces": 1}', { headers: { 'content-type': 'application/json' } });
    await client.post('/b', Buffer.from([0, 1, 2, 255]), { headers: { 'content-type': 'application/octet-stream' } });
    for (const seen of server.seen) {
      expect(seen.headers['x-sig']).to.equal(createHmac('sha512', 'k').update(seen.body).digest('base64'));
    }
    expect(server.seen[0].body.toString()).to.equal('{"pre":"formatted",  "spaces": 1}');
    expect([...server.seen[1].body]).to.deep.equal([0, 1, 2, 255]);
  });

  it('signs an empty body for a GET', async () => {
    await createHttpClient({ baseURL: base, signing: { secret: 'k' } }).get('/status/r-1');
    expect(server.seen[0].headers['x-signature']).to.equal(hmacHex('k', ''));
  });

  it('does not follow redirects', async () => {
    server.handler = (_req, res) => {
      res.statusCode = 307;
      res.setHeader('location', '/elsewhere');
      res.end();
    };
    let status: number | undefined;
    try {
      await createHttpClient({ baseURL: base }).post('/issue', {});
    } catch (e) {
      status = (e as { response?: { status: number } }).response?.status;
    }
    expect(status).to.equal(307);
    expect(server.seen.map((s) => s.url)).to.deep.equal(['/issue']);
  });
});

describe('hmacHex / hmacBase64 / timingSafeEqualStr', () => {
  it('compute HMAC-SHA256 by default', () => {
    expect(hmacHex('key', 'The quick brown fox jumps over the lazy dog')).to.equal(
      'f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8',
    );
    expect(hmacBase64('key', 'The quick brown fox jumps over the lazy dog')).to.equal('97yD9DBThCSxMpjmqm+xQ+9NWaFJRhdZl0edvC0aPNg=');
  });

  it('compare strings, refusing different lengths', () => {
    expect(timingSafeEqualStr('abc', 'abc')).to.equal(true);
    expect(timingSafeEqualStr('abc', 'abd')).to.equal(false);
    expect(timingSafeEqualStr('abc', 'abcd')).to.equal(false);
  });
});
