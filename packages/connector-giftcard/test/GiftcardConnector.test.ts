import { expect } from 'chai';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import {
  ConnectorError,
  ErrorCodes,
  isConnectorError,
  noopLogger,
  resilienceOptionsSchema,
  validateAgainstSchema,
  validateIssueParams,
  type IssueParams,
  type IssueResult,
} from '@relaypoint/core';
import { startSimulator, type Simulator } from '@relaypoint/simulator';
import plugin, { GiftcardConnector, configSchema, mapGiftcardError } from '../src/index.js';

function params(reference: string, patch: Partial<IssueParams> = {}): IssueParams {
  return { productId: 'GC-AMAZON-USD', customerId: 'c-1', amount: '25.00', currency: 'USD', reference, ...patch };
}

async function failure(p: Promise<unknown>): Promise<ConnectorError> {
  try {
    await p;
  } catch (e) {
    if (isConnectorError(e)) return e;
    throw e;
  }
  throw new Error('expected the call to fail');
}

describe('GiftcardConnector', () => {
  let sim: Simulator;
  let now = 1_000_000;
  const clock = { now: () => now };
  let connector: GiftcardConnector;
  const make = (patch: Record<string, unknown> = {}) =>
    new GiftcardConnector({ baseUrl: `${sim.url}/giftcard`, apiKey: 'sim-giftcard-key', ...patch }, { logger: noopLogger, clock });
  const issue = (c: GiftcardConnector, reference: string, patch: Partial<IssueParams> = {}): Promise<IssueResult> =>
    c.issueVoucher(validateIssueParams(params(reference, patch)));
  const catalogueFetches = () => sim.journal.entries({ route: 'giftcard.products' }).length;

  before(async () => {
    sim = await startSimulator({ seed: 11 });
  });
  after(async () => {
    await sim.close();
  });
  beforeEach(() => {
    sim.reset();
    sim.setScenario({ rules: [] });
    now = 1_000_000;
    connector = make();
  });
  afterEach(() => connector.close());

  it('orders with external_ref = reference and maps code, PIN and redemption URL', async () => {
    const r = await issue(connector, 'G-1');
    const entry = sim.ledger.entries({ provider: 'giftcard', reference: 'G-1' })[0];
    expect(r).to.include({ status: 'succeeded', reference: 'G-1', transactionId: entry.transactionId, providerCode: 'complete' });
    expect(r.voucher?.code).to.equal(entry.voucherCode);
    expect(r.voucher?.pin).to.be.a('string');
    expect(r.voucher?.redemptionUrl).to.match(/^https?:\/\//);
    expect(sim.journal.entries({ route: 'giftcard.order' })[0].body).to.deep.include({
      product_id: 'GC-AMAZON-USD',
      amount: '25.00',
      currency: 'USD',
      external_ref: 'G-1',
    });
  });

  it('returns the original order for a repeated reference and orders nothing new', async () => {
    const first = await issue(connector, 'G-rep');
    const again = await issue(connector, 'G-rep');
    expect(again).to.deep.equal(first);
    expect(sim.ledger.countByReference('giftcard', 'G-rep')).to.equal(1);
    expect(sim.journal.entries({ route: 'giftcard.order' }).map((e) => e.status)).to.deep.equal([201, 200]);
  });

  it('maps the same reference with a different body to PROVIDER_REFERENCE_CONFLICT', async () => {
    await issue(connector, 'G-conf');
    const e = await failure(issue(connector, 'G-conf', { amount: '10.00' }));
    expect(e).to.include({
      code: ErrorCodes.PROVIDER_REFERENCE_CONFLICT,
      outcome: 'rejected',
      retryable: false,
      providerCode: 'EXTERNAL_REF_CONFLICT',
    });
  });

  it('fetches the catalogue once per TTL, and again when it expires', async () => {
    await issue(connector, 'G-c1');
    await issue(connector, 'G-c2', { productId: 'GC-VISA-USD', amount: '42.17' });
    expect(catalogueFetches()).to.equal(1);
    now += 300_001;
    await issue(connector, 'G-c3');
    expect(catalogueFetches()).to.equal(2);
  });

  it('refetches the catalogue for a product it does not know, then refuses it locally', async () => {
    await issue(connector, 'G-k1');
    const e = await failure(issue(connector, 'G-k2', { productId: 'GC-NEW-USD' }));
    expect(e).to.be.instanceOf(ConnectorError);
    expect(e).to.include({ code: ErrorCodes.PROVIDER_INVALID_PRODUCT, outcome: 'not_sent', retryable: false });
    expect(catalogueFetches()).to.equal(2);
    expect(sim.journal.entries({ route: 'giftcard.order' })).to.have.length(1);
  });

  const local: { what: string; patch: Partial<IssueParams>; field: string }[] = [
    { what: 'an amount outside the fixed denominations', patch: { amount: '12.00' }, field: 'amount' },
    { what: 'an amount above the range', patch: { productId: 'GC-VISA-USD', amount: '500.01' }, field: 'amount' },
    { what: 'an amount below the range', patch: { productId: 'GC-VISA-USD', amount: '0.99' }, field: 'amount' },
    { what: 'a currency the product is not sold in', patch: { currency: 'EUR' }, field: 'currency' },
  ];
  for (const k of local) {
    it(`refuses ${k.what} before ordering (PROVIDER_INVALID_PRODUCT, not_sent)`, async () => {
      const e = await failure(issue(connector, 'G-local', k.patch));
      expect(e).to.include({ code: ErrorCodes.PROVIDER_INVALID_PRODUCT, outcome: 'not_sent', retryable: false });
      expect(e.details).to.deep.equal({ field: k.field });
      expect(sim.journal.entries({ route: 'giftcard.order' })).to.have.length(0);
    });
  }

  it('accepts range amounts at both bounds', async () => {
    expect((await issue(connector, 'G-lo', { productId: 'GC-VISA-USD', amount: '1.00' })).status).to.equal('succeeded');
    expect((await issue(connector, 'G-hi', { productId: 'GC-VISA-USD', amount: '500.00' })).status).to.equal('succeeded');
  });

  it('maps a wrong API key to PROVIDER_AUTH_FAILED (the catalogue read is refused first) and orders nothing', async () => {
    const c = make({ apiKey: 'nope' });
    try {
      const e = await failure(issue(c, 'G-auth'));
      expect(e).to.include({ code: ErrorCodes.PROVIDER_AUTH_FAILED, outcome: 'rejected', retryable: false });
      expect(sim.journal.entries({ route: 'giftcard.order' })).to.have.length(0);
    } finally {
      c.close();
    }
  });

  it('maps a balance that is too low to PROVIDER_INSUFFICIENT_BALANCE', async () => {
    sim.setBalance('giftcard', '1.00');
    const e = await failure(issue(connector, 'G-bal'));
    expect(e).to.include({ code: ErrorCodes.PROVIDER_INSUFFICIENT_BALANCE, outcome: 'rejected', retryable: false });
  });

  it('reports a catalogue that cannot be read as not_sent (no order left), not unknown', async () => {
    sim.setScenario({ rules: [{ route: 'giftcard.products', fault: { type: 'status-before-commit', status: 503 } }] });
    const e = await failure(issue(connector, 'G-cat'));
    expect(e).to.include({ code: ErrorCodes.PROVIDER_UNAVAILABLE, outcome: 'not_sent', retryable: true });
    expect(sim.journal.entries({ route: 'giftcard.order' })).to.have.length(0);
  });

  const uncertain: { fault: 'status-after-commit' | 'drop-after-commit' | 'reset' | 'malformed'; codes: string[] }[] = [
    { fault: 'status-after-commit', codes: [ErrorCodes.PROVIDER_SERVER_ERROR] },
    { fault: 'drop-after-commit', codes: [ErrorCodes.PROVIDER_CONNECTION_LOST] },
    { fault: 'reset', codes: [ErrorCodes.PROVIDER_CONNECTION_LOST] },
    { fault: 'malformed', codes: [ErrorCodes.PROVIDER_BAD_RESPONSE] },
  ];
  for (const u of uncertain) {
    it(`reports ${u.fault} on the order as outcome unknown, never failed`, async () => {
      sim.setScenario({
        rules: [{ route: 'giftcard.order', fault: u.fault === 'status-after-commit' ? { type: u.fault, status: 500 } : { type: u.fault } }],
      });
      const e = await failure(issue(connector, `G-${u.fault}`));
      expect(e.outcome).to.equal('unknown');
      expect(u.codes).to.include(e.code);
    });
  }

  it('maps a 429 with Retry-After to a retryable PROVIDER_RATE_LIMITED with the delay', async () => {
    sim.setScenario({ rules: [{ route: 'giftcard.order', fault: { type: 'rate-limit', retryAfterSeconds: 2 } }] });
    const e = await failure(issue(connector, 'G-429'));
    expect(e).to.include({ code: ErrorCodes.PROVIDER_RATE_LIMITED, retryable: true, retryAfterMs: 2_000 });
  });

  it('resolves a pending order through checkStatus by id and by reference', async () => {
    const r = await issue(connector, 'G-pend', { productId: 'GC-ASYNC-USD', amount: '10.00' });
    expect(r.status).to.equal('pending');
    expect(r.voucher).to.equal(undefined);
    expect((await connector.checkStatus({ transactionId: r.transactionId as string })).status).to.equal('pending');
    expect((await connector.checkStatus({ reference: 'G-pend' })).status).to.equal('pending');
    const done = await connector.checkStatus({ reference: 'G-pend' });
    expect(done).to.include({ status: 'succeeded', reference: 'G-pend', transactionId: r.transactionId });
    expect(done.status === 'succeeded' && done.voucher?.code).to.equal(sim.ledger.entries({ reference: 'G-pend' })[0].voucherCode);
  });

  it('given the request, a lookup by reference refuses an order for a different item (PROVIDER_REFERENCE_CONFLICT), and returns ours', async () => {
    const mine = await issue(connector, 'G-held');
    const ours = await connector.checkStatus({ reference: 'G-held', request: validateIssueParams(params('G-held')) });
    expect(ours).to.include({ status: 'succeeded', transactionId: mine.transactionId });
    // The provider returns the order holding the external_ref "even for a different item": not an answer about ours.
    for (const patch of [{ amount: '50.00' }, { productId: 'GC-ASYNC-USD', amount: '10.00' }]) {
      const e = await failure(connector.checkStatus({ reference: 'G-held', request: validateIssueParams(params('G-held', patch)) }));
      expect(e, JSON.stringify(patch)).to.include({ code: ErrorCodes.PROVIDER_REFERENCE_CONFLICT, outcome: 'rejected', retryable: false });
    }
    expect(await connector.checkStatus({ reference: 'G-held' })).to.include({ status: 'succeeded' });
  });

  it('tells the operator to check baseUrl when a server without the route answers a bare 404, on issue and on lookup', async () => {
    // A real server over loopback that is not the provider: an HTML 404, as a web server or proxy answers a wrong path.
    const stray = createServer((_req, res) =>
      res.writeHead(404, { 'content-type': 'text/html' }).end('<html><body>Not Found</body></html>'),
    );
    await new Promise<void>((r) => stray.listen(0, '127.0.0.1', r));
    const lost = make({ baseUrl: `http://127.0.0.1:${(stray.address() as AddressInfo).port}/api` });
    try {
      const refused = await failure(issue(lost, 'G-stray'));
      expect(refused).to.include({ code: ErrorCodes.PROVIDER_BAD_REQUEST, outcome: 'rejected', retryable: false, httpStatus: 404 });
      expect(refused.message).to.include('check baseUrl');
      const lookup = await failure(lost.checkStatus({ reference: 'G-stray' }));
      expect(lookup.code).to.not.equal(ErrorCodes.PROVIDER_NOT_FOUND);
      expect(lookup.message).to.include('check baseUrl');
    } finally {
      lost.close();
      await new Promise((r) => stray.close(r));
    }
  });

  it('says not_found only for the provider’s ORDER_NOT_FOUND', async () => {
    expect(await connector.checkStatus({ reference: 'G-none' })).to.deep.equal({ status: 'not_found', reference: 'G-none' });
    expect(await connector.checkStatus({ transactionId: 'GC-none' })).to.deep.equal({ status: 'not_found', transactionId: 'GC-none' });
    const lost = make({ baseUrl: `${sim.url}/elsewhere` });
    try {
      const e = await failure(lost.checkStatus({ reference: 'G-none' }));
      expect(e).to.include({ code: ErrorCodes.PROVIDER_BAD_REQUEST, httpStatus: 404 });
      expect(e.message).to.include('no such endpoint');
    } finally {
      lost.close();
    }
  });

  // Defect 2: the status wins over the body's code for a 5xx (the simulator can put any code on a 5xx).
  const refusalCodesOn5xx: { fault: 'status-after-commit' | 'status-before-commit'; status: number; code: string; issued: boolean }[] = [
    { fault: 'status-after-commit', status: 500, code: 'INSUFFICIENT_BALANCE', issued: true },
    { fault: 'status-after-commit', status: 502, code: 'INVALID_REQUEST', issued: true },
    { fault: 'status-before-commit', status: 503, code: 'EXTERNAL_REF_CONFLICT', issued: false },
  ];
  for (const f of refusalCodesOn5xx) {
    it(`reports a ${f.status} whose body says ${f.code} (${f.fault}) as unknown, not as that refusal`, async () => {
      sim.setScenario({ rules: [{ route: 'giftcard.order', fault: { type: f.fault, status: f.status, code: f.code } }] });
      const ref = `G-5xx-${f.status}-${f.code}`;
      const e = await failure(issue(connector, ref));
      expect(e).to.include({
        code: ErrorCodes.PROVIDER_SERVER_ERROR,
        outcome: 'unknown',
        retryable: true,
        httpStatus: f.status,
        providerCode: f.code,
      });
      expect(sim.ledger.countByReference('giftcard', ref)).to.equal(f.issued ? 1 : 0);
    });
  }

  // Defect 1 (gift-card side): a cut-short 409 is resolved by reading the order back, not refused blindly.
  it('resolves a cut-short 409 EXTERNAL_REF_CONFLICT by reading the order back: a different item is a conflict', async () => {
    await issue(connector, 'G-cut');
    sim.setScenario({ rules: [{ route: 'giftcard.order', reference: 'G-cut', attempts: [2], fault: { type: 'truncate' } }] });
    const e = await failure(issue(connector, 'G-cut', { amount: '10.00' }));
    expect(e).to.include({ code: ErrorCodes.PROVIDER_REFERENCE_CONFLICT, outcome: 'rejected', retryable: false });
    expect(sim.journal.entries({ route: 'giftcard.lookup', reference: 'G-cut' })).to.have.length(1);
    expect(sim.ledger.countByReference('giftcard', 'G-cut')).to.equal(1);
  });

  it('calls a cut-short 409 unknown (never rejected) when the order cannot be read back', async () => {
    await issue(connector, 'G-cut2');
    sim.setScenario({
      rules: [
        { route: 'giftcard.order', reference: 'G-cut2', attempts: [2], fault: { type: 'truncate' } },
        { route: 'giftcard.lookup', reference: 'G-cut2', fault: { type: 'status-after-commit', status: 500 } },
      ],
    });
    const e = await failure(issue(connector, 'G-cut2', { amount: '10.00' }));
    expect(e).to.include({ code: ErrorCodes.PROVIDER_BAD_RESPONSE, outcome: 'unknown', retryable: true, httpStatus: 409 });
  });

  describe('answers the simulator does not give (nock)', () => {
    const base = 'http://giftcard.invalid';
    const catalogue = {
      products: [
        {
          id: 'GC-AMAZON-USD',
          brand: 'Amazon',
          name: 'Amazon.com',
          currency: 'USD',
          denomination: { type: 'fixed', values: ['10.00', '25.00', '50.00'] },
        },
      ],
    };
    const order = (patch: Record<string, unknown> = {}) => ({
      id: 'GO-1',
      external_ref: 'N-1',
      product_id: 'GC-AMAZON-USD',
      amount: '25.00',
      currency: 'USD',
      status: 'complete',
      card: { code: 'CARD-1', pin: '1234', redemption_url: 'https://r.example/1' },
      ...patch,
    });
    let c: GiftcardConnector;
    beforeEach(() => {
      nock(base).get('/giftcard/products').reply(200, catalogue);
      c = new GiftcardConnector({ baseUrl: `${base}/giftcard`, apiKey: 'k' }, { logger: noopLogger, clock });
    });
    afterEach(() => {
      c.close();
      nock.cleanAll();
    });
    const order1 = () => c.issueVoucher(validateIssueParams(params('N-1')));

    // Defect 3: the provider returns the original order "even for a different item".
    const originals: { what: string; patch: Record<string, unknown> }[] = [
      { what: 'another product', patch: { product_id: 'GC-VISA-USD' } },
      { what: 'another amount', patch: { amount: '50.00' } },
      { what: 'another currency', patch: { currency: 'EUR' } },
      { what: 'another product, amount and currency', patch: { product_id: 'GC-OTHER', amount: '500.00', currency: 'EUR' } },
    ];
    for (const o of originals) {
      it(`refuses a 200 original order for ${o.what} as PROVIDER_REFERENCE_CONFLICT (rejected), not as a success with its card`, async () => {
        nock(base).post('/giftcard/orders').reply(200, order(o.patch));
        const e = await failure(order1());
        expect(e).to.include({ code: ErrorCodes.PROVIDER_REFERENCE_CONFLICT, outcome: 'rejected', retryable: false });
        expect(e.message).to.not.include('CARD-1');
      });
    }

    it('accepts a 200 original order that echoes the amount in another exact format ("25.000", 25)', async () => {
      nock(base)
        .post('/giftcard/orders')
        .reply(200, order({ amount: '25.000' }));
      expect(await order1()).to.include({ status: 'succeeded', transactionId: 'GO-1' });
      nock(base)
        .post('/giftcard/orders')
        .reply(200, order({ amount: 25 }));
      expect(await order1()).to.include({ status: 'succeeded', transactionId: 'GO-1' });
    });

    it('calls a new order (201) for a different item unknown: something was ordered, but not what we asked', async () => {
      nock(base)
        .post('/giftcard/orders')
        .reply(201, order({ product_id: 'GC-VISA-USD' }));
      const e = await failure(order1());
      expect(e).to.include({ code: ErrorCodes.PROVIDER_BAD_RESPONSE, outcome: 'unknown' });
    });

    it('calls an original order whose amount cannot be read unknown, not a success', async () => {
      nock(base)
        .post('/giftcard/orders')
        .reply(200, order({ amount: 'twenty-five' }));
      const e = await failure(order1());
      expect(e).to.include({ code: ErrorCodes.PROVIDER_BAD_RESPONSE, outcome: 'unknown' });
    });

    // Defect 1 (gift-card side) and 3: a 409 that is not the documented envelope is resolved by reading the order back.
    it('resolves a 409 with an HTML body to the original order when it is the one we asked for', async () => {
      nock(base).post('/giftcard/orders').reply(409, '<html>Conflict</html>', { 'content-type': 'text/html' });
      nock(base).get('/giftcard/orders').query({ external_ref: 'N-1' }).reply(200, order());
      expect(await order1()).to.include({ status: 'succeeded', transactionId: 'GO-1', reference: 'N-1' });
    });

    it('refuses a 409 with an HTML body as a conflict when the order read back is for another item', async () => {
      nock(base).post('/giftcard/orders').reply(409, '<html>Conflict</html>', { 'content-type': 'text/html' });
      nock(base)
        .get('/giftcard/orders')
        .query({ external_ref: 'N-1' })
        .reply(200, order({ product_id: 'GC-VISA-USD' }));
      const e = await failure(order1());
      expect(e).to.include({ code: ErrorCodes.PROVIDER_REFERENCE_CONFLICT, outcome: 'rejected' });
    });

    it('calls a 409 with an HTML body unknown when no order can be found for the reference', async () => {
      nock(base).post('/giftcard/orders').reply(409, 'Conflict', { 'content-type': 'text/plain' });
      nock(base).get('/giftcard/orders').query({ external_ref: 'N-1' }).reply(404, { code: 'ORDER_NOT_FOUND', message: 'no such order' });
      const e = await failure(order1());
      expect(e).to.include({ outcome: 'unknown', retryable: true, httpStatus: 409 });
    });

    // Defect 2: an unexpected redirect after the POST is not a refusal.
    for (const status of [302, 303]) {
      it(`reports a ${status} redirect on the order as unknown, not rejected`, async () => {
        nock(base).post('/giftcard/orders').reply(status, '', { location: '/elsewhere' });
        const e = await failure(order1());
        expect(e).to.include({ code: ErrorCodes.PROVIDER_BAD_RESPONSE, outcome: 'unknown', retryable: true, httpStatus: status });
      });
    }
  });
});

describe('mapGiftcardError', () => {
  const table: [number, string | undefined, string, string, boolean][] = [
    [401, 'INVALID_API_KEY', ErrorCodes.PROVIDER_AUTH_FAILED, 'rejected', false],
    [400, 'INVALID_REQUEST', ErrorCodes.PROVIDER_BAD_REQUEST, 'rejected', false],
    [409, 'EXTERNAL_REF_CONFLICT', ErrorCodes.PROVIDER_REFERENCE_CONFLICT, 'rejected', false],
    [400, 'INVALID_PRODUCT', ErrorCodes.PROVIDER_INVALID_PRODUCT, 'rejected', false],
    [400, 'INVALID_CURRENCY', ErrorCodes.PROVIDER_INVALID_PRODUCT, 'rejected', false],
    [400, 'INVALID_AMOUNT', ErrorCodes.PROVIDER_INVALID_PRODUCT, 'rejected', false],
    [402, 'INSUFFICIENT_BALANCE', ErrorCodes.PROVIDER_INSUFFICIENT_BALANCE, 'rejected', false],
    [429, undefined, ErrorCodes.PROVIDER_RATE_LIMITED, 'rejected', true],
    [403, undefined, ErrorCodes.PROVIDER_AUTH_FAILED, 'rejected', false],
    // A gateway may answer 408 for an upstream still working on the order.
    [408, undefined, ErrorCodes.PROVIDER_TIMEOUT, 'unknown', true],
    [500, 'INTERNAL_ERROR', ErrorCodes.PROVIDER_SERVER_ERROR, 'unknown', true],
    [503, undefined, ErrorCodes.PROVIDER_SERVER_ERROR, 'unknown', true],
    [418, undefined, ErrorCodes.PROVIDER_BAD_REQUEST, 'rejected', false],
    // The status wins over the body: a 5xx with a refusal code may have committed.
    [500, 'INSUFFICIENT_BALANCE', ErrorCodes.PROVIDER_SERVER_ERROR, 'unknown', true],
    [502, 'INVALID_REQUEST', ErrorCodes.PROVIDER_SERVER_ERROR, 'unknown', true],
    [503, 'INVALID_PRODUCT', ErrorCodes.PROVIDER_SERVER_ERROR, 'unknown', true],
    [500, 'EXTERNAL_REF_CONFLICT', ErrorCodes.PROVIDER_SERVER_ERROR, 'unknown', true],
    // An unexpected 1xx/3xx is not a refusal.
    [302, undefined, ErrorCodes.PROVIDER_BAD_RESPONSE, 'unknown', true],
    [303, undefined, ErrorCodes.PROVIDER_BAD_RESPONSE, 'unknown', true],
    [100, undefined, ErrorCodes.PROVIDER_BAD_RESPONSE, 'unknown', true],
  ];
  for (const [status, code, expected, outcome, retryable] of table) {
    it(`maps ${status} ${code ?? '(no code)'} to ${expected} (${outcome})`, () => {
      expect(mapGiftcardError({ status, headers: {}, ...(code ? { code } : {}) })).to.include({ code: expected, outcome, retryable });
    });
  }

  it('points a bare 404/405 at the connector URL, and only those', () => {
    for (const status of [404, 405]) {
      expect(mapGiftcardError({ status, headers: {} })).to.include({
        code: ErrorCodes.PROVIDER_BAD_REQUEST,
        outcome: 'rejected',
        retryable: false,
      });
      expect(mapGiftcardError({ status, headers: {} }).message).to.include('check baseUrl');
    }
    expect(mapGiftcardError({ status: 404, headers: {}, code: 'NO_SUCH_BRAND', message: 'gone' }).message).to.equal(
      'gift-card provider refused the request (404 NO_SUCH_BRAND): gone',
    );
    expect(mapGiftcardError({ status: 410, headers: {} }).message).to.not.include('baseUrl');
  });
});

describe('gift-card plugin definition', () => {
  it('declares return-original, lookup by reference, major units, no phone', () => {
    expect(plugin.capabilities).to.deep.equal({
      duplicateReference: 'return-original',
      statusByReference: true,
      amountUnit: 'major',
      asyncIssuance: true,
    });
    expect(plugin.requiresPhone).to.equal(false);
  });

  it('embeds core’s resilience options schema unchanged', () => {
    const { $schema: _ignored, ...core } = resilienceOptionsSchema as Record<string, unknown>;
    expect((configSchema.properties as Record<string, unknown>).resilience).to.deep.equal(core);
  });

  it('fills the catalogue TTL and default currency, and refuses a currency that is not three capitals', () => {
    const config: Record<string, unknown> = { baseUrl: 'https://p.example/giftcard', apiKey: 'k' };
    expect(validateAgainstSchema(plugin.configSchema, config)).to.deep.equal([]);
    expect(config).to.include({ catalogueTtlMs: 300_000, defaultCurrency: 'USD', timeoutMs: 10_000 });
    expect(
      validateAgainstSchema(plugin.configSchema, { baseUrl: 'https://p.example', apiKey: 'k', defaultCurrency: 'usd' }),
    ).to.have.length(1);
  });
});
