import { expect } from 'chai';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startFaultProxy, startSimulator, type FaultProxy, type Simulator } from '../src/index.js';
import { failure, json, raw } from './helpers.js';
import { ZAPCASH_TOKEN, zapcashModel } from './fixtures/zapcashModel.js';

/** What the small upstream saw. */
interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

describe('startFaultProxy', () => {
  describe('without a model, in front of a small upstream', () => {
    let upstream: Server;
    let seen: Seen[];
    let proxy: FaultProxy;
    before(async () => {
      upstream = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks) });
          if (req.url!.endsWith('/moved')) {
            res.writeHead(303, { location: '/api/elsewhere', 'content-length': 0 });
            res.end();
            return;
          }
          const body = Buffer.concat([Buffer.from('echo:'), Buffer.concat(chunks)]);
          res.writeHead(201, {
            'content-type': 'application/octet-stream',
            'x-upstream': 'yes',
            'content-length': body.length,
            connection: 'keep-alive',
          });
          res.end(body);
        });
      });
      await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
      proxy = await startFaultProxy({ target: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/api`, seed: 3 });
    });
    after(async () => {
      await proxy.close();
      await new Promise((r) => upstream.close(r));
    });
    beforeEach(() => {
      seen = [];
      proxy.setScenario({});
      proxy.reset();
    });

    it('forwards method, path under the target, query and raw bytes both ways; drops hop-by-hop headers; journals proxy.<METHOD> <path>', async () => {
      const bytes = Buffer.from([0, 1, 2, 255, 10, 13]);
      const r = await raw(`${proxy.url}/pay?x=1`, {
        body: bytes,
        headers: {
          'content-type': 'application/octet-stream',
          connection: 'x-private',
          'x-private': 'hop',
          te: 'trailers',
          'x-api-key': 'k-123456789',
        },
      });
      expect([r.status, r.headers['x-upstream'], r.headers['x-sim-fault']]).to.deep.equal([201, 'yes', 'none']);
      expect(r.body.equals(Buffer.concat([Buffer.from('echo:'), bytes]))).to.equal(true);
      expect(seen).to.have.length(1);
      expect([seen[0].method, seen[0].url]).to.deep.equal(['POST', '/api/pay?x=1']);
      expect(seen[0].body.equals(bytes)).to.equal(true);
      expect(seen[0].headers).to.not.have.any.keys('x-private', 'te');
      expect(seen[0].headers['x-api-key']).to.equal('k-123456789');
      const [entry] = proxy.journal.entries();
      expect(entry).to.include({ route: 'proxy.POST /pay', status: 201, fault: 'none' });
      expect(entry.headers['x-api-key']).to.equal('k-12***');
    });

    it('passes a redirect back without following it', async () => {
      const r = await raw(`${proxy.url}/moved`, { method: 'POST', body: '{}' });
      expect([r.status, r.headers.location]).to.deep.equal([303, '/api/elsewhere']);
      expect(seen.map((s) => s.url)).to.deep.equal(['/api/moved']);
    });

    it('faults before forwarding: 5xx, 429 and a real reset never reach the upstream; "*" matches every request', async () => {
      proxy.setScenario({
        rules: [
          { route: '*', calls: { first: 1 }, fault: { type: 'status-before-commit', status: 503 } },
          { path: '/limited', fault: { type: 'rate-limit', retryAfterSeconds: 7 } },
          { path: '/cut*', fault: { type: 'reset' } },
        ],
      });
      const first = await raw(`${proxy.url}/pay`, { body: '{}' });
      expect([first.status, first.headers['x-sim-fault']]).to.deep.equal([503, 'status-before-commit']);
      const limited = await raw(`${proxy.url}/limited`, { body: '{}' });
      expect([limited.status, limited.headers['retry-after']]).to.deep.equal([429, '7']);
      expect((await failure(raw(`${proxy.url}/cut/here`, { body: '{}' }))).code).to.equal('ECONNRESET');
      expect(seen, 'the upstream saw none of them').to.have.length(0);
      expect((await raw(`${proxy.url}/pay`, { body: '{}' })).status).to.equal(201);
      expect(seen).to.have.length(1);
    });

    it('hang holds the request until reset; latency delays it', async () => {
      proxy.setScenario({
        rules: [
          { path: '/slow', fault: { type: 'latency', distribution: 'fixed', ms: 150 } },
          { path: '/hang', fault: { type: 'hang' } },
        ],
      });
      const t0 = Date.now();
      expect((await raw(`${proxy.url}/slow`, { body: '{}' })).status).to.equal(201);
      expect(Date.now() - t0).to.be.at.least(140);
      const hung = failure(raw(`${proxy.url}/hang`, { body: '{}', timeoutMs: 3000 }));
      await new Promise((r) => setTimeout(r, 100));
      proxy.reset();
      expect(['ECONNRESET', 'ABORTED']).to.include((await hung).code);
      expect(seen.map((s) => s.url)).to.deep.equal(['/api/slow']);
    });

    it('serves its control API: journal, scenario (path: message errors), reset', async () => {
      await raw(`${proxy.url}/pay`, { body: '{}' });
      const journal = json<{ entries: unknown[] }>(await raw(`${proxy.url}/__sim/journal?route=${encodeURIComponent('proxy.POST /pay')}`));
      expect(journal.entries).to.have.length(1);
      const bad = await raw(`${proxy.url}/__sim/scenario`, { body: JSON.stringify({ rules: [{ fault: { type: 'rate-limit' } }] }) });
      expect([bad.status, json<{ errors: string[] }>(bad).errors]).to.deep.equal([400, ['rules[0].fault.retryAfterSeconds: is required']]);
      expect((await raw(`${proxy.url}/__sim/reset`, { method: 'POST' })).status).to.equal(204);
      expect(proxy.journal.entries()).to.have.length(0);
    });
  });

  describe('with a model, in front of the simulator serving it', () => {
    let sim: Simulator;
    let proxy: FaultProxy;
    const auth = { authorization: `Bearer ${ZAPCASH_TOKEN}` };
    const payout = (reference: string, timeoutMs = 5000) =>
      raw(`${proxy.url}/v2/payouts`, {
        body: JSON.stringify({ client_reference: reference, amount_minor: 500, currency: 'USD', msisdn: '+15550001111' }),
        headers: auth,
        timeoutMs,
      });
    before(async () => {
      sim = await startSimulator({ models: [zapcashModel], seed: 9 });
      proxy = await startFaultProxy({ target: `${sim.url}/zapcash`, model: zapcashModel, seed: 9 });
    });
    after(async () => {
      await proxy.close();
      await sim.close();
    });
    beforeEach(() => {
      sim.reset();
      proxy.setScenario({});
      proxy.reset();
    });
    const issued = (reference: string) => sim.ledger.countByReference('zapcash', reference);

    it('names routes by the model and finds the reference through its issue parse, so per-reference rules and attempts work', async () => {
      proxy.setScenario({
        rules: [{ route: 'zapcash.payouts.create', reference: 'P-1', attempts: [1], fault: { type: 'status-before-commit', status: 502 } }],
      });
      expect((await payout('P-1')).status).to.equal(502);
      expect(issued('P-1')).to.equal(0);
      expect((await payout('P-1')).status).to.equal(201);
      expect(proxy.journal.entries().map((e) => [e.route, e.reference, e.attempt, e.status])).to.deep.equal([
        ['zapcash.payouts.create', 'P-1', 1, 502],
        ['zapcash.payouts.create', 'P-1', 2, 201],
      ]);
      const found = await raw(`${proxy.url}/v2/payouts?client_reference=P-1`, { headers: auth });
      expect([found.status, proxy.journal.entries({ route: 'zapcash.payouts.find' })[0].reference]).to.deep.equal([200, 'P-1']);
      expect(() => proxy.setScenario({ rules: [{ route: 'airtime.issue', fault: { type: 'reset' } }] })).to.throw(
        /rules\[0\]\.route: must be one of \*, zapcash\.payouts\.create, zapcash\.payouts\.find/,
      );
    });

    it('faults after the upstream answered: drop, truncate, malformed and 5xx each leave the payout issued', async () => {
      const cases: [string, object][] = [
        ['P-drop', { type: 'drop-after-commit' }],
        ['P-trunc', { type: 'truncate' }],
        ['P-garble', { type: 'malformed' }],
        ['P-500', { type: 'status-after-commit', status: 500 }],
      ];
      proxy.setScenario({ rules: cases.map(([reference, fault]) => ({ reference, fault: fault as never })) });
      expect((await failure(payout('P-drop'))).code).to.equal('ECONNRESET');
      const cut = await failure(payout('P-trunc'));
      expect(cut.code).to.equal('ABORTED');
      expect(cut.received!.length).to.be.greaterThan(0);
      const garbled = await payout('P-garble');
      expect(garbled.status).to.equal(201);
      expect(() => JSON.parse(garbled.text)).to.throw();
      expect((await payout('P-500')).status).to.equal(500);
      for (const [reference] of cases) expect(issued(reference), reference).to.equal(1);
    });

    it('a late answer: the upstream issues at once, the client hears after ms or not at all', async () => {
      proxy.setScenario({ rules: [{ reference: 'P-late', fault: { type: 'late-commit', ms: 400 } }] });
      const gaveUp = await failure(payout('P-late', 150));
      expect(gaveUp.code).to.equal('TIMEOUT');
      expect(issued('P-late'), 'the upstream processed it').to.equal(1);
    });

    it('a late answer reaches a client that waits, after ms', async () => {
      proxy.setScenario({ rules: [{ reference: 'P-wait', fault: { type: 'late-commit', ms: 250 } }] });
      const t0 = Date.now();
      const r = await payout('P-wait', 3000);
      expect([r.status, r.headers['x-sim-fault']]).to.deep.equal([201, 'late-commit']);
      expect(Date.now() - t0).to.be.at.least(240);
      expect(issued('P-wait')).to.equal(1);
    });

    it('omit-voucher: the upstream issued with a PIN, the client gets the payout without it', async () => {
      proxy.setScenario({ rules: [{ route: '*', fault: { type: 'omit-voucher' } }] });
      const r = await payout('P-omit');
      expect([r.status, r.headers['x-sim-fault']]).to.deep.equal([201, 'omit-voucher']);
      expect(json<{ payout: Record<string, unknown> }>(r).payout).to.include({ status: 'paid', pin: null, client_reference: 'P-omit' });
      expect(sim.ledger.entries({ reference: 'P-omit' })[0].voucherCode).to.match(/^\d{16}$/);
    });
  });
});
