import { expect } from 'chai';
import { createHmac } from 'node:crypto';
import {
  createHttpClient,
  hmacBodySigner,
  timestampedHmacSigner,
  timestampedSigningPayload,
  withIdempotentRetry,
  type SignableRequest,
} from '../../src/index.js';
import { TestServer } from './testServer.js';

describe('createHttpClient sign hook', () => {
  const server = new TestServer();
  let base: string;
  before(async () => {
    base = await server.start();
  });
  after(() => server.stop());
  beforeEach(() => {
    server.seen.length = 0;
    server.handler = (_req, res) => res.end('{}');
  });

  /** A signer that records what it saw and signs method, path and body. */
  function recorder(): { seen: SignableRequest[]; sign: (r: SignableRequest) => Promise<Record<string, string>> } {
    const seen: SignableRequest[] = [];
    return {
      seen,
      async sign(request) {
        seen.push(request);
        // Asynchronous on purpose: a signer may wait for a KMS.
        await new Promise((resolve) => setImmediate(resolve));
        return { 'X-Sig': createHmac('sha256', 'k').update(`${request.method} ${request.path}\n`).update(request.body).digest('hex') };
      },
    };
  }

  function expectSameAsSent(signed: SignableRequest, index = 0): void {
    const received = server.seen[index];
    expect(received.method).to.equal(signed.method);
    expect(received.url).to.equal(signed.path);
    expect(received.body.equals(signed.body)).to.equal(true, 'the received bytes differ from the signed bytes');
    expect(received.headers['x-sig']).to.equal(
      createHmac('sha256', 'k').update(`${received.method} ${received.url}\n`).update(received.body).digest('hex'),
    );
  }

  it('gives the signer the request line with its query string, as received, for params and a query in the URL', async () => {
    const { seen, sign } = recorder();
    const client = createHttpClient({ baseURL: `${base}/v1/`, sign });
    await client.post(
      '/orders?expand=voucher',
      { reference: 'r-1', amount: 500 },
      { params: { reference: 'tenant:r 1', tag: ['a', 'b'] } },
    );
    expect(seen[0].path).to.equal('/v1/orders?expand=voucher&reference=tenant%3Ar+1&tag=a&tag=b');
    expect(seen[0].url).to.equal(`${base}/v1/orders?expand=voucher&reference=tenant%3Ar+1&tag=a&tag=b`);
    expectSameAsSent(seen[0]);
    expect(seen[0].headers['content-type']).to.equal('application/json');
    expect(server.seen[0].headers['content-type']).to.equal('application/json');
    expect(JSON.parse(server.seen[0].body.toString('utf8'))).to.deep.equal({ reference: 'r-1', amount: 500 });
  });

  it('signs unicode in the path, the query and the body as the encoded bytes sent', async () => {
    const { seen, sign } = recorder();
    const client = createHttpClient({ baseURL: base, sign });
    await client.post('/cartes/élan ✓', { note: 'ünïcödé ✓ 日本' }, { params: { q: 'crème brûlée' } });
    expect(seen[0].path).to.equal('/cartes/%C3%A9lan%20%E2%9C%93?q=cr%C3%A8me+br%C3%BBl%C3%A9e');
    expectSameAsSent(seen[0]);
    expect(JSON.parse(server.seen[0].body.toString('utf8')).note).to.equal('ünïcödé ✓ 日本');
  });

  it('sends a string body with a JSON content type byte for byte: not trimmed, not quoted', async () => {
    const { seen, sign } = recorder();
    const client = createHttpClient({ baseURL: base, sign });
    const odd = '  {"pre":"formatted",  "n": 1.50}\n';
    const notJson = 'not json at all ';
    await client.post('/a', odd, { headers: { 'Content-Type': 'application/json' } });
    await client.put('/b', notJson, { headers: { 'Content-Type': 'application/json' } });
    expect(server.seen[0].body.toString('utf8')).to.equal(odd);
    expect(server.seen[1].body.toString('utf8')).to.equal(notJson);
    expectSameAsSent(seen[0], 0);
    expectSameAsSent(seen[1], 1);
    expect(server.seen[1].headers['content-type']).to.equal('application/json');
  });

  it('sends a Buffer body byte for byte, with its length', async () => {
    const { seen, sign } = recorder();
    const bytes = Buffer.from([0, 1, 2, 0xff, 0xfe, 0x0a, 0x0d]);
    await createHttpClient({ baseURL: base, sign }).post('/bin', bytes);
    expectSameAsSent(seen[0]);
    expect([...server.seen[0].body]).to.deep.equal([...bytes]);
    expect(server.seen[0].headers['content-length']).to.equal(String(bytes.length));
    expect(seen[0].headers['content-length']).to.equal(String(bytes.length));
  });

  it('gives the signer an empty body and the GET request line for a read, and its headers arrive', async () => {
    const { seen, sign } = recorder();
    await createHttpClient({ baseURL: base, sign, headers: { 'X-API-Key': 'key-1' } }).get('/transactions', {
      params: { reference: 'r/1' },
    });
    expect(seen[0].method).to.equal('GET');
    expect(seen[0].body.length).to.equal(0);
    expect(seen[0].headers['x-api-key']).to.equal('key-1');
    expectSameAsSent(seen[0]);
  });

  it('freezes the body: a signer changing its copy changes nothing on the wire', async () => {
    let signedHex = '';
    const sign = (r: SignableRequest) => {
      signedHex = r.body.toString('hex');
      r.body.fill(0);
      return {};
    };
    await createHttpClient({ baseURL: base, sign }).post('/x', { a: 1 });
    expect(server.seen[0].body.toString('hex')).to.equal(signedHex);
    expect(server.seen[0].body.toString('utf8')).to.equal('{"a":1}');
  });

  it('sends nothing when the signer throws', async () => {
    const client = createHttpClient({
      baseURL: base,
      sign: async () => {
        throw new Error('kms unavailable');
      },
    });
    let error: unknown;
    try {
      await client.post('/x', { a: 1 });
    } catch (e) {
      error = e;
    }
    expect((error as Error).message).to.equal('kms unavailable');
    expect(server.seen).to.have.length(0);
  });

  it('signs a retried read again, to the same request line and bytes', async () => {
    let n = 0;
    server.handler = (_req, res) => {
      res.statusCode = n++ === 0 ? 503 : 200;
      res.end('{}');
    };
    const { seen, sign } = recorder();
    const client = withIdempotentRetry(createHttpClient({ baseURL: base, sign }), { retries: 1, delayMs: 1 });
    await client.get('/status', { params: { reference: 'r-1' } });
    expect(server.seen).to.have.length(2);
    expect(seen).to.have.length(2);
    expectSameAsSent(seen[0], 0);
    expectSameAsSent(seen[1], 1);
    expect(seen[1].path).to.equal(seen[0].path);
  });

  it('refuses sign and signing together', () => {
    expect(() => createHttpClient({ sign: () => ({}), signing: { secret: 'k' } })).to.throw(TypeError, /either `sign` or `signing`/);
  });
});

