import { expect } from 'chai';
import { AxiosHeaders } from 'axios';
import { TaskCancelledError } from 'cockatiel';
import {
  ConnectorError,
  ErrorCodes,
  ProviderRejectedError,
  createHttpClient,
  parseJsonBody,
  retryAfterFromHeaders,
  toConnectorError,
  withIdempotentRetry,
} from '../../src/index.js';
import { TestServer, refusedPort, type Handler } from './testServer.js';

async function failure(p: Promise<unknown>, sent?: boolean): Promise<ConnectorError> {
  try {
    await p;
  } catch (e) {
    return toConnectorError(e, { provider: 'airtime', ...(sent === undefined ? {} : { sent }) });
  }
  throw new Error('expected the request to fail');
}

describe('toConnectorError (against a real server)', () => {
  const server = new TestServer();
  let base: string;
  before(async () => {
    base = await server.start();
  });
  after(() => server.stop());
  beforeEach(() => {
    server.seen.length = 0;
  });

  it('maps connection refused to not_sent PROVIDER_UNREACHABLE', async () => {
    const port = await refusedPort();
    const e = await failure(createHttpClient({ baseURL: `http://127.0.0.1:${port}` }).post('/issue', {}));
    expect([e.code, e.outcome, e.retryable]).to.deep.equal([ErrorCodes.PROVIDER_UNREACHABLE, 'not_sent', true]);
  });

  it('maps a timeout after the request left to unknown PROVIDER_TIMEOUT', async () => {
    server.handler = () => {}; // never answers
    const e = await failure(createHttpClient({ baseURL: base, timeoutMs: 30 }).post('/issue', { a: 1 }));
    expect([e.code, e.outcome]).to.deep.equal([ErrorCodes.PROVIDER_TIMEOUT, 'unknown']);
    expect(server.seen).to.have.length(1);
  });

  it('maps a destroyed socket (hang up) to unknown PROVIDER_CONNECTION_LOST', async () => {
    server.handler = (req) => req.socket.destroy();
    const e = await failure(createHttpClient({ baseURL: base }).post('/issue', {}));
    expect([e.code, e.outcome]).to.deep.equal([ErrorCodes.PROVIDER_CONNECTION_LOST, 'unknown']);
  });

  it('maps a TCP reset to unknown PROVIDER_CONNECTION_LOST', async () => {
    server.handler = (req) => req.socket.resetAndDestroy();
    const e = await failure(createHttpClient({ baseURL: base }).post('/issue', {}));
    expect([e.code, e.outcome]).to.deep.equal([ErrorCodes.PROVIDER_CONNECTION_LOST, 'unknown']);
  });

  it('maps a reset in the middle of the response body to unknown', async () => {
    server.handler = (req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('{"status":"succ');
      setImmediate(() => req.socket.resetAndDestroy());
    };
    const e = await failure(createHttpClient({ baseURL: base }).post('/issue', {}));
    expect(e.outcome).to.equal('unknown');
  });

  it('maps a 4xx whose body is cut short to unknown, never to a refusal (the status line is all that arrived)', async () => {
    // Axios attaches the response (status 409) to the error of a body that never arrived whole. On an API where
    // 409 means "this reference exists", mapping it to a rejection would record a failure for an issued voucher.
    for (const status of [409, 400, 429]) {
      server.handler = (req, res) => {
        res.writeHead(status, { 'content-type': 'application/json', 'content-length': '100' });
        res.write('{"code":"DUPLICATE_REF');
        setTimeout(() => req.socket.destroy(), 10);
      };
      const e = await failure(createHttpClient({ baseURL: base }).post('/issue', {}));
      expect([status, e.outcome], e.message).to.deep.equal([status, 'unknown']);
      expect(e.code).to.equal(ErrorCodes.PROVIDER_CONNECTION_LOST);
    }
  });

  it('maps 5xx to unknown PROVIDER_SERVER_ERROR with the status and Retry-After', async () => {
    server.handler = (_req, res) => {
      res.writeHead(503, { 'retry-after': '3' });
      res.end('down');
    };
    const e = await failure(createHttpClient({ baseURL: base }).post('/issue', {}));
    expect([e.code, e.outcome, e.httpStatus, e.retryAfterMs]).to.deep.equal([ErrorCodes.PROVIDER_SERVER_ERROR, 'unknown', 503, 3000]);
  });

  it('maps 429 to a retryable PROVIDER_RATE_LIMITED rejection with retryAfterMs', async () => {
    server.handler = (_req, res) => {
      res.writeHead(429, { 'retry-after': '2' });
      res.end();
    };
    const e = await failure(createHttpClient({ baseURL: base }).post('/issue', {}));
    expect([e.code, e.outcome, e.retryable, e.retryAfterMs]).to.deep.equal([ErrorCodes.PROVIDER_RATE_LIMITED, 'rejected', true, 2000]);
  });

  it('maps 401/403, 409 and other 4xx to rejections', async () => {
    for (const [status, code] of [
      [401, ErrorCodes.PROVIDER_AUTH_FAILED],
      [403, ErrorCodes.PROVIDER_AUTH_FAILED],
      [409, ErrorCodes.PROVIDER_REFERENCE_CONFLICT],
      [422, ErrorCodes.PROVIDER_BAD_REQUEST],
    ] as const) {
      server.handler = (_req, res) => {
        res.statusCode = status;
        res.end('{}');
      };
      const e = await failure(createHttpClient({ baseURL: base }).post('/issue', {}));
      expect([e.code, e.outcome, e.httpStatus], String(status)).to.deep.equal([code, 'rejected', status]);
    }
  });

  it('maps a caller cancel to ABORTED (unknown)', async () => {
    server.handler = () => {};
    const ctl = new AbortController();
    const p = createHttpClient({ baseURL: base }).post('/issue', {}, { signal: ctl.signal });
    setImmediate(() => ctl.abort());
    const e = await failure(p);
    expect([e.code, e.outcome]).to.deep.equal([ErrorCodes.ABORTED, 'unknown']);
  });

  it('keeps headers, body and URL credentials out of message, details, cause and JSON', async () => {
    server.handler = (req) => req.socket.destroy();
    const client = createHttpClient({
      baseURL: base.replace('http://', 'http://user:url-pass-42@'),
      headers: { 'X-API-Key': 'sk_live_header_secret' },
      signing: { secret: 'sig-secret' },
    });
    const e = await failure(client.post('/issue', { pin: 'body-secret-777' }));
    const everything = [e.message, JSON.stringify(e), JSON.stringify(e.details), JSON.stringify(e.cause), e.stack ?? ''].join(' ');
    for (const secret of ['url-pass-42', 'sk_live_header_secret', 'body-secret-777', 'sig-secret'])
      expect(everything, secret).to.not.include(secret);
    expect(Object.keys(e.cause as object).sort()).to.deep.equal(['code', 'message']);
  });

  it('scrubs credentials from URLs in error messages', () => {
    const e = toConnectorError(
      Object.assign(new Error('getaddrinfo ENOTFOUND for https://bob:hunter2@api.example/x'), { code: 'ENOTFOUND' }),
    );
    expect(e.message + JSON.stringify(e.cause)).to.not.include('hunter2');
    expect(e.outcome).to.equal('not_sent');
  });

  it('passes ConnectorErrors through and maps cockatiel timeouts, sent:false and unknown errors', () => {
    const original = new ProviderRejectedError(ErrorCodes.PROVIDER_INVALID_RECIPIENT, 'bad');
    expect(toConnectorError(original)).to.equal(original);
    expect(toConnectorError(new TaskCancelledError('timed out')).code).to.equal(ErrorCodes.PROVIDER_TIMEOUT);
    expect(toConnectorError(new Error('boom'), { sent: false }).outcome).to.equal('not_sent');
    const odd = toConnectorError(new TypeError('cannot read x of undefined'));
    expect([odd.outcome, odd.code]).to.deep.equal(['unknown', ErrorCodes.PROVIDER_BAD_RESPONSE]);
    expect(toConnectorError(Object.assign(new Error('x'), { code: 'EPIPE' })).code).to.equal(ErrorCodes.PROVIDER_CONNECTION_LOST);
    for (const code of ['EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'])
      expect(toConnectorError(Object.assign(new Error('x'), { code })).outcome).to.equal('not_sent');
  });
});

