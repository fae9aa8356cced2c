import { expect } from 'chai';
import { eventCatalogue, eventTypes, normalizeEventData, validateEvent } from '../src/index.js';

const issued = {
  issuanceId: 'iss_1',
  reference: 'order-42',
  connector: 'airtime',
  productId: 'p1',
  customerId: 'c1',
  amount: '5.00',
  currency: 'USD',
  status: 'succeeded',
  transactionId: 'tx-9',
  voucher: { code: 'ABCD-EFGH-1234', pin: '9999', redemptionUrl: 'https://example.com/r' },
  issuedAt: '2030-01-01T00:00:00.000Z',
};

describe('eventCatalogue', () => {
  it('lists the five event types with versioned schemas and descriptions', () => {
    expect(eventTypes).to.deep.equal(['customer.enrolled', 'reward.issued', 'reward.redeemed', 'reward.expired', 'budget.threshold']);
    for (const e of eventCatalogue) {
      expect(e.version).to.equal(1);
      expect(e.schema.type).to.equal('object');
      expect(e.description).to.be.a('string').and.not.equal('');
    }
  });
});

describe('validateEvent', () => {
  it('accepts what the host publishes for reward.issued', () => {
    expect(validateEvent('reward.issued', issued)).to.deep.equal([]);
  });

  it('masks the voucher: code becomes codeLast4 and the pin is dropped', () => {
    const out = normalizeEventData('reward.issued', issued) as typeof issued & { voucher: Record<string, unknown> };
    expect(out.voucher).to.deep.equal({ codeLast4: '1234', redemptionUrl: 'https://example.com/r' });
    expect(issued.voucher.code).to.equal('ABCD-EFGH-1234'); // input untouched
  });

  it('reports every problem as a `path: message` line', () => {
    const errors = validateEvent('reward.issued', {
      ...issued,
      amount: 5,
      currency: 'usd',
      issuedAt: 'yesterday',
      extra: 1,
      status: 'pending',
      reference: undefined,
    });
    expect(errors).to.have.members([
      'data.reference: is required',
      'data.amount: must be a string',
      'data.currency: must match pattern /^[A-Z]{3}$/',
      'data.status: must be "succeeded"',
      'data.issuedAt: must be a date-time (RFC 3339)',
      'data: unknown property "extra"',
    ]);
  });

  it('refuses a float amount given as a string with an exponent, and a non-object', () => {
    expect(
      validateEvent('budget.threshold', {
        budgetId: 'b',
        thresholdPercent: 80,
        spent: '1e3',
        limit: '100.00',
        currency: 'EUR',
        at: '2030-01-01T00:00:00Z',
      }),
    ).to.deep.equal(['data.spent: must match pattern /^(0|[1-9][0-9]*)(\\.[0-9]+)?$/']);
    expect(validateEvent('customer.enrolled', 'x')).to.deep.equal(['data: must be an object']);
  });

  it('validates the other types', () => {
    expect(validateEvent('customer.enrolled', { customerId: 'c', enrolledAt: '2030-01-01T00:00:00Z' })).to.deep.equal([]);
    expect(validateEvent('reward.redeemed', { customerId: 'c', rewardId: 'r', redeemedAt: '2030-01-01T00:00:00Z' })).to.deep.equal([]);
    expect(validateEvent('reward.expired', { customerId: 'c', rewardId: 'r', expiredAt: '2030-02-30T00:00:00Z' })).to.deep.equal([
      'data.expiredAt: must be a date-time (RFC 3339)',
    ]);
    expect(
      validateEvent('budget.threshold', {
        budgetId: 'b',
        thresholdPercent: 101,
        spent: '1',
        limit: '2',
        currency: 'EUR',
        at: '2030-01-01T00:00:00Z',
      }),
    ).to.deep.equal(['data.thresholdPercent: must be <= 100']);
  });

  it('answers one line for an unknown type', () => {
    const errors = validateEvent('reward.exploded', {});
    expect(errors).to.have.length(1);
    expect(errors[0]).to.match(/^type: unknown event type "reward.exploded"/);
  });
});
