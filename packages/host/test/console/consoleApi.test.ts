import { expect } from 'chai';
import { ADMIN_KEY, airtime, ref, startEnv, TENANT_A_KEY, TENANT_B_KEY, type TestEnv } from '../helpers/harness.js';

/** A cookie-carrying client of `/console/api`, as the console page is. */
class ConsoleClient {
  cookie = '';
  csrf = '';
  constructor(private readonly env: TestEnv) {}

  async call(method: string, path: string, options: { body?: unknown; csrf?: string | null; headers?: Record<string, string> } = {}) {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (this.cookie) headers.cookie = this.cookie;
    const token = options.csrf === undefined ? this.csrf : options.csrf;
    if (token) headers['x-csrf-token'] = token;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.env.url}/console/api${path}`, {
      method,
      headers,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      body: (text ? JSON.parse(text) : {}) as Record<string, unknown> & { items?: Array<Record<string, unknown>> },
    };
  }

  async signIn(key: string) {
    const r = await this.call('POST', '/session', { body: { key } });
    const setCookie = r.headers.get('set-cookie') ?? '';
    this.cookie = setCookie.split(';')[0];
    this.csrf = String(r.body.csrfToken ?? '');
    return { ...r, setCookie };
  }
}

describe('host console API (/console/api)', () => {
  let env: TestEnv;
  before(async () => {
    env = await startEnv();
  });
  after(async () => env?.close());

  it('exchanges a tenant key for an HttpOnly, SameSite=Strict session cookie with an expiry, and never echoes the key', async () => {
    const c = new ConsoleClient(env);
    const r = await c.signIn(TENANT_A_KEY);
    expect(r.status).to.equal(201);
    expect(r.setCookie).to.match(/^relaypoint_console=[A-Za-z0-9_-]{43}; Path=\/console; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
    expect(r.body).to.deep.include({ principal: { kind: 'tenant', tenantId: 'tenant-a' } });
    expect(JSON.stringify(r.body)).not.to.contain(TENANT_A_KEY);
    expect((await c.call('GET', '/session')).body.csrfToken).to.equal(c.csrf);
  });

  it('refuses a wrong key with a problem document', async () => {
    const r = await new ConsoleClient(env).signIn('no-such-key');
    expect(r.status).to.equal(401);
    expect(r.headers.get('content-type')).to.contain('application/problem+json');
    expect(r.body).to.include({ code: 'UNAUTHORIZED' });
    expect(r.setCookie).to.equal('');
  });

  it('needs a session for every console API call', async () => {
    const r = await new ConsoleClient(env).call('GET', '/issuances');
    expect(r.status).to.equal(401);
    expect(r.body.code).to.equal('UNAUTHORIZED');
  });

  it('shows a tenant only its own issuances, with voucher codes masked as the reward.issued event masks them', async () => {
    const a = ref('con-a');
    const b = ref('con-b');
    expect((await env.call('POST', '/v1/issuances', { key: TENANT_A_KEY, body: airtime(a) })).status).to.equal(201);
    expect((await env.call('POST', '/v1/issuances', { key: TENANT_B_KEY, body: airtime(b) })).status).to.equal(201);
    const c = new ConsoleClient(env);
    await c.signIn(TENANT_A_KEY);
    const list = await c.call('GET', '/issuances?limit=200');
    const refs = list.body.items!.map((i) => i.reference);
    expect(refs).to.include(a).and.not.include(b);
    expect((await c.call('GET', `/issuances/${b}`)).status).to.equal(404);
    const detail = await c.call('GET', `/issuances/${a}`);
    const issuance = detail.body.issuance as { voucher: { code: string } };
    const full = (await env.call('GET', `/v1/issuances/${a}`, { key: TENANT_A_KEY })).body.voucher.code as unknown as string;
    expect(issuance.voucher.code).to.equal(`••••${full.slice(-4)}`);
    const calls = detail.body.providerCalls as Array<{ operation: string; outcome: string }>;
    expect(calls.map((x) => [x.operation, x.outcome])).to.deep.equal([['send', 'succeeded']]);
  });

  it('refuses a state-changing call without the session CSRF token (403 CSRF_TOKEN_INVALID), and allows it with the token', async () => {
    const c = new ConsoleClient(env);
    await c.signIn(TENANT_A_KEY);
    const sub = await c.call('POST', '/webhooks', { body: { url: 'https://example.com/hook', events: ['reward.issued'] }, csrf: null });
    expect(sub.status).to.equal(403);
    expect(sub.body.code).to.equal('CSRF_TOKEN_INVALID');
    expect(
      (await c.call('POST', '/webhooks', { body: { url: 'https://example.com/hook', events: ['reward.issued'] }, csrf: 'x'.repeat(43) }))
        .status,
    ).to.equal(403);
    const ok = await c.call('POST', '/webhooks', { body: { url: 'https://example.com/hook', events: ['reward.issued'] } });
    expect(ok.status).to.equal(201);
  });

  it('ends the session on sign-out', async () => {
    const c = new ConsoleClient(env);
    await c.signIn(TENANT_A_KEY);
    expect((await c.call('DELETE', '/session', { csrf: null })).status).to.equal(403);
    expect((await c.call('DELETE', '/session')).status).to.equal(204);
    expect((await c.call('GET', '/issuances')).status).to.equal(401);
  });

  it('lets the admin list every tenant, or one with X-Relaypoint-Tenant', async () => {
    const c = new ConsoleClient(env);
    await c.signIn(ADMIN_KEY);
    const all = await c.call('GET', '/issuances?limit=200');
    expect(new Set(all.body.items!.map((i) => i.tenantId))).to.deep.equal(new Set(['tenant-a', 'tenant-b']));
    const b = await c.call('GET', '/issuances?limit=200', { headers: { 'x-relaypoint-tenant': 'tenant-b' } });
    expect(new Set(b.body.items!.map((i) => i.tenantId))).to.deep.equal(new Set(['tenant-b']));
  });

  it('answers bad filters with path: message errors', async () => {
    const c = new ConsoleClient(env);
    await c.signIn(TENANT_A_KEY);
    const r = await c.call('GET', '/issuances?status=lost&limit=0&from=yesterday');
    expect(r.status).to.equal(400);
    expect(r.body.errors).to.have.members([
      'query.status: must be one of in_flight, pending, unknown, succeeded, failed',
      'query.limit: must be an integer from 1 to 200',
      'query.from: must be an ISO 8601 date-time or epoch milliseconds',
    ]);
  });

  it('reports connectors with breaker state and latency percentiles of the calls it saw', async () => {
    const c = new ConsoleClient(env);
    await c.signIn(TENANT_A_KEY);
    const r = await c.call('GET', '/connectors');
    const airtimeRow = r.body.items!.find((i) => i.name === 'airtime') as { breaker: string; calls: { calls: number; p50Ms: number } };
    expect(airtimeRow.breaker).to.equal('closed');
    expect(airtimeRow.calls.calls).to.be.greaterThan(0);
    expect(airtimeRow.calls.p50Ms).to.be.a('number');
  });

  it('serves the page and its hashed assets with a strict CSP and a year of caching', async () => {
    const page = await fetch(`${env.url}/console/issuances/x`);
    expect(page.status).to.equal(200);
    const html = await page.text();
    expect(page.headers.get('content-security-policy')).to.contain("script-src 'self'").and.not.contain('unsafe-inline');
    expect(page.headers.get('cache-control')).to.equal('no-store');
    const script = /<script type="module" src="([^"]+)"><\/script>/.exec(html)![1];
    const asset = await fetch(`${env.url}${script}`);
    expect(asset.status).to.equal(200);
    expect(asset.headers.get('cache-control')).to.equal('public, max-age=31536000, immutable');
    expect(asset.headers.get('content-type')).to.contain('text/javascript');
    expect((await fetch(`${env.url}${script.replace(/assets\/[0-9a-f]+\//, 'assets/0000000000000000/')}`)).status).to.equal(404);
  });
});

describe('host console turned off (server.console: false)', () => {
  it('serves no console: /console and /console/api are 404 problems', async () => {
    const env = await startEnv({ patch: () => ({ server: { host: '127.0.0.1', port: 0, console: false } }) });
    try {
      const page = await fetch(`${env.url}/console`);
      expect(page.status).to.equal(404);
      expect(page.headers.get('content-type')).to.contain('application/problem+json');
      const session = await fetch(`${env.url}/console/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ key: TENANT_A_KEY }),
      });
      expect(session.status).to.equal(404);
    } finally {
      await env.close();
    }
  });
});
