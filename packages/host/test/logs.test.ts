import { expect } from 'chai';
import { connect } from 'node:net';
import {
  ADMIN_KEY,
  TENANT_A_KEY,
  TENANT_A_KEY2,
  TENANT_B_KEY,
  airtime,
  giftcard,
  ref,
  startEnv,
  waitFor,
  type TestEnv,
} from './helpers/harness.js';
import { scrubSecrets } from '../src/index.js';

describe('host logs', function () {
  this.timeout(30_000);
  let env: TestEnv;
  const webhookSecrets: string[] = [];

  before(async () => {
    env = await startEnv();
    // A full session: subscriptions (secrets issued and rotated), issuances on both connectors, a rejection,
    // events, auth failures with wrong keys, an admin call, a retried delivery.
    const sub = await env.call('POST', '/v1/webhooks', { body: { url: `${env.sim.url}/__sim/sink/logs`, events: ['*'] } });
    webhookSecrets.push(String(sub.body.secret));
    env.sim.sinks.configure('logs', { secret: String(sub.body.secret), failNext: { status: 500, count: 1 } });
    const rotated = await env.call('POST', `/v1/webhooks/${String(sub.body.id)}/rotate-secret`, { body: {} });
    webhookSecrets.push(String(rotated.body.secret));
    await env.call('POST', '/v1/issuances', { body: airtime(ref('log')) });
    await env.call('POST', '/v1/issuances', { key: TENANT_A_KEY2, body: giftcard(ref('log')) });
    await env.call('POST', '/v1/issuances', { body: airtime(ref('log'), { phoneNumber: '+263771230002' }) });
    await env.call('POST', '/v1/issuances', { key: TENANT_B_KEY, body: airtime(ref('log'), { amount: 5 }) });
    await env.call('POST', '/v1/events', {
      body: { type: 'customer.enrolled', data: { customerId: 'c-9', enrolledAt: new Date().toISOString() } },
    });
    await env.call('GET', '/v1/issuances', { key: 'wrong-key-but-looks-real-123456' });
    await env.call('GET', '/v1/tenants', { key: ADMIN_KEY });
    await env.call('POST', '/v1/issuances', { raw: '{"broken', headers: { 'content-type': 'application/json' } });
    await waitFor(() => env.sim.sinks.deliveries('logs').filter((d) => d.status === 204).length >= 2, 15_000, 'deliveries after a retry');
    await env.close();
  });

  it('never contain a configured secret or a webhook secret, even through a full session', () => {
    const secrets = [
      TENANT_A_KEY,
      TENANT_A_KEY2,
      TENANT_B_KEY,
      ADMIN_KEY,
      'sim-airtime-key',
      'sim-airtime-secret',
      'sim-giftcard-key',
      'wrong-key-but-looks-real-123456',
      ...webhookSecrets,
    ];
    expect(env.logs.lines.length).to.be.greaterThan(10);
    for (const s of secrets) {
      expect(env.logs.text.includes(s), `a log line contains ${s.slice(0, 6)}…`).to.equal(false);
      // The base64 body of a whsec_ secret on its own, too.
      if (s.startsWith('whsec_')) expect(env.logs.text.includes(s.slice(6))).to.equal(false);
    }
  });

  it('are JSON lines with a request id on every request line', () => {
    const requests = env.logs.json().filter((l) => l.msg === 'request');
    expect(requests.length).to.be.greaterThan(8);
    for (const l of requests) expect(l.reqId).to.be.a('string');
    expect(requests.some((l) => l.status === 401)).to.equal(true);
  });

  // Regression: connector lines carried "connector" twice and webhook lines "component" twice (a child of a child).
  it('carry each key once', () => {
    const keysOf = (line: string) => [...line.matchAll(/[{,]"([A-Za-z_.]+)":/g)].map((m) => m[1]);
    let bound = 0;
    for (const line of env.logs.lines) {
      const keys = keysOf(line).filter((k) => k === 'connector' || k === 'component' || k === 'reqId' || k === 'pid');
      expect(new Set(keys).size, line).to.equal(keys.length);
      if (keys.includes('component') || keys.includes('connector')) bound += 1;
    }
    expect(bound, 'lines with a component or connector binding').to.be.greaterThan(0);
  });

  it('scrubSecrets removes raw and JSON-escaped forms', () => {
    expect(scrubSecrets('{"a":"x-s3cr\\"et-y"}', ['s3cr"et'])).to.equal('{"a":"x-[redacted]-y"}');
    expect(scrubSecrets('key=abc123 and abc123', ['abc123'])).to.equal('key=[redacted] and [redacted]');
  });
});

describe('host shutdown', function () {
  this.timeout(30_000);

  it('finishes a provider call in flight before closing, and records its result', async () => {
    const env = await startEnv();
    const reference = ref('slow');
    env.sim.setScenario({ rules: [{ route: 'airtime.issue', fault: { type: 'latency', distribution: 'fixed', ms: 700 } }] });
    const pending = env.call('POST', '/v1/issuances', { body: airtime(reference) });
    await waitFor(() => env.host.issuances.inFlightCount > 0, 5_000, 'the call to start');
    const closed = env.host.close();
    const res = await pending;
    await closed;
    expect(res.status).to.equal(201);
    expect(env.sim.ledger.countByReference('airtime', `tenant-a:${reference}`)).to.equal(1);
    await env.sim.close();
  });

  // What docs/operations.md ("Shutdown") tells a client: work that reaches a closing host is refused with 503 SHUTTING_DOWN.
  it('answers a request that reaches it while closing, on a connection opened before, with 503 SHUTTING_DOWN', async () => {
    const env = await startEnv();
    env.sim.setScenario({ rules: [{ route: 'airtime.issue', fault: { type: 'latency', distribution: 'fixed', ms: 1500 } }] });
    const { port } = new URL(env.url);
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    let received = '';
    socket.on('data', (d) => (received += d));
    const request = (body: string) =>
      `POST /v1/issuances HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TENANT_A_KEY}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    const pending = env.call('POST', '/v1/issuances', { body: airtime(ref('inflight')) });
    await waitFor(() => env.host.issuances.inFlightCount > 0, 5_000, 'the call to start');
    const closed = env.host.close();
    socket.write(request(JSON.stringify(airtime(ref('late')))));
    await waitFor(() => received.includes('\r\n\r\n') && received.includes('}'), 10_000, 'an answer on the open connection');
    expect(received).to.match(/^HTTP\/1\.1 503 /);
    expect(received).to.include('"code":"SHUTTING_DOWN"');
    expect((await pending).status).to.equal(201);
    await closed;
    socket.destroy();
    await env.sim.close();
  });

  it('aborts calls still in flight after the grace period and leaves them unknown, for reconciliation', async () => {
    const env = await startEnv({ patch: () => ({ server: { port: 0, issuanceWaitMs: 3000, shutdownGraceMs: 200 } }) });
    const db = env.host.db;
    const reference = ref('hung');
    env.sim.setScenario({ rules: [{ route: 'airtime.issue', fault: { type: 'hang' } }] });
    const pending = env.call('POST', '/v1/issuances', { body: airtime(reference) }).catch(() => undefined);
    await waitFor(() => env.host.issuances.inFlightCount > 0, 5_000, 'the call to start');
    // Read the row through a query issued before close() finishes closing the store.
    let status: string | undefined;
    const originalClose = db.close.bind(db);
    (db as { close: () => Promise<void> }).close = async () => {
      const rows = await db.query<{ status: string; lease_owner: string | null }>(
        'SELECT status, lease_owner FROM issuances WHERE reference = $1',
        [reference],
      );
      status = rows[0]?.status;
      expect(rows[0]?.lease_owner).to.equal(null);
      await originalClose();
    };
    await env.host.close();
    await pending;
    expect(status).to.equal('unknown');
    await env.sim.close();
  });
});
