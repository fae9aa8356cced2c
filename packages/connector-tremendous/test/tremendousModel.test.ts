import { expect } from 'chai';
import type { ModelRequest } from '@relaypoint/simulator';
import { tremendousModel } from '../src/model/index.js';

function request(body: unknown, path = '/api/v2/orders'): ModelRequest {
  const raw = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    parsed = undefined;
  }
  return { method: 'POST', path, params: {}, query: new URLSearchParams(), headers: {}, raw, body: parsed };
}

function refusalAnswer(body: unknown): { status: number; body: { errors: { message: string; payload: Record<string, unknown> } } } {
  const req = request(body);
  const terms = tremendousModel.parseIssue(req);
  if (!('refuse' in terms)) throw new Error(`expected a refusal, got terms for ${terms.reference}`);
  const answer = tremendousModel.render.error(terms.refuse, { message: terms.message }, req);
  return answer as never;
}

const valid = {
  external_id: 'ord-1',
  payment: { funding_source_id: 'balance' },
  reward: {
    products: ['OKMHM2X2OHYV'],
    value: { denomination: 25, currency_code: 'USD' },
    recipient: { name: 'Ada' },
    delivery: { method: 'LINK' },
  },
};

describe('tremendousModel', () => {
  it('reads an order into exact terms from the denomination literal', () => {
    const terms = tremendousModel.parseIssue(
      request(
        '{"external_id":"k-1","payment":{"funding_source_id":"balance"},"reward":{"products":["SIMKWDGIFT01"],"value":{"denomination":5.250,"currency_code":"KWD"},"delivery":{"method":"LINK"}}}',
      ),
    );
    expect(terms).to.deep.include({ reference: 'k-1', amountMinor: 5250n, currency: 'KWD', productId: 'SIMKWDGIFT01' });
  });

  it("answers an order without a reward (a required field) with Tremendous's error envelope, payload naming the field", () => {
    const answer = refusalAnswer({ external_id: 'x', payment: { funding_source_id: 'balance' } });
    expect(answer.status).to.equal(400);
    expect(answer.body.errors.message).to.include('reward: is required');
    expect(answer.body.errors.payload).to.have.key('reward');
  });

  it('answers a denomination sent as a string (a wrong type) with an error whose payload is reward.value.denomination', () => {
    const answer = refusalAnswer({ ...valid, reward: { ...valid.reward, value: { denomination: '25.00', currency_code: 'USD' } } });
    expect(answer.status).to.equal(400);
    expect(answer.body.errors.payload).to.deep.equal({ reward: { value: { denomination: [answer.body.errors.message] } } });
  });

  it('refuses a reward with neither products nor campaign_id, as the official client documents', () => {
    const answer = refusalAnswer({ ...valid, reward: { value: { denomination: 25 } } });
    expect(answer.status).to.equal(400);
  });

  it('renders a new order 200 and the original for a repeated external_id 201, denomination exact', () => {
    const tx = {
      id: 'ORD1',
      reference: 'ord-1',
      status: 'succeeded',
      amountMinor: 2500n,
      amount: '25.00',
      currency: 'USD',
      productId: 'OKMHM2X2OHYV',
      voucher: { code: 'RWD1' },
      createdAt: 0,
      accountId: 'a',
    } as const;
    const first = tremendousModel.render.issued(tx, request(valid), { repeated: false });
    const again = tremendousModel.render.issued(tx, request(valid), { repeated: true });
    expect([first.status, again.status]).to.deep.equal([200, 201]);
    expect(String(first.body)).to.include('"denomination":25.00');
    const order = (JSON.parse(String(first.body)) as { order: Record<string, unknown> }).order;
    expect(order).to.include({ id: 'ORD1', external_id: 'ord-1', status: 'EXECUTED' });
    expect((order.rewards as Record<string, unknown>[])[0]).to.include({ id: 'RWD1' });
  });
});
