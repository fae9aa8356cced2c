import { expect } from 'chai';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorCodes, isConnectorError, type Logger } from '@relaypoint/core';
import { ReloadlyTokenSource } from '../src/index.js';

/** A logger that keeps every line, to check that no secret reaches a log. */
function recordingLogger(lines: string[]): Logger {
  const log = (level: string) => (obj: object, msg?: string) => lines.push(JSON.stringify({ level, ...obj, msg }));
  const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'), child: () => logger };
  return logger;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString('utf8')));
    req.on('end', () => resolve(text));
  });
}

describe('ReloadlyTokenSource', () => {
  let server: Server;
  let url: string;
  let requests: Record<string, unknown>[];
  let answer: (n: number) => { status: number; body: unknown; delayMs?: number };
  let now = 1_000_000;
  const lines: string[] = [];
  const make = (margin = 60_000) =>
    new ReloadlyTokenSource({
      authUrl: url,
      clientId: 'client-abc',
      clientSecret: 'secret-xyz-123',
      audience: 'https://topups-sandbox.reloadly.com',
      refreshMarginMs: margin,
      clock: { now: () => now },
      logger: recordingLogger(lines),
    });

  before(async () => {
    server = createServer(async (req, res) => {
      requests.push(JSON.parse(await readBody(req)) as Record<string, unknown>);
      const a = answer(requests.length);
      setTimeout(() => {
        res.writeHead(a.status, { 'Content-Type': 'application/json' });
        res.end(typeof a.body === 'string' ? a.body : JSON.stringify(a.body));
      }, a.delayMs ?? 0);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth/token`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    requests = [];
    now = 1_000_000;
    answer = (n) => ({ status: 200, body: { access_token: `tok-${n}`, scope: 'x', expires_in: 3600, token_type: 'Bearer' } });
  });

  it('asks with client credentials for the audience and caches the token until shortly before it expires', async () => {
    const source = make();
    expect(await source.token()).to.equal('tok-1');
    expect(requests[0]).to.deep.equal({
      client_id: 'client-abc',
      client_secret: 'secret-xyz-123',
      grant_type: 'client_credentials',
      audience: 'https://topups-sandbox.reloadly.com',
    });
    now += 3_600_000 - 60_001;
    expect(await source.token()).to.equal('tok-1');
    now += 1;
    expect(await source.token()).to.equal('tok-2');
    expect(requests).to.have.length(2);
    source.close();
  });

  it('fetches one token for many concurrent callers', async () => {
    answer = (n) => ({ status: 200, body: { access_token: `tok-${n}`, expires_in: '5184000' }, delayMs: 30 });
    const source = make();
    const tokens = await Promise.all(Array.from({ length: 20 }, () => source.token()));
    expect(new Set(tokens)).to.deep.equal(new Set(['tok-1']));
    expect(requests).to.have.length(1);
    source.close();
  });

  it('drops only the token that was refused, so concurrent refusals renew it once', async () => {
    const source = make();
    const old = await source.token();
    source.invalidate(old);
    const fresh = await source.token();
    source.invalidate(old);
    expect(await source.token()).to.equal(fresh);
    expect(requests).to.have.length(2);
    source.close();
  });

  it('turns refused credentials into PROVIDER_AUTH_FAILED (rejected) and an outage into PROVIDER_UNAVAILABLE (not sent)', async () => {
    answer = () => ({ status: 401, body: { errorCode: 'INVALID_CREDENTIALS', message: 'bad' } });
    const refused = await make()
      .token()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(isConnectorError(refused) && refused.code).to.equal(ErrorCodes.PROVIDER_AUTH_FAILED);
    expect(isConnectorError(refused) && refused.outcome).to.equal('rejected');
    answer = () => ({ status: 503, body: '<html>down</html>' });
    const down = await make()
      .token()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(isConnectorError(down) && down.code).to.equal(ErrorCodes.PROVIDER_UNAVAILABLE);
    expect(isConnectorError(down) && down.outcome).to.equal('not_sent');
  });

  it('never logs the client id, the secret or the token', async () => {
    lines.length = 0;
    const source = make();
    await source.token();
    source.close();
    expect(lines.length).to.be.greaterThan(0);
    for (const line of lines) {
      expect(line).not.to.include('secret-xyz-123');
      expect(line).not.to.include('client-abc');
      expect(line).not.to.include('tok-1');
    }
  });
});