describe('hmacBodySigner', () => {
  it('puts the hex HMAC-SHA256 of the body alone into X-Signature by default', () => {
    const body = Buffer.from('{"a":1}');
    const headers = hmacBodySigner({ secret: 's' })({ method: 'POST', path: '/x?y=1', url: 'http://h/x?y=1', headers: {}, body });
    expect(headers).to.deep.equal({ 'X-Signature': createHmac('sha256', 's').update(body).digest('hex') });
  });
});

describe('timestampedHmacSigner', () => {
  const server = new TestServer();
  let base: string;
  before(async () => {
    base = await server.start();
  });
  after(() => server.stop());

  it('sends t=<seconds>,v1=<hex HMAC of t.METHOD.path.body> that the receiver can verify from what it received', async () => {
    const clock = { now: () => 1_700_000_000_999 };
    const client = createHttpClient({ baseURL: base, sign: timestampedHmacSigner({ secret: 'whsec', clock }) });
    await client.post('/v1/charges?expand=card', { amount: 1999, currency: 'usd' });
    const received = server.seen[0];
    const header = String(received.headers['signature']);
    const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
    expect(match, header).to.not.equal(null);
    expect(Number(match![1])).to.equal(1_700_000_000);
    const expected = createHmac('sha256', 'whsec')
      .update(timestampedSigningPayload(1_700_000_000, { method: received.method, path: received.url, body: received.body }))
      .digest('hex');
    expect(match![2]).to.equal(expected);
    expect(timestampedSigningPayload(1, { method: 'POST', path: '/p', body: Buffer.from('b') }).toString()).to.equal('1.POST./p.b');
  });
});
