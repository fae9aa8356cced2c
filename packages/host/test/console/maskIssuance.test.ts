import { expect } from 'chai';
import { maskIssuance } from '../../src/console/maskIssuance.js';
import type { IssuanceRecord } from '../../src/issuance/IssuanceRecord.js';

const record = (voucher?: IssuanceRecord['voucher']) =>
  ({ id: 'iss_1', reference: 'r', status: 'succeeded', ...(voucher ? { voucher } : {}) }) as IssuanceRecord;

describe('maskIssuance', () => {
  it('keeps the last four characters of the code and hides the PIN', () => {
    expect(maskIssuance(record({ code: 'ABCD-1234-WXYZ', pin: '9876', redemptionUrl: 'https://r.example/x' })).voucher).to.deep.equal({
      code: '••••WXYZ',
      pin: '••••',
      redemptionUrl: 'https://r.example/x',
    });
  });

  it('hides a code of four characters or fewer entirely', () => {
    expect(maskIssuance(record({ code: '1234' })).voucher).to.deep.equal({ code: '••••' });
  });

  it('leaves an issuance without a voucher as it is', () => {
    const r = record();
    expect(maskIssuance(r)).to.equal(r);
  });
});
