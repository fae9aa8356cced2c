import { expect } from 'chai';
import { startSimulator, type Simulator } from '../src/index.js';
import { AIRTIME_KEY, GIFTCARD_KEY, issue, json, order, raw } from './helpers.js';

describe('omit-voucher fault', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ seed: 17 });
  });
  after(() => sim.close());
  beforeEach(() => {
    sim.setScenario({ rules: [{ route: '*', reference: 'V-1', fault: { type: 'omit-voucher' } }] });
    sim.reset();
  });

  it('airtime: commits and answers a well-formed success with voucher_code null; the ledger and a later read have the voucher', async () => {
    const r = await issue(sim.url, 'V-1');
    expect([r.status, r.headers['x-sim-fault']]).to.deep.equal([200, 'omit-voucher']);
    expect(json(r)).to.include({ status: 'success', voucher_code: null, message: 'Voucher issued' });
    const [entry] = sim.ledger.entries({ reference: 'V-1' });
    expect(entry).to.include({ status: 'success', debited: true });
    expect(entry.voucherCode).to.match(/^\d{16}$/);
    const read = await raw(`${sim.url}/airtime/transactions?reference=V-1`, { headers: { 'x-api-key': AIRTIME_KEY } });
    expect(json(read).voucher_code).to.equal(entry.voucherCode);
    expect(sim.journal.entries({ route: 'airtime.issue' })[0]).to.include({ fault: 'omit-voucher', status: 200 });
  });

  it('gift card: commits and answers 201 complete with card null', async () => {
    const r = await order(sim.url, 'V-1');
    expect([r.status, r.headers['x-sim-fault']]).to.deep.equal([201, 'omit-voucher']);
    expect(json(r)).to.include({ status: 'complete', card: null });
    expect(sim.ledger.entries({ provider: 'giftcard' })[0].voucherCode).to.match(/^\d{16}$/);
    const read = await raw(`${sim.url}/giftcard/orders?external_ref=V-1`, { headers: { 'x-api-key': GIFTCARD_KEY } });
    expect(json<{ card: { code: string } }>(read).card.code).to.equal(sim.ledger.entries({ provider: 'giftcard' })[0].voucherCode);
  });

  it('applies to a status read when a rule names that route', async () => {
    sim.setScenario({ rules: [{ route: 'airtime.lookup', fault: { type: 'omit-voucher' } }] });
    await issue(sim.url, 'V-2');
    const read = await raw(`${sim.url}/airtime/transactions?reference=V-2`, { headers: { 'x-api-key': AIRTIME_KEY } });
    expect([read.headers['x-sim-fault'], json(read).status, json(read).voucher_code]).to.deep.equal(['omit-voucher', 'success', null]);
  });
});
