import { expect } from 'chai';
import { describeEachStore } from '@relaypoint/store/testing';
import { ADMIN_KEY, TENANT_A_KEY2, TENANT_B_KEY, airtime, giftcard, ref, startEnv, waitFor, type TestEnv } from './helpers/harness.js';

function expectProblem(res: { status: number; headers: Headers; body: { [k: string]: unknown } }, status: number, code: string): void {
  expect(res.status, JSON.stringify(res.body)).to.equal(status);
  expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
  expect(res.body).to.include({ status, code });
  expect(res.body.type).to.be.a('string');
  expect(res.body.title).to.be.a('string');
  expect(res.body.detail).to.be.a('string');
}

describeEachStore('host HTTP API', (target) =>
  describe('over real HTTP with the simulator', () => {
    // Nested so the host closes before describeEachStore drops the database.
    let env: TestEnv;
    before(async function () {
      this.timeout(30_000);
      env = await startEnv({ target });
    });
    after(async () => env?.close());

    describe('system endpoints', () => {
      it('answers /healthz and /readyz with the store, migrations and breaker states', async () => {
        expect((await env.call('GET', '/healthz', { key: null })).status).to.equal(200);
        const ready = await env.call('GET', '/readyz', { key: null });
        expect(ready.status).to.equal(200);
        expect(ready.body.checks).to.deep.include({ store: 'ok', migrations: 'ok' });
        expect(ready.body.checks.breakers).to.deep.equal({ airtime: 'closed', giftcard: 'closed' });
      });

      it('serves an OpenAPI 3.1 document whose issue schema is the one that validates requests', async () => {
        const res = await env.call('GET', '/openapi.json', { key: null });
        expect(res.status).to.equal(200);
        expect(res.body.openapi).to.equal('3.1.0');
        expect(res.body.paths['/v1/issuances'].post).to.have.property('requestBody');
        expect(res.body.components.schemas.IssueRequest.required).to.include('reference');
        expect(Object.keys(res.body.paths)).to.include.members(['/v1/webhooks/{id}/replay', '/v1/events', '/v1/connectors', '/readyz']);
      });

      it('exposes Prometheus metrics from its own registry', async () => {
        await env.call('POST', '/v1/issuances', { body: airtime(ref('metrics')) });
        const res = await env.call('GET', '/metrics', { key: null });
        expect(res.status).to.equal(200);
        for (const name of [
          'relaypoint_issuances_total{connector="airtime",status="succeeded"}',
          'relaypoint_provider_latency_seconds_bucket',
          'relaypoint_breaker_state{connector="airtime"} 0',
          'relaypoint_webhook_queue_depth',
          'relaypoint_http_request_duration_seconds_bucket',
          'relaypoint_issuances_needs_attention 0',
        ]) {
          expect(res.text).to.include(name);
        }
        // Regression: Node's default metrics came out as relaypoint_process_process_* and relaypoint_process_nodejs_*.
        expect(res.text).to.include('relaypoint_process_cpu_seconds_total');
        expect(res.text).to.include('relaypoint_nodejs_eventloop_lag_seconds');
        expect(res.text).to.not.match(/relaypoint_process_(process|nodejs)_/);
        if (target.dialect !== 'sqlite') {
          // Regression: the SQLite-only histograms were exported (always empty) on PostgreSQL.
          expect(res.text).to.not.include('relaypoint_store_sync_seconds');
          expect(res.text).to.not.include('relaypoint_store_checkpoint_seconds');
          return;
        }
        // The SQLite store's disk: every commit waited for a WAL sync, and the background checkpoint follows it.
        const count = (text: string, metric: string) => Number(new RegExp(`^${metric}_count (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
        expect(count(res.text, 'relaypoint_store_sync_seconds')).to.be.at.least(2);
        await waitFor(
          async () => count((await env.call('GET', '/metrics', { key: null })).text, 'relaypoint_store_checkpoint_seconds') >= 1,
          5000,
          'a checkpoint',
        );
      });
    });

    describe('auth and tenant isolation', () => {
      it('refuses a missing or unknown key with 401 problem+json', async () => {
        expectProblem(await env.call('GET', '/v1/issuances', { key: null }), 401, 'UNAUTHORIZED');
        expectProblem(await env.call('GET', '/v1/issuances', { key: 'not-a-key-at-all-0000000' }), 401, 'UNAUTHORIZED');
        expectProblem(await env.call('GET', '/v1/issuances', { key: null, headers: { authorization: 'Basic abc' } }), 401, 'UNAUTHORIZED');
      });

      it('accepts every key of a tenant', async () => {
        expect((await env.call('GET', '/v1/issuances', { key: TENANT_A_KEY2 })).status).to.equal(200);
      });

      it("answers 404 for another tenant's issuance, webhook and delivery, and lists only the tenant's own", async () => {
        const reference = ref('iso');
        expect((await env.call('POST', '/v1/issuances', { body: airtime(reference) })).status).to.equal(201);
        expectProblem(await env.call('GET', `/v1/issuances/${reference}`, { key: TENANT_B_KEY }), 404, 'NOT_FOUND');
        const listB = await env.call('GET', '/v1/issuances', { key: TENANT_B_KEY });
        expect((listB.body.items as unknown as Array<{ reference: string }>).map((i) => i.reference)).not.to.include(reference);

        const sub = await env.call('POST', '/v1/webhooks', { body: { url: `${env.sim.url}/__sim/sink/iso`, events: ['reward.issued'] } });
        expect(sub.status).to.equal(201);
        const id = String(sub.body.id);
        expectProblem(await env.call('GET', `/v1/webhooks/${id}`, { key: TENANT_B_KEY }), 404, 'NOT_FOUND');
        expectProblem(await env.call('PATCH', `/v1/webhooks/${id}`, { key: TENANT_B_KEY, body: { description: 'x' } }), 404, 'NOT_FOUND');
        expectProblem(await env.call('DELETE', `/v1/webhooks/${id}`, { key: TENANT_B_KEY }), 404, 'NOT_FOUND');
        expectProblem(await env.call('POST', `/v1/webhooks/${id}/rotate-secret`, { key: TENANT_B_KEY }), 404, 'NOT_FOUND');
        expectProblem(await env.call('GET', `/v1/webhooks/${id}/deliveries`, { key: TENANT_B_KEY }), 404, 'NOT_FOUND');
        expect((await env.call('GET', `/v1/webhooks/${id}`)).status).to.equal(200);
      });

      it('lets two tenants use the same reference without colliding at the provider', async () => {
        const reference = ref('shared');
        const a = await env.call('POST', '/v1/issuances', { body: airtime(reference) });
        const b = await env.call('POST', '/v1/issuances', { key: TENANT_B_KEY, body: airtime(reference) });
        expect(a.status).to.equal(201);
        expect(b.status).to.equal(201);
        expect(b.body.id).to.not.equal(a.body.id);
        expect(b.body.voucher.code).to.not.equal(a.body.voucher.code);
        expect(env.sim.ledger.countByReference('airtime', `tenant-a:${reference}`)).to.equal(1);
        expect(env.sim.ledger.countByReference('airtime', `tenant-b:${reference}`)).to.equal(1);
      });

      it('lets the admin key act for a tenant named in X-Relaypoint-Tenant, list the issuances of every tenant, and list tenants', async () => {
        const reference = ref('admin');
        await env.call('POST', '/v1/issuances', { body: airtime(reference) });
        const got = await env.call('GET', `/v1/issuances/${reference}`, { key: ADMIN_KEY, headers: { 'x-relaypoint-tenant': 'tenant-a' } });
        expect(got.status).to.equal(200);
        expectProblem(await env.call('GET', `/v1/issuances/${reference}`, { key: ADMIN_KEY }), 400, 'VALIDATION_FAILED');
        const bRef = ref('admin-b');
        await env.call('POST', '/v1/issuances', { key: TENANT_B_KEY, body: giftcard(bRef) });
        const all = await env.call('GET', '/v1/issuances?limit=200', { key: ADMIN_KEY });
        const tenants = new Set((all.body.items as unknown as Array<{ tenantId: string }>).map((i) => i.tenantId));
        expect([...tenants].sort()).to.deep.equal(['tenant-a', 'tenant-b']);
        expectProblem(
          await env.call('GET', '/v1/issuances', { key: ADMIN_KEY, headers: { 'x-relaypoint-tenant': 'nope' } }),
          404,
          'NOT_FOUND',
        );
        const listed = await env.call('GET', '/v1/tenants', { key: ADMIN_KEY });
        expect(listed.body.items).to.deep.equal([
          { id: 'tenant-a', name: 'Tenant A' },
          { id: 'tenant-b', name: 'Tenant B' },
        ]);
        expectProblem(await env.call('GET', '/v1/tenants'), 403, 'FORBIDDEN');
      });
    });

    describe('POST /v1/issuances', () => {
      it('answers 201 with the record when the provider confirms, and the ledger holds one entry', async () => {
        const reference = ref('ok');
        const res = await env.call('POST', '/v1/issuances', { body: airtime(reference) });
        expect(res.status).to.equal(201);
        expect(res.headers.get('location')).to.equal(`/v1/issuances/${reference}`);
        expect(res.body).to.include({
          reference,
          status: 'succeeded',
          connector: 'airtime',
          amount: '5.00',
          currency: 'USD',
          tenantId: 'tenant-a',
          needsAttention: false,
        });
        expect(res.body.voucher.code).to.be.a('string');
        expect(env.sim.ledger.countByReference('airtime', `tenant-a:${reference}`)).to.equal(1);
      });

      it('issues a gift card', async () => {
        const res = await env.call('POST', '/v1/issuances', { body: giftcard(ref('gc')) });
        expect(res.status).to.equal(201);
        expect(res.body.voucher.code).to.be.a('string');
      });

      it('answers a repeat with the same body with the same record (200) and sends nothing', async () => {
        const reference = ref('idem');
        const first = await env.call('POST', '/v1/issuances', { body: airtime(reference) });
        const again = await env.call('POST', '/v1/issuances', { body: airtime(reference, { amount: '5.0' }) });
        expect(again.status).to.equal(200);
        expect(again.body).to.deep.equal(first.body);
        expect(env.sim.journal.entries({ route: 'airtime.issue', reference: `tenant-a:${reference}` })).to.have.length(1);
      });

      it('answers a repeat sent while the first call is in flight as soon as that call is recorded, not at the next poll', async () => {
        const reference = ref('inflight');
        env.sim.setScenario({
          rules: [
            { route: 'airtime.issue', reference: `tenant-a:${reference}`, fault: { type: 'latency', distribution: 'fixed', ms: 400 } },
          ],
        });
        try {
          const stamp = <T>(p: Promise<T>) => p.then((r) => ({ r, at: performance.now() }));
          const first = stamp(env.call('POST', '/v1/issuances', { body: airtime(reference) }));
          await new Promise((r) => setTimeout(r, 50));
          const second = stamp(env.call('POST', '/v1/issuances', { body: airtime(reference) }));
          const [a, b] = await Promise.all([first, second]);
          expect(a.r.status).to.equal(201);
          expect(b.r.status).to.equal(200);
          expect(b.r.body).to.deep.equal(a.r.body);
          // Polling alone (100 ms, then 200 ms, ...) would answer the repeat about 350 ms after the first.
          expect(b.at - a.at).to.be.lessThan(150);
          expect(env.sim.journal.entries({ route: 'airtime.issue', reference: `tenant-a:${reference}` })).to.have.length(1);
        } finally {
          env.sim.setScenario({ rules: [] });
        }
      });

      it('answers 409 REFERENCE_CONFLICT for the same reference with a different body, sending nothing', async () => {
        const reference = ref('conflict');
        await env.call('POST', '/v1/issuances', { body: airtime(reference) });
        const res = await env.call('POST', '/v1/issuances', { body: airtime(reference, { amount: '6.00' }) });
        expectProblem(res, 409, 'REFERENCE_CONFLICT');
        expect(env.sim.ledger.countByReference('airtime', `tenant-a:${reference}`)).to.equal(1);
        expect(env.sim.journal.entries({ route: 'airtime.issue', reference: `tenant-a:${reference}` })).to.have.length(1);
      });

      it('answers 422 PROVIDER_REJECTED with the provider code when the provider refuses', async () => {
        const reference = ref('rej');
        const res = await env.call('POST', '/v1/issuances', { body: airtime(reference, { phoneNumber: '+263771230002' }) });
        expectProblem(res, 422, 'PROVIDER_REJECTED');
        expect(res.body.providerCode).to.be.a('string');
        expect(res.body.issuance).to.include({ reference, status: 'failed' });
        expect(res.body.reason).to.be.a('string').and.equal(res.body.issuance.error.code);
        const declined = await env.call('POST', '/v1/issuances', { body: airtime(ref('declined'), { phoneNumber: '+263771230006' }) });
        expectProblem(declined, 422, 'PROVIDER_REJECTED');
        // Regression: a plain decline (the simulator's 0006) said "failed" in reason, providerCode and error.code.
        expect(declined.body.reason).to.equal('PROVIDER_DECLINED');
        expect(declined.body.providerCode).to.equal('PROVIDER_DECLINED');
        expect(declined.body.issuance.error.code).to.equal('PROVIDER_DECLINED');
        expect(declined.body.issuance.status).to.equal('failed');
        const again = await env.call('POST', '/v1/issuances', { body: airtime(reference, { phoneNumber: '+263771230002' }) });
        expect(again.status).to.equal(200);
        expect(again.body.status).to.equal('failed');
      });

      it('waits for a pending issuance to resolve within issuanceWaitMs (201)', async () => {
        const res = await env.call('POST', '/v1/issuances', { body: airtime(ref('async'), { productId: 'AIRTIME_ASYNC' }) });
        expect(res.status).to.equal(201);
        expect(res.body.status).to.equal('succeeded');
        expect(res.body.checks).to.be.greaterThan(0);
      });

      it('refuses a JSON number amount with AMOUNT_MUST_BE_STRING, and never calls the provider', async () => {
        const reference = ref('num');
        const res = await env.call('POST', '/v1/issuances', { body: airtime(reference, { amount: 5 }) });
        expectProblem(res, 400, 'AMOUNT_MUST_BE_STRING');
        expect(res.body.errors).to.deep.equal(['body.amount: must be a decimal string such as "5.00"']);
        expect(env.sim.journal.entries({ reference: `tenant-a:${reference}` })).to.have.length(0);
      });

      it('lists every schema problem as a path line (VALIDATION_FAILED)', async () => {
        const res = await env.call('POST', '/v1/issuances', {
          body: { connector: 'airtime', amount: '5.00', currency: 'usd', reference: 'x', extra: 1 },
        });
        expectProblem(res, 400, 'VALIDATION_FAILED');
        expect(res.body.errors).to.include.members(['body.productId: is required', 'body.customerId: is required']);
        expect((res.body.errors as unknown as string[]).some((l) => l.startsWith('body.currency:'))).to.equal(true);
        expect((res.body.errors as unknown as string[]).some((l) => l.includes('"extra"'))).to.equal(true);
      });

      it('refuses bad parameters with core codes before any provider call', async () => {
        expectProblem(
          await env.call('POST', '/v1/issuances', { body: airtime(ref('p'), { phoneNumber: '0771234567' }) }),
          400,
          'INVALID_PHONE_NUMBER',
        );
        expectProblem(await env.call('POST', '/v1/issuances', { body: airtime(ref('p'), { amount: '5.001' }) }), 400, 'INVALID_AMOUNT');
        expectProblem(await env.call('POST', '/v1/issuances', { body: airtime(ref('p'), { amount: '1e3' }) }), 400, 'INVALID_AMOUNT');
        expectProblem(await env.call('POST', '/v1/issuances', { body: airtime(ref('p'), { currency: 'XYZ' }) }), 400, 'INVALID_CURRENCY');
        expectProblem(
          await env.call('POST', '/v1/issuances', { body: airtime(ref('p'), { connector: 'nope' }) }),
          400,
          'UNKNOWN_CONNECTOR',
        );
      });

      it('answers malformed JSON 400, oversized 413, wrong content type 415, unknown route 404 — never 500', async () => {
        expectProblem(
          await env.call('POST', '/v1/issuances', { raw: '{"connector": ', headers: { 'content-type': 'application/json' } }),
          400,
          'MALFORMED_JSON',
        );
        expectProblem(
          await env.call('POST', '/v1/issuances', { raw: '"just a string"', headers: { 'content-type': 'application/json' } }),
          400,
          'MALFORMED_JSON',
        );
        expectProblem(
          await env.call('POST', '/v1/issuances', {
            raw: JSON.stringify({ pad: 'x'.repeat(200_000) }),
            headers: { 'content-type': 'application/json' },
          }),
          413,
          'PAYLOAD_TOO_LARGE',
        );
        expectProblem(
          await env.call('POST', '/v1/issuances', { raw: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
          415,
          'UNSUPPORTED_MEDIA_TYPE',
        );
        expectProblem(await env.call('GET', '/v1/nothing-here'), 404, 'NOT_FOUND');
        expectProblem(await env.call('GET', '/nothing', { key: null }), 404, 'NOT_FOUND');
      });

      it('answers a method a route does not have 405 with an Allow header naming the ones it has', async () => {
        const put = await env.call('PUT', '/v1/issuances', { body: {} });
        expectProblem(put, 405, 'METHOD_NOT_ALLOWED');
        expect(put.headers.get('allow')).to.equal('GET, HEAD, POST');
        const del = await env.call('DELETE', '/v1/issuances/some-ref');
        expectProblem(del, 405, 'METHOD_NOT_ALLOWED');
        expect(del.headers.get('allow')).to.equal('GET, HEAD');
        const post = await env.call('POST', '/healthz', { key: null, body: {} });
        expectProblem(post, 405, 'METHOD_NOT_ALLOWED');
        expect(post.headers.get('allow')).to.equal('GET, HEAD');
        // A path the API does not have stays 404, whatever the method; and auth still comes first under /v1.
        expectProblem(await env.call('PUT', '/v1/issuances/a/b'), 404, 'NOT_FOUND');
        expectProblem(await env.call('PUT', '/v1/issuances', { key: null, body: {} }), 401, 'UNAUTHORIZED');
        expectProblem(
          await env.call('POST', '/v1/issuances', { raw: '[]', headers: { 'content-type': 'application/json' } }),
          400,
          'VALIDATION_FAILED',
        );
        expectProblem(
          await env.call('POST', '/v1/issuances', { body: airtime(ref('nul'), { customerId: 'a\u0000b' }) }),
          400,
          'VALIDATION_FAILED',
        );
        expectProblem(await env.call('GET', '/v1/issuances/abc%00def'), 400, 'VALIDATION_FAILED');
        expectProblem(await env.call('GET', '/v1/issuances/%E0%A4%A'), 400, 'VALIDATION_FAILED');
        expectProblem(
          await env.call('POST', '/v1/issuances', { raw: '{}', headers: { 'content-type': 'application/json; charset=latin1' } }),
          415,
          'UNSUPPORTED_MEDIA_TYPE',
        );
        expectProblem(
          await env.call('POST', '/v1/issuances', {
            raw: 'not gzip',
            headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
          }),
          400,
          'VALIDATION_FAILED',
        );
        expectProblem(await env.call('POST', '/v1/webhooks/x/replay', { body: { from: 1e300, to: 1e301 } }), 400, 'VALIDATION_FAILED');
      });

      it('answers a request Node cannot parse with a 400 problem document', async () => {
        const { connect } = await import('node:net');
        const u = new URL(env.url);
        const raw = await new Promise<string>((resolve, reject) => {
          const socket = connect(Number(u.port), u.hostname, () => socket.write('NOT A REQUEST\r\n\r\n'));
          let out = '';
          socket.on('data', (d) => (out += d));
          socket.on('end', () => resolve(out));
          socket.on('error', reject);
        });
        expect(raw).to.match(/^HTTP\/1\.1 400 /);
        expect(raw).to.match(/content-type: application\/problem\+json/i);
        expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).to.include({ status: 400, code: 'MALFORMED_REQUEST' });
      });

      it('echoes x-request-id, or generates one', async () => {
        const given = await env.call('GET', '/healthz', { key: null, headers: { 'x-request-id': 'req-abc-123' } });
        expect(given.headers.get('x-request-id')).to.equal('req-abc-123');
        const generated = await env.call('GET', '/healthz', { key: null });
        expect(generated.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/);
      });
    });

    describe('GET /v1/issuances', () => {
      it('gets one by reference and pages through the list with filters', async () => {
        const refs = [ref('page'), ref('page'), ref('page')];
        for (const r of refs) await env.call('POST', '/v1/issuances', { key: TENANT_B_KEY, body: giftcard(r) });
        const one = await env.call('GET', `/v1/issuances/${refs[0]}`, { key: TENANT_B_KEY });
        expect(one.body).to.include({ reference: refs[0], status: 'succeeded' });
        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await env.call(
            'GET',
            `/v1/issuances?connector=giftcard&status=succeeded&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
            { key: TENANT_B_KEY },
          );
          expect(page.status).to.equal(200);
          for (const i of page.body.items as unknown as Array<{ reference: string; connector: string }>) {
            expect(i.connector).to.equal('giftcard');
            seen.push(i.reference);
          }
          cursor = page.body.nextCursor as unknown as string | undefined;
        } while (cursor);
        expect(seen).to.include.members(refs);
        expect(new Set(seen).size).to.equal(seen.length);
        const attention = await env.call('GET', '/v1/issuances?needs_attention=true', { key: TENANT_B_KEY });
        expect(attention.body.items).to.deep.equal([]);
        expectProblem(await env.call('GET', '/v1/issuances?status=bogus'), 400, 'VALIDATION_FAILED');
        expectProblem(await env.call('GET', '/v1/issuances?cursor=garbage'), 400, 'VALIDATION_FAILED');
        // Well-formed JSON, but no time a cursor of ours holds: PostgreSQL refused them as BIGINTs (a 500).
        for (const forged of [
          [1.5, 'x'],
          [1e20, 'x'],
          [-1, 'x'],
        ]) {
          const cursor = Buffer.from(JSON.stringify(forged)).toString('base64url');
          expectProblem(await env.call('GET', `/v1/issuances?cursor=${cursor}`), 400, 'VALIDATION_FAILED');
        }
      });
    });

    describe('webhooks and events', () => {
      // Regression: the demo's printed command and the quick start's both subscribed the sink: every event arrived twice.
      it('answers a second subscription to the same URL and events with the first one (200, same id and secret)', async () => {
        const body = { url: `${env.sim.url}/__sim/sink/twice`, events: ['reward.issued', 'customer.enrolled'] };
        const first = await env.call('POST', '/v1/webhooks', { body });
        expect(first.status).to.equal(201);
        const second = await env.call('POST', '/v1/webhooks', { body: { ...body, events: ['customer.enrolled', 'reward.issued'] } });
        expect(second.status).to.equal(200);
        expect(second.body.id).to.equal(first.body.id);
        expect(second.body.secret).to.equal(first.body.secret);
        expect(second.body).to.not.have.property('existing');
        const other = await env.call('POST', '/v1/webhooks', { body: { ...body, events: ['reward.issued'] } });
        expect(other.status).to.equal(201);
        expect(other.body.id).to.not.equal(first.body.id);
      });

      it('manages a subscription: create (secret once), list, get, patch, rotate, deliveries, retry, replay, delete', async () => {
        const sink = `${env.sim.url}/__sim/sink/crud`;
        const created = await env.call('POST', '/v1/webhooks', { body: { url: sink, events: ['customer.enrolled'], description: 'crud' } });
        expect(created.status).to.equal(201);
        expect(String(created.body.secret)).to.match(/^whsec_/);
        const id = String(created.body.id);
        env.sim.sinks.configure('crud', { secret: String(created.body.secret) });

        const list = await env.call('GET', '/v1/webhooks');
        expect((list.body.items as unknown as Array<{ id: string; secret?: string }>).find((s) => s.id === id)).to.not.have.property(
          'secret',
        );
        expect((await env.call('GET', `/v1/webhooks/${id}`)).body).to.not.have.property('secret');
        expect((await env.call('PATCH', `/v1/webhooks/${id}`, { body: { description: 'renamed' } })).body.description).to.equal('renamed');

        const published = await env.call('POST', '/v1/events', {
          body: { type: 'customer.enrolled', data: { customerId: 'c-1', enrolledAt: new Date().toISOString() } },
        });
        expect(published.status).to.equal(202);
        expect(published.body.id).to.be.a('string');
        await waitFor(() => env.sim.sinks.deliveries('crud').length >= 1, 10_000, 'a delivery at the sink');
        expect(env.sim.sinks.deliveries('crud')[0].verified).to.equal(true);

        const deliveries = await env.call('GET', `/v1/webhooks/${id}/deliveries`);
        expect(deliveries.status).to.equal(200);
        const delivery = (deliveries.body.items as unknown as Array<{ id: string }>)[0];
        expect((await env.call('GET', `/v1/deliveries/${delivery.id}`)).status).to.equal(200);
        // The sink has the request before its outcome is recorded; a retry meanwhile is refused (DELIVERY_IN_FLIGHT).
        await waitFor(
          async () => String((await env.call('GET', `/v1/deliveries/${delivery.id}`)).body.status) === 'delivered',
          10_000,
          'the delivery recorded',
        );
        expect((await env.call('POST', `/v1/deliveries/${delivery.id}/retry`)).status).to.equal(202);
        expectProblem(await env.call('POST', `/v1/deliveries/${delivery.id}/retry`, { key: TENANT_B_KEY }), 404, 'NOT_FOUND');

        const replay = await env.call('POST', `/v1/webhooks/${id}/replay`, {
          body: { from: Date.now() - 60_000, to: new Date().toISOString() },
        });
        expect(replay.status).to.equal(202);
        expect(replay.body.scheduled).to.be.a('number');

        const rotated = await env.call('POST', `/v1/webhooks/${id}/rotate-secret`, { body: {} });
        expect(rotated.status).to.equal(200);
        expect(String(rotated.body.secret)).to.match(/^whsec_/);

        expect((await env.call('DELETE', `/v1/webhooks/${id}`)).status).to.equal(204);
        // Nothing is sent for a deleted webhook: a retry of its delivery says so instead of answering 202.
        expectProblem(await env.call('POST', `/v1/deliveries/${delivery.id}/retry`), 409, 'SUBSCRIPTION_DELETED');
        expectProblem(await env.call('GET', `/v1/webhooks/${id}`), 404, 'NOT_FOUND');
      });

      it('sends a test event to one subscription alone (202 with its delivery), and refuses a disabled or deleted one (409)', async () => {
        const created = await env.call('POST', '/v1/webhooks', {
          body: { url: `${env.sim.url}/__sim/sink/test-event`, events: ['reward.redeemed'] },
        });
        const id = String(created.body.id);
        env.sim.sinks.configure('test-event', { secret: String(created.body.secret) });
        const other = await env.call('POST', '/v1/webhooks', {
          body: { url: `${env.sim.url}/__sim/sink/test-event-other`, events: ['*'] },
        });

        const sent = await env.call('POST', `/v1/webhooks/${id}/test`);
        expect(sent.status).to.equal(202);
        expect(sent.body.subscriptionId).to.equal(id);
        const deliveryId = String(sent.body.deliveryId);
        expect(sent.headers.get('location')).to.equal(`/v1/deliveries/${deliveryId}`);
        await waitFor(
          async () => String((await env.call('GET', `/v1/deliveries/${deliveryId}`)).body.status) === 'delivered',
          10_000,
          'the test delivery recorded',
        );
        const [received] = env.sim.sinks.deliveries('test-event');
        expect(received.verified).to.equal(true);
        expect(received.headers['webhook-id']).to.equal(deliveryId);
        expect((received.json as { type: string }).type).to.equal('webhook.test');
        expect(env.sim.sinks.deliveries('test-event-other')).to.have.length(0);
        const delivery = await env.call('GET', `/v1/deliveries/${deliveryId}`);
        expect(delivery.body.eventType).to.equal('webhook.test');
        expect(delivery.body.attempts).to.have.length(1);

        expectProblem(await env.call('POST', `/v1/webhooks/${id}/test`, { key: TENANT_B_KEY }), 404, 'NOT_FOUND');
        await env.call('PATCH', `/v1/webhooks/${other.body.id}`, { body: { active: false } });
        expectProblem(await env.call('POST', `/v1/webhooks/${other.body.id}/test`), 409, 'SUBSCRIPTION_INACTIVE');
        expect((await env.call('DELETE', `/v1/webhooks/${id}`)).status).to.equal(204);
        expectProblem(await env.call('POST', `/v1/webhooks/${id}/test`), 409, 'SUBSCRIPTION_DELETED');
      });

      it('refuses an invalid event (EVENT_INVALID, with path lines) and a bad subscription', async () => {
        const bad = await env.call('POST', '/v1/events', { body: { type: 'customer.enrolled', data: { nope: true } } });
        expectProblem(bad, 400, 'EVENT_INVALID');
        expect(bad.body.errors).to.be.an('array').that.is.not.empty;
        expectProblem(await env.call('POST', '/v1/events', { body: { type: 'no.such.event', data: {} } }), 400, 'EVENT_INVALID');
        expectProblem(
          await env.call('POST', '/v1/webhooks', { body: { url: 'not a url', events: ['reward.issued'] } }),
          400,
          'VALIDATION_FAILED',
        );
        expectProblem(
          await env.call('POST', '/v1/webhooks', { body: { url: 'https://10.0.0.1/hook', events: ['reward.issued'] } }),
          400,
          'WEBHOOK_URL_FORBIDDEN',
        );
        expectProblem(await env.call('POST', '/v1/webhooks', { body: { url: `${env.sim.url}/x`, events: [] } }), 400, 'VALIDATION_FAILED');
      });

      it('delivers reward.issued, signed, when an issuance succeeds', async () => {
        const created = await env.call('POST', '/v1/webhooks', {
          key: TENANT_B_KEY,
          body: { url: `${env.sim.url}/__sim/sink/issued-b`, events: ['reward.issued'] },
        });
        env.sim.sinks.configure('issued-b', { secret: String(created.body.secret) });
        const reference = ref('event');
        expect((await env.call('POST', '/v1/issuances', { key: TENANT_B_KEY, body: airtime(reference) })).status).to.equal(201);
        const [d] = await waitFor(
          () => {
            const ds = env.sim.sinks.deliveries('issued-b');
            return ds.length > 0 ? ds : undefined;
          },
          10_000,
          'reward.issued at the sink',
        );
        expect(d.verified).to.equal(true);
        const body = d.json as { type: string; data: Record<string, unknown> };
        expect(body.type).to.equal('reward.issued');
        expect(body.data).to.include({ reference, connector: 'airtime', amount: '5.00', currency: 'USD', status: 'succeeded' });
        expect((body.data.voucher as { codeLast4: string }).codeLast4).to.have.length(4);
      });
    });

    describe('GET /v1/connectors', () => {
      it('lists instances with plugin id, package version, capabilities and breaker state', async () => {
        const res = await env.call('GET', '/v1/connectors');
        expect(res.status).to.equal(200);
        const items = res.body.items as unknown as Array<Record<string, unknown>>;
        expect(items.map((i) => i.name)).to.deep.equal(['airtime', 'giftcard']);
        expect(items[0]).to.include({ plugin: 'airtime', package: '@relaypoint/connector-airtime', breaker: 'closed' });
        expect(items[0].version).to.match(/^\d+\.\d+\.\d+/);
        expect(items[0].capabilities).to.have.property('duplicateReference');
      });
    });
  }),
);
