import { expect } from 'chai';
import { startSimulator, type Simulator } from '../src/index.js';
import { GIFTCARD_KEY, json, order, raw } from './helpers.js';

describe('gift-card API', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ seed: 11 });
  });
  after(() => sim.close());
  beforeEach(() => sim.reset());
  const get = (path: string) => raw(`${sim.url}${path}`, { headers: { 'x-api-key': GIFTCARD_KEY } });

  it('lists fixed and range products; accepts X-API-Key or Authorization: Bearer, refuses others with 401', async () => {
    const r = await get('/giftcard/products');
    const products = json<{ products: { id: string; denomination: Record<string, unknown> }[] }>(r).products;
    expect(products.find((p) => p.id === 'GC-AMAZON-USD')?.denomination).to.deep.equal({
      type: 'fixed',
      values: ['10.00', '25.00', '50.00'],
    });
    expect(products.find((p) => p.id === 'GC-VISA-USD')?.denomination).to.deep.equal({ type: 'range', min: '1.00', max: '500.00' });
    expect((await raw(`${sim.url}/giftcard/products`, { headers: { authorization: `Bearer ${GIFTCARD_KEY}` } })).status).to.equal(200);
    for (const headers of [{}, { 'x-api-key': 'nope' }, { authorization: 'Bearer nope' }] as Record<string, string>[]) {
      const bad = await raw(`${sim.url}/giftcard/products`, { headers });
      expect([bad.status, json(bad).code]).to.deep.equal([401, 'INVALID_API_KEY']);
    }
  });

  it('creates an order (201) with a card, and debits the balance', async () => {
    const r = await order(sim.url, 'E-1');
    expect(r.status).to.equal(201);
    const o = json<{ id: string; status: string; card: Record<string, string> }>(r);
    expect(o.status).to.equal('complete');
    expect(o.card.code).to.match(/^\d{16}$/);
    expect(o.card.pin).to.match(/^\d{4}$/);
    expect(o.card.redemption_url).to.contain(o.card.code);
    expect(sim.balance('giftcard')).to.equal('999975.00');
    expect(sim.ledger.entries({ provider: 'giftcard' })[0]).to.include({ reference: 'E-1', transactionId: o.id, status: 'complete' });
  });

  it('returns the original order (200, nothing issued) for a repeated external_ref with the same body, whatever the amount’s spelling', async () => {
    const first = json(await order(sim.url, 'E-rep'));
    const again = await order(sim.url, 'E-rep', { amount: 25 });
    expect(again.status).to.equal(200);
    expect(json(again)).to.deep.equal(first);
    expect(sim.ledger.countByReference('giftcard', 'E-rep')).to.equal(1);
    expect(sim.balance('giftcard')).to.equal('999975.00');
  });

  it('answers 409 EXTERNAL_REF_CONFLICT for a repeated external_ref with a different body', async () => {
    const first = json(await order(sim.url, 'E-conf'));
    const r = await order(sim.url, 'E-conf', { amount: '50.00' });
    expect(r.status).to.equal(409);
    expect(json(r)).to.include({ code: 'EXTERNAL_REF_CONFLICT', order_id: first.id });
    expect(sim.ledger.countByReference('giftcard', 'E-conf')).to.equal(1);
  });

  it('checks denominations, ranges, currency and product', async () => {
    const cases: [Record<string, unknown>, number, string][] = [
      [{ amount: '20.00' }, 400, 'INVALID_AMOUNT'],
      [{ product_id: 'GC-VISA-USD', amount: '500.01' }, 400, 'INVALID_AMOUNT'],
      [{ product_id: 'GC-VISA-USD', amount: '0.001' }, 400, 'INVALID_AMOUNT'],
      [{ currency: 'EUR' }, 400, 'INVALID_CURRENCY'],
      [{ product_id: 'NOPE' }, 400, 'INVALID_PRODUCT'],
    ];
    let i = 0;
    for (const [extra, status, code] of cases) {
      const r = await order(sim.url, `E-bad-${i++}`, extra);
      expect([r.status, json(r).code], JSON.stringify(extra)).to.deep.equal([status, code]);
    }
    expect((await order(sim.url, 'E-range', { product_id: 'GC-VISA-USD', amount: '123.45' })).status).to.equal(201);
  });

  it('answers 402 INSUFFICIENT_BALANCE when the balance is too low', async () => {
    sim.setBalance('giftcard', '30.00');
    expect((await order(sim.url, 'E-b1')).status).to.equal(201);
    const r = await order(sim.url, 'E-b2');
    expect([r.status, json(r).code]).to.deep.equal([402, 'INSUFFICIENT_BALANCE']);
  });

  it('keeps GC-ASYNC-USD pending for 2 polls, then complete with a card', async () => {
    const o = json(await order(sim.url, 'E-async', { product_id: 'GC-ASYNC-USD', amount: '10.00' }));
    expect(o).to.include({ status: 'pending', card: null });
    const seen = [];
    for (let i = 0; i < 3; i++) seen.push(json(await get(`/giftcard/orders/${o.id}`)).status);
    expect(seen).to.deep.equal(['pending', 'pending', 'complete']);
    expect(json(await get('/giftcard/orders?external_ref=E-async')).card).to.have.property('code');
  });

  it('fails GC-ASYNC-FAIL-USD after 2 polls and refunds it', async () => {
    await order(sim.url, 'E-async-f', { product_id: 'GC-ASYNC-FAIL-USD', amount: '10.00' });
    const seen = [];
    for (let i = 0; i < 3; i++) seen.push(json(await get('/giftcard/orders?external_ref=E-async-f')).status);
    expect(seen).to.deep.equal(['pending', 'pending', 'failed']);
    expect(sim.balance('giftcard')).to.equal('1000000.00');
  });

  it('answers 404 ORDER_NOT_FOUND for an unknown id or external_ref', async () => {
    for (const p of ['/giftcard/orders/gco_nope', '/giftcard/orders?external_ref=nope']) {
      const r = await get(p);
      expect([r.status, json(r).code]).to.deep.equal([404, 'ORDER_NOT_FOUND']);
    }
  });
});
