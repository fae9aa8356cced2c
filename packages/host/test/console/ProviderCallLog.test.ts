import { expect } from 'chai';
import { ProviderCallLog, type ProviderCall } from '../../src/console/ProviderCallLog.js';

const call = (patch: Partial<ProviderCall>): ProviderCall => ({
  connector: 'airtime',
  operation: 'send',
  at: 0,
  ms: 10,
  outcome: 'succeeded',
  ...patch,
});

describe('ProviderCallLog', () => {
  it('computes nearest-rank percentiles and counts error and refusal codes over the recent window', () => {
    const log = new ProviderCallLog({ statsWindow: 100 });
    for (let i = 1; i <= 100; i++) log.add(call({ ms: i, at: i }));
    log.add(call({ ms: 1000, outcome: 'error', errorCode: 'PROVIDER_TIMEOUT', at: 101 }));
    log.add(call({ ms: 5, outcome: 'failed', providerCode: 'INVALID_PHONE_NUMBER', at: 102 }));
    const stats = log.stats('airtime');
    // Window of 100: calls 3..100, the timeout and the refusal; sorted, rank 50 is 51 ms, rank 90 is 91 ms, rank 99 is 100 ms.
    expect(stats).to.deep.include({ calls: 100, errors: 2, p50Ms: 51, p90Ms: 91, p99Ms: 100, lastCallAt: 102 });
    expect(stats.errorCodes).to.deep.equal({ PROVIDER_TIMEOUT: 1, INVALID_PHONE_NUMBER: 1 });
    expect(log.stats('giftcard')).to.deep.equal({ calls: 0, errors: 0, errorCodes: {} });
  });

  it('keeps calls per provider reference, and forgets the oldest beyond its capacity', () => {
    const log = new ProviderCallLog({ capacity: 3 });
    log.add(call({ providerReference: 't:a', at: 1 }));
    log.add(call({ providerReference: 't:b', at: 2 }));
    log.add(call({ providerReference: 't:a', operation: 'check', at: 3 }));
    expect(log.forReference('t:a').map((c) => c.at)).to.deep.equal([1, 3]);
    log.add(call({ providerReference: 't:c', at: 4 }));
    expect(log.forReference('t:a').map((c) => c.at)).to.deep.equal([3]);
    expect(log.forReference('t:b').map((c) => c.at)).to.deep.equal([2]);
  });

  it('records calls through a wrapped connector without changing what they return or throw', async () => {
    const log = new ProviderCallLog();
    const failure = Object.assign(new Error('timed out'), { code: 'PROVIDER_TIMEOUT', outcome: 'unknown' });
    const resilient = {
      issue: async (params: { reference: string }) => ({
        status: 'succeeded',
        reference: params.reference,
        transactionId: 'tx-1',
        providerCode: 'OK',
      }),
      checkStatus: async () => {
        throw failure;
      },
    };
    log.observe(new Map([['airtime', { name: 'airtime', resilient }]]) as never);
    const out = await (resilient.issue as (p: unknown) => Promise<unknown>)({ reference: 't:r1' });
    expect(out).to.deep.equal({ status: 'succeeded', reference: 't:r1', transactionId: 'tx-1', providerCode: 'OK' });
    let thrown: unknown;
    try {
      await (resilient.checkStatus as (q: unknown) => Promise<unknown>)({ transactionId: 'tx-1' });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).to.equal(failure);
    // The lookup by transaction id is filed under the reference its send returned.
    expect(log.forReference('t:r1').map((c) => [c.operation, c.outcome, c.errorCode ?? c.providerCode])).to.deep.equal([
      ['send', 'succeeded', 'OK'],
      ['check', 'error', 'PROVIDER_TIMEOUT'],
    ]);
  });
});
