import { expect } from 'chai';
import nock from 'nock';
import { ErrorCodes, isConnectorError, noopLogger, validateIssueParams } from '@relaypoint/core';
import { ReloadlyConnector } from '../src/index.js';

// nock intercepts (fetch included) from the moment it is imported: only while this file's tests run, so the
// other files' loopback calls to the simulator reach it.
nock.restore();

// nock: the simulator cannot answer a top-up with an undocumented refusal while its report lags behind.
describe('regression: an undocumented refusal with no transaction under the customIdentifier is unknown, never failed', () => {
  const base = 'https://reloadly.test';
  before(() => nock.activate());
  after(() => nock.restore());
  afterEach(() => nock.cleanAll());

  function connector(): ReloadlyConnector {
    return new ReloadlyConnector(
      {
        clientId: 'id',
        clientSecret: 'secret',
        baseUrl: base,
        authUrl: `${base}/oauth/token`,
        operators: { '341': { operatorId: 341, localCurrency: 'NGN' } },
      },
      { logger: noopLogger },
    );
  }

  function mockCommon(): void {
    nock(base).post('/oauth/token').reply(200, { access_token: 'tok', expires_in: 3600, token_type: 'Bearer' });
    nock(base)
      .get('/operators/341')
      .reply(200, { operatorId: 341, denominationType: 'RANGE', destinationCurrencyCode: 'NGN', localMinAmount: 1, localMaxAmount: 10000 });
  }

  const request = () =>
    validateIssueParams({
      productId: '341',
      customerId: 'c',
      phoneNumber: '+2348031234567',
      amount: '500.00',
      currency: 'NGN',
      reference: 'U-1',
    });

  it('TOPUP_TRANSACTION_FAILED (no documented meaning) and an empty report: PROVIDER_BAD_RESPONSE, outcome unknown', async () => {
    mockCommon();
    nock(base).post('/topups').reply(400, {
      timeStamp: 'x',
      message: 'failed',
      path: '/topups',
      errorCode: 'TOPUP_TRANSACTION_FAILED',
      infoLink: null,
      details: [],
    });
    nock(base).get('/topups/reports/transactions').query(true).reply(200, { content: [] });
    const c = connector();
    const e = await c.issueVoucher(request()).then(
      () => undefined,
      (err: unknown) => err,
    );
    c.close();
    expect(isConnectorError(e) && { code: e.code, outcome: e.outcome }).to.deep.equal({
      code: ErrorCodes.PROVIDER_BAD_RESPONSE,
      outcome: 'unknown',
    });
  });

  it('a documented refusal (INSUFFICIENT_BALANCE) stands as rejected without a lookup', async () => {
    mockCommon();
    nock(base)
      .post('/topups')
      .reply(400, { timeStamp: 'x', message: 'low', path: '/topups', errorCode: 'INSUFFICIENT_BALANCE', infoLink: null, details: [] });
    const c = connector();
    const e = await c.issueVoucher(request()).then(
      () => undefined,
      (err: unknown) => err,
    );
    c.close();
    expect(isConnectorError(e) && { code: e.code, outcome: e.outcome }).to.deep.equal({
      code: ErrorCodes.PROVIDER_INSUFFICIENT_BALANCE,
      outcome: 'rejected',
    });
    expect(nock.pendingMocks()).to.deep.equal([]);
  });
});