describe('parseJsonBody', () => {
  const server = new TestServer();
  let base: string;
  before(async () => {
    base = await server.start();
  });
  after(() => server.stop());

  it('parses a JSON body', async () => {
    server.handler = (_req, res) => res.end('{"status":"succeeded"}');
    expect(parseJsonBody(await createHttpClient({ baseURL: base }).post('/issue', {}))).to.deep.equal({ status: 'succeeded' });
  });

  it('turns a 2xx body that is not JSON into unknown PROVIDER_BAD_RESPONSE, without the body', async () => {
    server.handler = (_req, res) => res.end('<html>VOUCHER-1234 oops');
    let err: unknown;
    try {
      parseJsonBody(await createHttpClient({ baseURL: base }).post('/issue', {}));
    } catch (e) {
      err = e;
    }
    const e = err as ConnectorError;
    expect([e.code, e.outcome, e.httpStatus]).to.deep.equal([ErrorCodes.PROVIDER_BAD_RESPONSE, 'unknown', 200]);
    expect(JSON.stringify(e) + e.message).to.not.include('VOUCHER-1234');
  });

  it('refuses an empty body', () => {
    expect(() => parseJsonBody({ data: '', status: 200 })).to.throw(/empty body/);
  });
});

describe('retryAfterFromHeaders', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it('reads delta-seconds and HTTP dates, case-insensitively', () => {
    expect(retryAfterFromHeaders({ 'Retry-After': '120' }, now)).to.equal(120_000);
    expect(retryAfterFromHeaders({ 'retry-after': 'Wed, 01 Jan 2025 00:00:30 GMT' }, now)).to.equal(30_000);
    expect(retryAfterFromHeaders(new AxiosHeaders({ 'Retry-After': '1.5' }), now)).to.equal(1_500);
    expect(retryAfterFromHeaders(new Headers({ 'retry-after': '2' }), now)).to.equal(2_000);
  });

  it('returns undefined when absent or unparsable, and never a negative wait', () => {
    expect(retryAfterFromHeaders({}, now)).to.equal(undefined);
    expect(retryAfterFromHeaders(undefined, now)).to.equal(undefined);
    expect(retryAfterFromHeaders({ 'retry-after': 'soon' }, now)).to.equal(undefined);
    expect(retryAfterFromHeaders({ 'retry-after': 'Tue, 31 Dec 2024 00:00:00 GMT' }, now)).to.equal(0);
    // Not a wait at all: before, "-5" parsed as the year -5 and meant "retry at once".
    expect(retryAfterFromHeaders({ 'retry-after': '-5' }, now)).to.equal(undefined);
    expect(retryAfterFromHeaders({ 'retry-after': '1e3' }, now)).to.equal(undefined);
  });

  it('takes the first of repeated headers joined by a comma', () => {
    expect(retryAfterFromHeaders({ 'retry-after': '120, 60' }, now)).to.equal(120_000);
    expect(retryAfterFromHeaders({ 'retry-after': ['30', '60'] }, now)).to.equal(30_000);
  });
});

