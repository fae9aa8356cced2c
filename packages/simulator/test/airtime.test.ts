import { expect } from 'chai';
import { startSimulator, type Simulator } from '../src/index.js';
import { AIRTIME_KEY, issue, issueBody, json, raw, sign } from './helpers.js';

describe('airtime API', () => {
  let sim: Simulator;
  let clock = 1_700_000_000_000;
  before(async () => {
    sim = await startSimulator({ seed: 7, now: () => clock });
  });
  after(() => sim.close());
  beforeEach(() => sim.reset());

  it('issues a voucher for a signed request and records it in the ledger with the debit', async () => {
    const r = await issue(sim.url, 'R-ok');
    expect(r.status).to.equal(200);
    expect(r.headers['x-sim-fault']).to.equal('none');
    const b = json(r);
    expect(b).to.include({ status: 'success', message: 'Voucher issued' });
    expect(b.voucher_code).to.match(/^\d{16}$/);
    expect(b.transaction_id).to.be.a('string');
    expect(sim.ledger.entries({ reference: 'R-ok' })).to.have.length(1);
    expect(sim.ledger.entries()[0]).to.include({
      provider: 'airtime',
      amount: '5.00',
      currency: 'USD',
      status: 'success',
      debited: true,
      transactionId: b.transaction_id,
    });
    expect(sim.balance('airtime')).to.equal('999995.00');
  });

  it('reads a JSON number amount exactly, in the notes’ format', async () => {
    const r = await issue(sim.url, 'R-num', { amount: 0.29 });
    expect(r.status).to.equal(200);
    expect(sim.ledger.entries({ reference: 'R-num' })[0].amount).to.equal('0.29');
    expect(sim.balance('airtime')).to.equal('999999.71');
  });

  it('refuses more decimals than the currency has with 400 INVALID_AMOUNT', async () => {
    const r = await issue(sim.url, 'R-dec', { amount: '5.001' });
    expect(r.status).to.equal(400);
    expect(json(r).code).to.equal('INVALID_AMOUNT');
  });

  describe('signature', () => {
    it('passes with the correct signature', async () => {
      expect((await issue(sim.url, 'R-sig')).status).to.equal(200);
    });

    it('refuses a tampered body, a wrong secret and a missing header with 401 INVALID_SIGNATURE', async () => {
      const body = issueBody('R-sig-bad');
      const tampered = body.replace('5.00', '50.00');
      const cases: { body: string; headers: Record<string, string> }[] = [
        { body: tampered, headers: { 'x-api-key': AIRTIME_KEY, 'x-signature': sign(body) } },
        { body, headers: { 'x-api-key': AIRTIME_KEY, 'x-signature': sign(body, 'not-the-secret') } },
        { body, headers: { 'x-api-key': AIRTIME_KEY } },
        { body, headers: { 'x-api-key': AIRTIME_KEY, 'x-signature': 'zz' } },
      ];
      for (const c of cases) {
        const r = await raw(`${sim.url}/airtime/issue`, c);
        expect(r.status).to.equal(401);
        expect(json(r).code).to.equal('INVALID_SIGNATURE');
      }
      expect(sim.ledger.entries()).to.have.length(0);
    });

    it('verifies over the raw bytes: re-serialised JSON with other whitespace does not pass', async () => {
      const body = issueBody('R-ws');
      const spaced = JSON.stringify(JSON.parse(body), null, 1);
      const r = await raw(`${sim.url}/airtime/issue`, { body: spaced, headers: { 'x-api-key': AIRTIME_KEY, 'x-signature': sign(body) } });
      expect(r.status).to.equal(401);
    });

    it('refuses an unknown or missing API key with 401 INVALID_API_KEY', async () => {
      const body = issueBody('R-key');
      for (const headers of [{ 'x-api-key': 'nope', 'x-signature': sign(body) }, { 'x-signature': sign(body) }] as Record<
        string,
        string
      >[]) {
        const r = await raw(`${sim.url}/airtime/issue`, { body, headers });
        expect(r.status).to.equal(401);
        expect(json(r).code).to.equal('INVALID_API_KEY');
      }
    });
  });

  describe('duplicate reference', () => {
    it('answers 409 DUPLICATE_REFERENCE with the original transaction_id and issues nothing more', async () => {
      const first = json(await issue(sim.url, 'R-dup'));
      const again = await issue(sim.url, 'R-dup');
      expect(again.status).to.equal(409);
      expect(json(again)).to.include({ code: 'DUPLICATE_REFERENCE', transaction_id: first.transaction_id });
      expect(sim.ledger.countByReference('airtime', 'R-dup')).to.equal(1);
      expect(sim.balance('airtime')).to.equal('999995.00');
    });

    it('answers the duplicate before any other business check (bad product, bad phone, no balance)', async () => {
      const first = json(await issue(sim.url, 'R-dup2'));
      sim.setBalance('airtime', '0.00');
      for (const extra of [{ product_id: 'NOPE' }, { phone_number: '12' }, { amount: '999.00' }]) {
        const r = await issue(sim.url, 'R-dup2', extra);
        expect(r.status).to.equal(409);
        expect(json(r).transaction_id).to.equal(first.transaction_id);
      }
    });
  });

  describe('business errors', () => {
    it('maps bad input to the provider’s codes', async () => {
      const cases: [Record<string, unknown>, number, string][] = [
        [{ product_id: 'NOPE' }, 400, 'INVALID_PRODUCT'],
        [{ phone_number: '0771234567' }, 400, 'INVALID_PHONE_NUMBER'],
        [{ currency: 'EUR' }, 400, 'INVALID_CURRENCY'],
        [{ amount: '-1' }, 400, 'INVALID_AMOUNT'],
        [{ amount: '1000.01' }, 400, 'INVALID_AMOUNT'],
      ];
      for (const [extra, status, code] of cases) {
        const r = await issue(sim.url, `R-bad-${code}-${status}-${Object.keys(extra)[0]}`, extra);
        expect(r.status, code).to.equal(status);
        expect(json(r).code).to.equal(code);
      }
      const notJson = await raw(`${sim.url}/airtime/issue`, {
        body: 'hello',
        headers: { 'x-api-key': AIRTIME_KEY, 'x-signature': sign('hello') },
      });
      expect(notJson.status).to.equal(400);
      expect(json(notJson).code).to.equal('INVALID_REQUEST');
      expect(sim.ledger.entries()).to.have.length(0);
    });

    it('answers the magic phone numbers like a sandbox: 0002 invalid, 0004 operator down, 0006 declined without debit', async () => {
      const invalid = await issue(sim.url, 'R-m2', { phone_number: '+263770000002' });
      expect([invalid.status, json(invalid).code]).to.deep.equal([400, 'INVALID_PHONE_NUMBER']);
      const down = await issue(sim.url, 'R-m4', { phone_number: '+263770000004' });
      expect([down.status, json(down).code]).to.deep.equal([503, 'OPERATOR_UNAVAILABLE']);
      const declined = await issue(sim.url, 'R-m6', { phone_number: '+263770000006' });
      expect(declined.status).to.equal(200);
      expect(json(declined)).to.include({ status: 'failed', voucher_code: null });
      expect(sim.ledger.entries().map((e) => [e.reference, e.status, e.debited])).to.deep.equal([['R-m6', 'failed', false]]);
      expect(sim.balance('airtime')).to.equal('1000000.00');
    });

    it('answers 402 INSUFFICIENT_BALANCE when the balance runs out, and debits exactly', async () => {
      sim.setBalance('airtime', '7.00');
      expect((await issue(sim.url, 'R-b1')).status).to.equal(200);
      const r = await issue(sim.url, 'R-b2');
      expect([r.status, json(r).code]).to.deep.equal([402, 'INSUFFICIENT_BALANCE']);
      expect(sim.balance('airtime')).to.equal('2.00');
    });

    it('answers 503 OPERATOR_UNAVAILABLE while the scenario says the operator is down', async () => {
      sim.setScenario({ operatorDown: true });
      const r = await issue(sim.url, 'R-down');
      expect([r.status, json(r).code]).to.deep.equal([503, 'OPERATOR_UNAVAILABLE']);
      sim.setScenario({});
      expect((await issue(sim.url, 'R-down')).status).to.equal(200);
    });

    it('answers 429 PHONE_RECENTLY_RECHARGED inside the window, and accepts again after it', async () => {
      sim.setScenario({ recentRechargeWindowMs: 120_000 });
      expect((await issue(sim.url, 'R-w1')).status).to.equal(200);
      clock += 60_000;
      const r = await issue(sim.url, 'R-w2');
      expect([r.status, json(r).code]).to.deep.equal([429, 'PHONE_RECENTLY_RECHARGED']);
      expect((await issue(sim.url, 'R-w3', { phone_number: '+263771111111' })).status).to.equal(200);
      clock += 60_001;
      expect((await issue(sim.url, 'R-w4')).status).to.equal(200);
      sim.setScenario({});
    });

    it('says in Retry-After how many seconds of the recently-recharged window are left, rounded up, at least 1', async () => {
      sim.setScenario({ recentRechargeWindowMs: 120_000 });
      expect((await issue(sim.url, 'R-ra1')).status).to.equal(200);
      clock += 60_000;
      const half = await issue(sim.url, 'R-ra2');
      expect([half.status, half.headers['retry-after']]).to.deep.equal([429, '60']);
      clock += 400;
      expect((await issue(sim.url, 'R-ra3')).headers['retry-after']).to.equal('60');
      clock += 59_599;
      const last = await issue(sim.url, 'R-ra4');
      expect([last.status, last.headers['retry-after']]).to.deep.equal([429, '1']);
      clock += 1;
      const after = await issue(sim.url, 'R-ra5');
      expect([after.status, after.headers['retry-after']]).to.deep.equal([200, undefined]);
      sim.setScenario({});
    });

    it('has the recently-recharged window off by default', async () => {
      expect((await issue(sim.url, 'R-nw1')).status).to.equal(200);
      expect((await issue(sim.url, 'R-nw2')).status).to.equal(200);
    });
  });

  describe('status', () => {
    const get = (path: string) => raw(`${sim.url}${path}`, { headers: { 'x-api-key': AIRTIME_KEY } });

    it('finds a transaction by id and by reference; 404 when unknown', async () => {
      const id = json(await issue(sim.url, 'R-st')).transaction_id as string;
      const byId = await get(`/airtime/status/${id}`);
      expect(byId.status).to.equal(200);
      expect(json(byId)).to.include({ transaction_id: id, reference: 'R-st', status: 'success', amount: '5.00' });
      const byRef = await get('/airtime/transactions?reference=R-st');
      expect(json(byRef).transaction_id).to.equal(id);
      for (const p of ['/airtime/status/AT0000', '/airtime/transactions?reference=unknown']) {
        const r = await get(p);
        expect([r.status, json(r).code]).to.deep.equal([404, 'TRANSACTION_NOT_FOUND']);
      }
    });

    it('keeps AIRTIME_ASYNC pending for 2 polls, then success with a voucher', async () => {
      const first = json(await issue(sim.url, 'R-async', { product_id: 'AIRTIME_ASYNC' }));
      expect(first).to.include({ status: 'pending', voucher_code: null });
      const seen = [];
      for (let i = 0; i < 3; i++) seen.push(json(await get(`/airtime/status/${first.transaction_id}`)).status);
      expect(seen).to.deep.equal(['pending', 'pending', 'success']);
      expect(sim.ledger.entries()[0].voucherCode).to.match(/^\d{16}$/);
    });

    it('keeps AIRTIME_ASYNC_FAIL pending for 2 polls, then failed and refunded', async () => {
      await issue(sim.url, 'R-async-f', { product_id: 'AIRTIME_ASYNC_FAIL' });
      expect(sim.balance('airtime')).to.equal('999995.00');
      const seen = [];
      for (let i = 0; i < 3; i++) seen.push(json(await get('/airtime/transactions?reference=R-async-f')).status);
      expect(seen).to.deep.equal(['pending', 'pending', 'failed']);
      expect(sim.balance('airtime')).to.equal('1000000.00');
      expect(sim.ledger.entries()[0]).to.include({ status: 'failed', debited: false });
    });

    it('resolves a time-based pending product after its delay', async () => {
      const s = await startSimulator({
        now: () => clock,
        config: {
          airtime: { products: [{ id: 'SLOW', minAmount: '1.00', maxAmount: '10.00', pending: { ms: 30_000, outcome: 'success' } }] },
        },
      });
      try {
        await issue(s.url, 'R-slow', { product_id: 'SLOW' });
        const poll = async () =>
          json(await raw(`${s.url}/airtime/transactions?reference=R-slow`, { headers: { 'x-api-key': AIRTIME_KEY } })).status;
        expect(await poll()).to.equal('pending');
        clock += 30_000;
        expect(await poll()).to.equal('success');
      } finally {
        await s.close();
      }
    });
  });

  it('answers 404 NOT_FOUND (journalled as route unknown) for an unknown airtime path', async () => {
    const r = await raw(`${sim.url}/airtime/nope`);
    expect([r.status, json(r).code]).to.deep.equal([404, 'NOT_FOUND']);
    expect(sim.journal.entries({ route: 'unknown' })).to.have.length(1);
  });
});
