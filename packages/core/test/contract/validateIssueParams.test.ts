import { expect } from 'chai';
import { ErrorCodes, ValidationError, isE164, validateIssueParams } from '../../src/index.js';
import type { IssueParams } from '../../src/index.js';

const good: IssueParams = {
  productId: 'AIRTIME_5',
  customerId: 'cust-1',
  phoneNumber: '+263771234567',
  amount: '5.00',
  currency: 'USD',
  reference: 'ord-2024:0001.a_b',
};

function refusal(params: unknown, options?: { requirePhone?: boolean }): ValidationError {
  try {
    validateIssueParams(params as IssueParams, options);
  } catch (e) {
    expect(e).to.be.instanceOf(ValidationError);
    return e as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

describe('isE164', () => {
  for (const ok of ['+263771234567', '+14155552671', '+12345678', '+123456789012345']) {
    it(`accepts ${ok}`, () => expect(isE164(ok)).to.equal(true));
  }
  for (const bad of [
    '263771234567',
    '+0263771234567',
    '+1234567',
    '+1234567890123456',
    '+1 415 555 2671',
    '+1-415-555-2671',
    '',
    14155552671,
  ]) {
    it(`refuses ${JSON.stringify(bad)}`, () => expect(isE164(bad)).to.equal(false));
  }
});

describe('validateIssueParams', () => {
  it('normalises good params into an IssueRequest', () => {
    const r = validateIssueParams({ ...good, metadata: { campaign: 'x' } });
    expect(r.amount).to.deep.equal({ currency: 'USD', minor: 500n, decimal: '5.00' });
    expect(r.reference).to.equal(good.reference);
    expect(r.phoneNumber).to.equal(good.phoneNumber);
    expect(r.metadata).to.deep.equal({ campaign: 'x' });
  });

  it('does not share the metadata object with the caller', () => {
    const metadata = { a: '1' };
    const r = validateIssueParams({ ...good, metadata });
    metadata.a = '2';
    expect(r.metadata).to.deep.equal({ a: '1' });
  });

  it('refuses a missing, empty, too long or oddly charactered reference with INVALID_REFERENCE', () => {
    for (const reference of [undefined, '', 'a'.repeat(101), 'has space', 'slash/no', 'ümlaut', 'semi;colon']) {
      const e = refusal({ ...good, reference });
      expect(e.code, String(reference)).to.equal(ErrorCodes.INVALID_REFERENCE);
      expect(e.field).to.equal('reference');
    }
    expect(validateIssueParams({ ...good, reference: 'a'.repeat(100) }).reference).to.have.length(100);
  });

  it('refuses a bad phone with INVALID_PHONE_NUMBER, and a missing one only when required', () => {
    expect(refusal({ ...good, phoneNumber: '0771234567' }).code).to.equal(ErrorCodes.INVALID_PHONE_NUMBER);
    const { phoneNumber: _p, ...noPhone } = good;
    expect(validateIssueParams(noPhone).phoneNumber).to.equal(undefined);
    expect(refusal(noPhone, { requirePhone: true }).code).to.equal(ErrorCodes.INVALID_PHONE_NUMBER);
  });

  it('refuses missing productId or customerId with INVALID_PARAMS naming the field', () => {
    const e = refusal({ ...good, productId: ' ' });
    expect(e.code).to.equal(ErrorCodes.INVALID_PARAMS);
    expect(e.field).to.equal('productId');
    expect(refusal({ ...good, customerId: undefined }).field).to.equal('customerId');
  });

  it('refuses bad amounts and currencies with their codes', () => {
    expect(refusal({ ...good, amount: 5 }).code).to.equal(ErrorCodes.INVALID_AMOUNT);
    expect(refusal({ ...good, amount: '5.001' }).code).to.equal(ErrorCodes.INVALID_AMOUNT);
    expect(refusal({ ...good, currency: 'XYZ' }).code).to.equal(ErrorCodes.INVALID_CURRENCY);
  });

  it('refuses metadata that is not a map of strings', () => {
    expect(refusal({ ...good, metadata: { n: 1 } }).code).to.equal(ErrorCodes.INVALID_PARAMS);
    expect(refusal({ ...good, metadata: ['x'] }).field).to.equal('metadata');
  });

  it('refuses a non-object', () => {
    expect(refusal(null).code).to.equal(ErrorCodes.INVALID_PARAMS);
  });

  it('marks every refusal not_sent and not retryable', () => {
    const e = refusal({ ...good, phoneNumber: 'x' });
    expect(e.outcome).to.equal('not_sent');
    expect(e.retryable).to.equal(false);
  });
});
