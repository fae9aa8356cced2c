import { expect } from 'chai';
import { defineProviderModel, startSimulator, type ModelDuplicateRule, type ProviderModel, type Simulator } from '../src/index.js';
import { json, raw } from './helpers.js';

/** A provider keyed by `ref`, with the given duplicate rule and a custom auth (`X-Who: acct`). */
function modelWith(id: string, rule: ModelDuplicateRule): ProviderModel {
  return defineProviderModel({
    id,
    routes: [{ name: 'pay', method: 'POST', path: '/pay', role: 'issue' }],
    auth: { type: 'custom', verify: (r, accounts) => accounts.find((a) => a.key === r.headers['x-who']) },
    accounts: [{ id: 'acct', key: 'me', balances: { USD: '10.00' } }],
    duplicateReference: rule,
    parseIssue: (r) => {
      const b = r.body as { ref: string; cents: number; to?: string };
      return { reference: b.ref, amountMinor: BigInt(b.cents), currency: 'USD', ...(b.to ? { recipient: b.to } : {}) };
    },
    render: {
      issued: (tx, _r, info) => ({ status: info.repeated ? 200 : 201, body: { id: tx.id } }),
      transaction: (tx) => ({ status: 200, body: { id: tx.id } }),
      duplicate: (tx) => ({ status: 409, body: { id: tx.id } }),
      error: (kind) => ({ status: 400, body: { kind } }),
    },
    examples: { issue: { productId: 'p', customerId: 'c', amount: '1.00', currency: 'USD' } },
  });
}

describe('duplicate reference rules', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ models: [modelWith('unsafe', 'none'), modelWith('orig', 'return-original')] });
  });
  after(() => sim.close());
  beforeEach(() => sim.reset());
  const pay = (model: string, body: object, who = 'me') =>
    raw(`${sim.url}/${model}/pay`, { body: JSON.stringify(body), headers: { 'x-who': who } });

  it('none: a repeated reference is issued again, with a new id each time, and debited each time', async () => {
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(json(await pay('unsafe', { ref: 'U-1', cents: 100 })).id);
    expect(new Set(ids).size).to.equal(3);
    expect(sim.ledger.countByReference('unsafe', 'U-1')).to.equal(3);
    expect(sim.balance('unsafe')).to.equal('7.00');
  });

  it('return-original without render.conflict: a different request under a used reference is an invalid-request refusal, nothing issued', async () => {
    const first = await pay('orig', { ref: 'O-1', cents: 100 });
    const same = await pay('orig', { ref: 'O-1', cents: 100 });
    expect([first.status, same.status, json(same).id]).to.deep.equal([201, 200, json(first).id]);
    // No render.conflict: render.duplicate answers it.
    const other = await pay('orig', { ref: 'O-1', cents: 100, to: '+15550001111' });
    expect([other.status, json(other).id]).to.deep.equal([409, json(first).id]);
    expect(sim.ledger.countByReference('orig', 'O-1')).to.equal(1);
  });

  it('custom auth: only an account the model holds authenticates', async () => {
    const r = await pay('orig', { ref: 'O-2', cents: 100 }, 'someone');
    expect([r.status, json(r).kind]).to.deep.equal([400, 'unauthorised']);
  });
});

describe('a model whose own code throws', () => {
  it('answers 500 MODEL_ERROR naming the model and route, and keeps serving', async () => {
    const broken = defineProviderModel({
      ...modelWith('broken', 'reject-duplicate'),
      parseIssue: (r) => {
        if ((r.body as { boom?: boolean }).boom) throw new Error('cannot read the body');
        return { reference: 'B-1', amountMinor: 100n, currency: 'USD' };
      },
    });
    const sim = await startSimulator({ models: [broken] });
    try {
      const r = await raw(`${sim.url}/broken/pay`, { body: JSON.stringify({ boom: true }), headers: { 'x-who': 'me' } });
      expect([r.status, json(r).code, json(r).message]).to.deep.equal([
        500,
        'MODEL_ERROR',
        'model broken failed on broken.pay: cannot read the body',
      ]);
      expect((await raw(`${sim.url}/broken/pay`, { body: '{}', headers: { 'x-who': 'me' } })).status).to.equal(201);
    } finally {
      await sim.close();
    }
  });
});
