import { expect } from 'chai';
import { isConfigError } from '@relaypoint/core';
import { startSimulator, type Simulator } from '../src/index.js';
import { AIRTIME_KEY, issue, json, order, raw } from './helpers.js';

describe('control API and journal', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ seed: 3, journalSize: 5 });
  });
  after(() => sim.close());
  beforeEach(() => {
    sim.setScenario({});
    sim.reset();
  });
  const ctl = (path: string, method = 'GET', body?: unknown) =>
    raw(`${sim.url}/__sim${path}`, { method, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });

  it('GET /__sim/ledger and /__sim/ledger/count report issuances per reference', async () => {
    await issue(sim.url, 'R-a');
    await order(sim.url, 'E-a');
    const all = json<{ entries: { reference: string }[] }>(await ctl('/ledger'));
    expect(all.entries.map((e) => e.reference)).to.deep.equal(['R-a', 'E-a']);
    expect(json<{ entries: unknown[] }>(await ctl('/ledger?provider=giftcard')).entries).to.have.length(1);
    expect(json(await ctl('/ledger/count?provider=airtime&reference=R-a')).count).to.equal(1);
    expect(json(await ctl('/ledger/count?provider=airtime&reference=R-none')).count).to.equal(0);
    expect((await ctl('/ledger/count?provider=x&reference=R')).status).to.equal(400);
  });

  it('GET /__sim/journal refuses an unknown route with 400 naming the known ones', async () => {
    await issue(sim.url, 'R-route');
    const r = await ctl('/journal?route=airtime.issues');
    expect(r.status).to.equal(400);
    // Problem details, as every Relaypoint API answers errors.
    expect(String(r.headers['content-type'])).to.match(/^application\/problem\+json/);
    const body = json<{ code: string; message: string; detail: string; status: number; routes: string[] }>(r);
    expect(body.code).to.equal('INVALID_REQUEST');
    expect(body.status).to.equal(400);
    expect(body.detail).to.equal(body.message);
    expect(body.routes).to.include.members(['airtime.issue', 'giftcard.order', 'control', 'sink', 'unknown']);
    expect(body.message).to.contain('airtime.issue');
    expect(json<{ entries: unknown[] }>(await ctl('/journal?route=airtime.issue')).entries).to.have.length(1);
  });

  it('keeps a bounded journal with credentials masked, filters it, and clears it', async () => {
    for (let i = 0; i < 7; i++) await issue(sim.url, `R-j${i}`);
    const entries = sim.journal.entries();
    expect(entries.map((e) => e.reference)).to.deep.equal(['R-j2', 'R-j3', 'R-j4', 'R-j5', 'R-j6']);
    const e = entries[0];
    expect(e).to.include({ method: 'POST', path: '/airtime/issue', route: 'airtime.issue', attempt: 1, fault: 'none', status: 200 });
    expect(e.headers['x-api-key']).to.equal('sim-***');
    expect(e.headers['x-signature']).to.match(/^[0-9a-f]{4}\*\*\*$/);
    expect(JSON.stringify(entries)).to.not.contain(AIRTIME_KEY);
    expect(e.body).to.deep.include({ reference: 'R-j2', amount: '5.00' });
    expect(json<{ entries: unknown[] }>(await ctl('/journal?reference=R-j4')).entries).to.have.length(1);
    expect(json<{ entries: unknown[] }>(await ctl('/journal?path=/airtime/issue')).entries).to.have.length(5);
    await raw(`${sim.url}/giftcard/products`, { headers: { authorization: 'Bearer sim-giftcard-key' } });
    const gc = sim.journal.entries({ route: 'giftcard.products' });
    expect(gc[0].headers.authorization).to.equal('Bearer sim-***');
    expect((await ctl('/journal', 'DELETE')).status).to.equal(204);
    expect(sim.journal.entries()).to.have.length(0);
  });

  it('journals a body that is not JSON as text, and keeps only the first 16 KiB of a longer one', async () => {
    await raw(`${sim.url}/airtime/issue`, { body: 'not json', headers: { 'x-api-key': AIRTIME_KEY } });
    const long = JSON.stringify({ reference: 'R-long', pad: 'x'.repeat(20_000) });
    await raw(`${sim.url}/airtime/issue`, { body: long, headers: { 'x-api-key': AIRTIME_KEY } });
    const [text, cut] = sim.journal.entries();
    expect(text.body).to.equal('not json');
    expect(text.bodyTruncated).to.equal(undefined);
    expect(cut.bodyTruncated).to.equal(true);
    expect(cut.body).to.equal(long.slice(0, 16 * 1024));
  });

  it('loads a scenario over HTTP, reports it with its seed, and refuses an invalid one with path: message lines', async () => {
    const ok = await ctl('/scenario', 'POST', {
      seed: 9,
      rules: [{ route: 'airtime.issue', calls: { first: 1 }, fault: { type: 'status-before-commit', status: 503 } }],
    });
    expect(ok.status).to.equal(200);
    const got = json(await ctl('/scenario'));
    expect(got.seed, 'the seed given at start wins over the scenario’s').to.equal(3);
    expect(got.rules).to.have.length(1);
    expect((await issue(sim.url, 'R-s')).status).to.equal(503);
    const bad = await ctl('/scenario', 'POST', {
      rules: [{ route: 'nowhere', fault: { type: 'latency', distribution: 'uniform', minMs: 1 } }],
      extra: 1,
    });
    expect(bad.status).to.equal(400);
    const body = json<{ code: string; errors: string[] }>(bad);
    expect(body.code).to.equal('INVALID_SCENARIO');
    expect(body.errors).to.include.members(['(root): unknown property "extra"', 'rules[0].fault.maxMs: is required']);
    expect(body.errors.some((l) => l.startsWith('rules[0].route: must be one of'))).to.equal(true);
    expect(json(await ctl('/scenario')).rules, 'an invalid scenario changes nothing').to.have.length(1);
  });

  it('names only the missing field of a fault without type, or of a latency fault without distribution', async () => {
    const errors = async (scenario: unknown) => json<{ errors: string[] }>(await ctl('/scenario', 'POST', scenario)).errors;
    expect(await errors({ rules: [{ fault: { status: 503 } }] })).to.deep.equal(['rules[0].fault.type: is required']);
    expect(await errors({ rules: [{ fault: [{ type: 'reset' }, { code: 'X' }] }] })).to.deep.equal(['rules[0].fault[1].type: is required']);
    expect(await errors({ rules: [{ fault: { type: 'latency', ms: 5 } }] })).to.deep.equal(['rules[0].fault.distribution: is required']);
  });

  it('refuses a scenario balance with more decimals than the currency has: 400 with the path, the scenario in force stays, reset still works', async () => {
    sim.setScenario({
      balances: { airtime: '10.00' },
      rules: [{ route: 'airtime.issue', calls: { first: 1 }, fault: { type: 'status-before-commit', status: 503 } }],
    });
    const bad = await ctl('/scenario', 'POST', { balances: { airtime: '1.999', giftcard: '5.00' } });
    expect(bad.status).to.equal(400);
    const body = json<{ code: string; errors: string[] }>(bad);
    expect(body.code).to.equal('INVALID_SCENARIO');
    expect(body.errors).to.deep.equal(['balances.airtime: amount "1.999" has 3 decimals; USD has 2']);
    const kept = json<{ balances: unknown; rules: unknown[] }>(await ctl('/scenario'));
    expect(kept.balances).to.deep.equal({ airtime: '10.00' });
    expect(kept.rules).to.have.length(1);
    expect(json(await ctl('/balances'))).to.deep.equal({ airtime: '10.00', giftcard: '1000000.00' });
    expect((await ctl('/reset', 'POST')).status).to.equal(204);
    expect((await issue(sim.url, 'R-kept')).status, 'the rule in force still applies').to.equal(503);
    expect(sim.balance('airtime')).to.equal('10.00');
    expect((await ctl('/reset', 'POST')).status).to.equal(204);
  });

  it('setScenario refuses a balance the currency cannot hold with ConfigError and changes nothing; so does startSimulator', async () => {
    sim.setScenario({ balances: { airtime: '10.00' } });
    try {
      sim.setScenario({ balances: { airtime: '1.001' }, rules: [{ fault: { type: 'reset' } }] });
      expect.fail('should throw');
    } catch (e) {
      expect(isConfigError(e)).to.equal(true);
      expect((e as { errors: string[] }).errors).to.deep.equal(['balances.airtime: amount "1.001" has 3 decimals; USD has 2']);
    }
    expect(sim.scenario()).to.deep.include({ balances: { airtime: '10.00' }, rules: [] });
    expect(sim.balance('airtime')).to.equal('10.00');
    sim.reset();
    expect(sim.balance('airtime')).to.equal('10.00');
    expect((await issue(sim.url, 'R-set')).status).to.equal(200);
    try {
      await startSimulator({
        scenario: { balances: { giftcard: '0.5' } },
        config: {
          giftcard: {
            currency: 'JPY',
            accounts: [{ id: 'g', apiKey: 'k', balance: '1000' }],
            products: [{ id: 'GC', brand: 'B', currency: 'JPY', denominations: ['1000'] }],
          },
        },
      });
      expect.fail('should throw');
    } catch (e) {
      expect(isConfigError(e)).to.equal(true);
      expect((e as { errors: string[] }).errors).to.deep.equal(['balances.giftcard: amount "0.5" has 1 decimals; JPY has 0']);
    }
  });

  it('setScenario throws ConfigError with path: message lines', () => {
    try {
      sim.setScenario({ rules: [{ fault: { type: 'status-after-commit', status: 204 } }] });
      expect.fail('should throw');
    } catch (e) {
      expect(isConfigError(e)).to.equal(true);
      expect((e as { errors: string[] }).errors).to.deep.equal(['rules[0].fault.status: must be >= 300']);
    }
  });

  it('POST /__sim/reset clears ledger, journal and balances, and re-applies the scenario’s balances', async () => {
    sim.setScenario({ balances: { airtime: '10.00' } });
    await issue(sim.url, 'R-r');
    expect(sim.balance('airtime')).to.equal('5.00');
    expect((await ctl('/reset', 'POST')).status).to.equal(204);
    expect(sim.ledger.entries()).to.have.length(0);
    expect(sim.journal.entries()).to.have.length(0);
    expect(sim.balance('airtime')).to.equal('10.00');
    sim.setScenario({});
    sim.reset();
    expect(sim.balance('airtime')).to.equal('1000000.00');
  });

  it('reads and sets balances over HTTP', async () => {
    expect((await ctl('/balances/airtime', 'PUT', { balance: '12.34' })).status).to.equal(200);
    expect(json(await ctl('/balances'))).to.deep.equal({ airtime: '12.34', giftcard: '1000000.00' });
    expect((await ctl('/balances/airtime', 'PUT', { balance: 'lots' })).status).to.equal(400);
    expect((await ctl('/balances/other', 'PUT', { balance: '1.00' })).status).to.equal(404);
  });

  it('forgets the oldest transactions past ledgerSize, says how many, and issues a forgotten reference again', async () => {
    const s = await startSimulator({ ledgerSize: 2 });
    try {
      const first = json(await issue(s.url, 'A')).transaction_id;
      for (const r of ['B', 'C']) await issue(s.url, r);
      expect(s.ledger.entries().map((e) => e.reference)).to.deep.equal(['B', 'C']);
      expect(json(await raw(`${s.url}/__sim/ledger`)).evicted).to.deep.equal({ airtime: 1, giftcard: 0 });
      // The provider forgot A: a repeat is a new issuance (same derived id), not a 409 — why the default is unbounded.
      const again = await issue(s.url, 'A');
      expect([again.status, json(again).transaction_id]).to.deep.equal([200, first]);
      expect(s.ledger.entries().map((e) => e.reference)).to.deep.equal(['C', 'A']);
      expect((await issue(s.url, 'C')).status).to.equal(409);
    } finally {
      await s.close();
    }
  });

  it('refuses an invalid config with ConfigError lines', async () => {
    try {
      await startSimulator({
        config: {
          airtime: { accounts: [{ id: 'a', apiKey: 'k', balance: '1.00' }], products: [{ id: 'P', minAmount: '5.00', maxAmount: '1.00' }] },
        },
      });
      expect.fail('should throw');
    } catch (e) {
      expect((e as { errors: string[] }).errors).to.deep.equal([
        'airtime.accounts[0].secret: is required (the X-Signature key)',
        'airtime.products[0].maxAmount: must be >= minAmount',
      ]);
    }
  });
});
