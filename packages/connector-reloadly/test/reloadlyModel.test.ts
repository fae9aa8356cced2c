import { expect } from 'chai';
import type { ModelRequest } from '@relaypoint/simulator';
import { reloadlyModel } from '../src/model/index.js';

function request(body: unknown, path = '/topups'): ModelRequest {
  const raw = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    parsed = undefined;
  }
  return { method: 'POST', path, params: {}, query: new URLSearchParams(), headers: {}, raw, body: parsed };
}

/** What the model answers to a request its parseIssue refuses. */
function refusalAnswer(body: unknown): { status: number; body: Record<string, unknown> } {
  const req = request(body);
  const terms = reloadlyModel.parseIssue(req);
  if (!('refuse' in terms)) throw new Error(`expected a refusal, got terms for ${terms.reference}`);
  const answer = reloadlyModel.render.error(terms.refuse, { message: terms.message }, req);
  return { status: answer.status, body: answer.body as Record<string, unknown> };
}

const valid = {
  operatorId: 341,
  amount: 500.0,
  useLocalAmount: true,
  customIdentifier: 'ref-1',
  recipientPhone: { countryCode: 'NG', number: '8031234567' },
};

describe('reloadlyModel', () => {
  it('reads a top-up into exact terms: the amount literal, not a float', () => {
    const terms = reloadlyModel.parseIssue(
      request(
        '{"operatorId":700,"useLocalAmount":true,"customIdentifier":"k-1","recipientPhone":{"countryCode":"KW","number":"50123456"},"amount":2.500}',
      ),
    );
    expect(terms).to.deep.include({ reference: 'k-1', amountMinor: 2500n, currency: 'KWD', productId: '700', recipient: '+96550123456' });
  });

  it('takes the amount in the wallet currency unless useLocalAmount is true', () => {
    const terms = reloadlyModel.parseIssue(request({ ...valid, useLocalAmount: false, amount: 5 }));
    expect(terms).to.deep.include({ currency: 'USD', amountMinor: 500n });
  });

  it("answers a request without recipientPhone (a required field) with Reloadly's 400 envelope naming the field", () => {
    const { recipientPhone: _dropped, ...missing } = valid;
    const answer = refusalAnswer(missing);
    expect(answer.status).to.equal(400);
    expect(answer.body).to.include.keys('timeStamp', 'message', 'path', 'errorCode', 'infoLink', 'details');
    expect(answer.body.path).to.equal('/topups');
    expect(String(answer.body.message)).to.include('recipientPhone: is required');
  });

  it('answers an amount of the wrong type with INVALID_AMOUNT, as Reloadly documents for "a wrong data type"', () => {
    const answer = refusalAnswer({ ...valid, amount: { value: 5 } });
    expect(answer.status).to.equal(400);
    expect(answer.body.errorCode).to.equal('INVALID_AMOUNT');
  });

  it('refuses a field name Reloadly does not publish (a drifted plugin sending "phone")', () => {
    const answer = refusalAnswer({ ...valid, phone: '+2348031234567' });
    expect(answer.status).to.equal(400);
    expect(String(answer.body.message)).to.include('unknown property "phone"');
  });

  it("answers a recipient outside the operator's country with INVALID_RECIPIENT_PHONE", () => {
    const answer = refusalAnswer({ ...valid, recipientPhone: { countryCode: 'GH', number: '241234567' } });
    expect(answer.body.errorCode).to.equal('INVALID_RECIPIENT_PHONE');
  });

  it('renders a transaction with integer ids and amounts written exactly', () => {
    const tx = {
      id: '123456789',
      reference: 'ref-1',
      status: 'succeeded',
      amountMinor: 50000n,
      amount: '500.00',
      currency: 'NGN',
      productId: '341',
      recipient: '+2348031234567',
      voucher: { code: 'OP-1' },
      createdAt: 0,
      accountId: 'a',
    } as const;
    const answer = reloadlyModel.render.issued(tx, request(valid), { repeated: false });
    const text = String(answer.body);
    expect(text).to.include('"requestedAmount":500.00');
    const body = JSON.parse(text) as Record<string, unknown>;
    expect(body).to.include({
      status: 'SUCCESSFUL',
      customIdentifier: 'ref-1',
      operatorTransactionId: 'OP-1',
      operatorId: 341,
      requestedAmountCurrencyCode: 'NGN',
    });
    expect(body.transactionId).to.be.a('number');
  });
});