describe('withIdempotentRetry', () => {
  const server = new TestServer();
  let base: string;
  before(async () => {
    base = await server.start();
  });
  after(() => server.stop());
  beforeEach(() => {
    server.seen.length = 0;
  });

  function failTwice(fail: Handler) {
    let n = 0;
    server.handler = (req, res, body) => {
      if (++n <= 2) fail(req, res, body);
      else res.end('{"ok":true}');
    };
  }

  it('retries a GET on 5xx and succeeds', async () => {
    failTwice((_req, res) => {
      res.statusCode = 502;
      res.end();
    });
    const res = await withIdempotentRetry(createHttpClient({ baseURL: base }), { delayMs: 1 }).get('/status/r-1');
    expect(res.data).to.equal('{"ok":true}');
    expect(server.seen).to.have.length(3);
  });

  it('retries a GET after a connection reset', async () => {
    failTwice((req) => req.socket.resetAndDestroy());
    await withIdempotentRetry(createHttpClient({ baseURL: base }), { delayMs: 1 }).get('/status/r-1');
    expect(server.seen).to.have.length(3);
  });

  it('never retries a POST', async () => {
    failTwice((_req, res) => {
      res.statusCode = 502;
      res.end();
    });
    const e = await failure(withIdempotentRetry(createHttpClient({ baseURL: base }), { delayMs: 1 }).post('/issue', {}));
    expect(e.code).to.equal(ErrorCodes.PROVIDER_SERVER_ERROR);
    expect(server.seen).to.have.length(1);
  });

  it('does not retry a GET rejected with 4xx', async () => {
    server.handler = (_req, res) => {
      res.statusCode = 404;
      res.end();
    };
    await failure(withIdempotentRetry(createHttpClient({ baseURL: base }), { delayMs: 1 }).get('/status/r-1'));
    expect(server.seen).to.have.length(1);
  });
});
