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

    it('sends a test event to one subscription alone (202 with its delivery), and refuses a disabled or deleted one (409)', async () => {
      const created = await env.call('POST', '/v1/webhooks', { body: { url: `${env.sim.url}/__sim/sink/test-event`, events: ['reward.redeemed'] } });
      const id = String(created.body.id);
      env.sim.sinks.configure('test-event', { secret: String(created.body.secret) });
      const other = await env.call('POST', '/v1/webhooks', { body: { url: `${env.sim.url}/__sim/sink/test-event-other`, events: ['*'] } });

      const sent = await env.call('POST', `/v1/webhooks/${id}/test`);
      expect(sent.status).to.equal(202);
      expect(sent.body.subscriptionId).to.equal(id);
      const deliveryId = String(sent.body.deliveryId);
      expect(sent.headers.get('location')).to.equal(`/v1/deliveries/${deliveryId}`);
      await waitFor(async () => String((await env.call('GET', `/v1/deliveries/${deliveryId}`)).body.status) === 'delivered', 10_000, 'the test delivery recorded');
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
      expectProblem(await env.call('POST', '/v1/webhooks', { body: { url: 'not a url', events: ['reward.issued'] } }), 400, 'VALIDATION_FAILED');
      expectProblem(await env.call('POST', '/v1/webhooks', { body: { url: 'https://10.0.0.1/hook', events: ['reward.issued'] } }), 400, 'WEBHOOK_URL_FORBIDDEN');
      expectProblem(await env.call('POST', '/v1/webhooks', { body: { url: `${env.sim.url}/x`, events: [] } }), 400, 'VALIDATION_FAILED');
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
