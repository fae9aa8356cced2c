import { expect } from 'chai';
import { startSimulator, type Simulator } from '../src/index.js';
import { json, raw } from './helpers.js';
import { ZAPCASH_TOKEN, zapcashModel } from './fixtures/zapcashModel.js';

describe('a third-party model (ZapCash) on the simulator', () => {
  let sim: Simulator;
  let base: string;
  before(async () => {
    sim = await startSimulator({ seed: 5, models: [zapcashModel] });
    base = `${sim.url}/zapcash`;
  });
  after(() => sim.close());
  beforeEach(() => {
    sim.setScenario({});
    sim.reset();
  });

  const auth = { authorization: `Bearer ${ZAPCASH_TOKEN}` };
  const payout = (reference: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = auth) =>
    raw(`${base}/v2/payouts`, {
      body: JSON.stringify({ client_reference: reference, amount_minor: 500, currency: 'USD', msisdn: '+15550001111', ...extra }),
      headers,
    });
  const find = (reference: string) => raw(`${base}/v2/payouts?client_reference=${encodeURIComponent(reference)}`, { headers: auth });

  it('serves only the models given, under /<id>, and lists them', async () => {
    expect(sim.models).to.deep.equal([{ id: 'zapcash', prefix: '/zapcash', url: base }]);
    const airtime = await raw(`${sim.url}/airtime/issue`, { body: '{}' });
    expect(airtime.status, 'no airtime model is mounted').to.equal(404);
    expect(String(airtime.headers['content-type'])).to.match(/problem\+json/);
  });

  it('issues a payout in integer minor units, debits the account in that currency and journals the route by its model name', async () => {
    const r = await payout('Z-1', { amount_minor: 1999 });
    expect(r.status).to.equal(201);
    const p = json<{ payout: Record<string, unknown> }>(r).payout;
    expect(p).to.include({ client_reference: 'Z-1', status: 'paid', amount_minor: 1999, currency: 'USD' });
    expect(p.id).to.match(/^po_[0-9a-f]{24}$/);
    expect(p.pin).to.match(/^\d{16}$/);
    expect(sim.ledger.entries({ provider: 'zapcash' })).to.deep.equal([
      {
        provider: 'zapcash',
        account: 'zap-sandbox',
        reference: 'Z-1',
        transactionId: p.id,
        amount: '19.99',
        currency: 'USD',
        status: 'succeeded',
        debited: true,
        voucherCode: p.pin,
        recipient: '+15550001111',
        phoneNumber: '+15550001111',
        createdAt: sim.ledger.entries()[0].createdAt,
      },
    ]);
    expect(sim.balance('zapcash')).to.equal('49980.01');
    const [entry] = sim.journal.entries({ route: 'zapcash.payouts.create' });
    expect(entry).to.include({ reference: 'Z-1', attempt: 1, status: 201, fault: 'none' });
    expect(entry.headers.authorization).to.equal('Bearer zap_***');
  });

  it('keeps 0- and 3-decimal currencies exact: 500 JPY and 1.250 KWD', async () => {
    expect((await payout('Z-jpy', { amount_minor: 500, currency: 'JPY' })).status).to.equal(201);
    expect((await payout('Z-kwd', { amount_minor: 1250, currency: 'KWD' })).status).to.equal(201);
    expect(sim.ledger.entries().map((e) => [e.reference, e.amount, e.currency])).to.deep.equal([
      ['Z-jpy', '500', 'JPY'],
      ['Z-kwd', '1.250', 'KWD'],
    ]);
    expect(sim.balances('zapcash')).to.deep.equal({ 'zap-sandbox': { USD: '50000.00', EUR: '50000.00', JPY: '4999500', KWD: '4998.750' } });
    const gbp = await payout('Z-gbp', { currency: 'GBP' });
    expect([gbp.status, json<{ error: { type: string } }>(gbp).error.type]).to.deep.equal([422, 'unsupported_currency']);
  });

  it('answers 409 duplicate_reference to a repeated reference, same or different terms, and issues once', async () => {
    const first = json<{ payout: { id: string } }>(await payout('Z-dup')).payout;
    for (const extra of [{}, { amount_minor: 501 }, { currency: 'EUR' }, { msisdn: '+15550009999' }]) {
      const again = await payout('Z-dup', extra);
      expect(again.status).to.equal(409);
      expect(json<{ error: Record<string, unknown> }>(again).error).to.include({ type: 'duplicate_reference', payout_id: first.id });
    }
    expect(sim.ledger.countByReference('zapcash', 'Z-dup')).to.equal(1);
    expect(sim.balance('zapcash')).to.equal('49995.00');
  });

  it('finds a payout by reference only; 404 for an unknown one; 422 without client_reference', async () => {
    await payout('Z-find');
    const found = await find('Z-find');
    expect(json<{ payout: Record<string, unknown> }>(found).payout).to.include({ client_reference: 'Z-find', status: 'paid' });
    expect((await find('Z-none')).status).to.equal(404);
    const none = await raw(`${base}/v2/payouts`, { headers: auth });
    expect([none.status, json<{ error: { message: string } }>(none).error.message]).to.deep.equal([422, 'client_reference is required']);
    expect((await raw(`${base}/v2/payouts/po_1`, { headers: auth })).status, 'no lookup by id').to.equal(404);
  });

  it('refuses a missing or wrong bearer token with 401 and a float amount with 422', async () => {
    for (const headers of [{}, { authorization: 'Bearer nope' }, { authorization: ZAPCASH_TOKEN }]) {
      const r = await payout('Z-auth', {}, headers as Record<string, string>);
      expect([r.status, json<{ error: { type: string } }>(r).error.type]).to.deep.equal([401, 'unauthenticated']);
    }
    const float = await payout('Z-float', { amount_minor: 5.5 });
    expect([float.status, json<{ error: { type: string } }>(float).error.type]).to.deep.equal([422, 'invalid_amount']);
    expect(sim.ledger.entries()).to.have.length(0);
  });

  it('applies scenario rules by model route name and "*", and takes balances per model and currency', async () => {
    sim.setScenario({
      balances: { zapcash: { EUR: '1.00' } },
      rules: [{ route: '*', calls: { first: 1 }, fault: { type: 'status-before-commit', status: 503 } }],
    });
    const faulted = await payout('Z-s1');
    expect([faulted.status, faulted.headers['x-sim-fault']]).to.deep.equal([503, 'status-before-commit']);
    const broke = await payout('Z-s2', { currency: 'EUR', amount_minor: 101 });
    expect([broke.status, json<{ error: { type: string } }>(broke).error.type]).to.deep.equal([422, 'insufficient_funds']);
    expect(sim.balance('zapcash', 'EUR')).to.equal('1.00');
    sim.setScenario({ rules: [{ route: 'zapcash.payouts.find', fault: { type: 'status-before-commit', status: 500 } }] });
    expect((await payout('Z-s3')).status).to.equal(201);
    expect((await find('Z-s3')).status).to.equal(500);
    expect(() => sim.setScenario({ rules: [{ route: 'airtime.issue', fault: { type: 'reset' } }] })).to.throw(
      /rules\[0\]\.route: must be one of \*, zapcash\.payouts\.create, zapcash\.payouts\.find/,
    );
    expect(() => sim.setScenario({ balances: { airtime: '1.00' } })).to.throw(/balances\.airtime: no such model \(zapcash\)/);
  });

  it('omit-voucher: commits, then answers a well-formed success without the PIN', async () => {
    sim.setScenario({ rules: [{ route: '*', fault: { type: 'omit-voucher' } }] });
    const r = await payout('Z-omit');
    expect([r.status, r.headers['x-sim-fault']]).to.deep.equal([201, 'omit-voucher']);
    expect(json<{ payout: Record<string, unknown> }>(r).payout).to.include({ status: 'paid', pin: null });
    expect(sim.ledger.entries()[0].voucherCode).to.match(/^\d{16}$/);
    sim.setScenario({});
    expect(json<{ payout: { pin: string } }>(await find('Z-omit')).payout.pin).to.equal(sim.ledger.entries()[0].voucherCode);
  });
});
