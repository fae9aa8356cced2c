import { expect } from 'chai';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import {
  ConnectorError,
  ErrorCodes,
  isConnectorError,
  resilienceOptionsSchema,
  validateAgainstSchema,
  validateIssueParams,
  type IssueParams,
  type IssueResult,
  type Logger,
} from '@relaypoint/core';
import { startSimulator, type Simulator } from '@relaypoint/simulator';
import plugin, { AirtimeConnector, configSchema, mapAirtimeError } from '../src/index.js';

const lines: string[] = [];
const logger: Logger = {
  debug: (o, m) => lines.push(JSON.stringify({ ...o, m })),
  info: (o, m) => lines.push(JSON.stringify({ ...o, m })),
  warn: (o, m) => lines.push(JSON.stringify({ ...o, m })),
  error: (o, m) => lines.push(JSON.stringify({ ...o, m })),
  child: () => logger,
};

function params(reference: string, patch: Partial<IssueParams> = {}): IssueParams {
  return { productId: 'AIRTIME_5', customerId: 'c-1', phoneNumber: '+263771234567', amount: '5.00', currency: 'USD', reference, ...patch };
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

describe('AirtimeConnector', () => {
  let sim: Simulator;
  let connector: AirtimeConnector;
  const make = (patch: Record<string, unknown> = {}) =>
    new AirtimeConnector({ baseUrl: `${sim.url}/airtime`, apiKey: 'sim-airtime-key', secret: 'sim-airtime-secret', ...patch }, { logger });
  const issue = (c: AirtimeConnector, reference: string, patch: Partial<IssueParams> = {}): Promise<IssueResult> =>
    c.issueVoucher(validateIssueParams(params(reference, patch), { requirePhone: true }));

  before(async () => {
    sim = await startSimulator({ seed: 7 });
  });
  after(async () => {
    await sim.close();
  });
  beforeEach(() => {
    sim.reset();
    sim.setScenario({ rules: [] });
    connector = make();
  });
  afterEach(() => connector.close());

  it('issues with a signed body and maps voucher, transaction id and status', async () => {
    const r = await issue(connector, 'A-1');
    const entry = sim.ledger.entries({ provider: 'airtime', reference: 'A-1' })[0];
    expect(r).to.include({ status: 'succeeded', reference: 'A-1', transactionId: entry.transactionId, providerCode: 'success' });
    expect(r.voucher).to.deep.equal({ code: entry.voucherCode });
    const sent = sim.journal.entries({ route: 'airtime.issue' })[0].body as Record<string, unknown>;
    expect(sent).to.deep.include({
      product_id: 'AIRTIME_5',
      phone_number: '+263771234567',
      amount: '5.00',
      currency: 'USD',
      reference: 'A-1',
      customer_id: 'c-1',
    });
  });

  it('sends the provider product id from the product map', async () => {
    const c = make({ products: { 'top-up-5': 'AIRTIME_5' } });
    try {
      await issue(c, 'A-map', { productId: 'top-up-5' });
      expect(sim.ledger.entries({ reference: 'A-map' })[0].productId).to.equal('AIRTIME_5');
    } finally {
      c.close();
    }
  });

  const refusals: {
    what: string;
    patch?: Partial<IssueParams>;
    config?: Record<string, unknown>;
    setup?: () => void;
    code: string;
    outcome: string;
    retryable: boolean;
    provider: string;
  }[] = [
    {
      what: 'a wrong API key',
      config: { apiKey: 'nope' },
      code: ErrorCodes.PROVIDER_AUTH_FAILED,
      outcome: 'rejected',
      retryable: false,
      provider: 'INVALID_API_KEY',
    },
    {
      what: 'a wrong signing secret',
      config: { secret: 'nope' },
      code: ErrorCodes.PROVIDER_SIGNATURE_REJECTED,
      outcome: 'rejected',
      retryable: false,
      provider: 'INVALID_SIGNATURE',
    },
    {
      what: 'an unknown product',
      patch: { productId: 'NOPE' },
      code: ErrorCodes.PROVIDER_INVALID_PRODUCT,
      outcome: 'rejected',
      retryable: false,
      provider: 'INVALID_PRODUCT',
    },
    {
      what: 'an invalid phone (magic 0002)',
      patch: { phoneNumber: '+263770000002' },
      code: ErrorCodes.PROVIDER_INVALID_RECIPIENT,
      outcome: 'rejected',
      retryable: false,
      provider: 'INVALID_PHONE_NUMBER',
    },
    {
      what: 'a currency the account does not hold',
      patch: { currency: 'EUR' },
      code: ErrorCodes.PROVIDER_INVALID_PRODUCT,
      outcome: 'rejected',
      retryable: false,
      provider: 'INVALID_CURRENCY',
    },
    {
      what: 'an amount above the product range',
      patch: { amount: '5000.00' },
      code: ErrorCodes.PROVIDER_INVALID_PRODUCT,
      outcome: 'rejected',
      retryable: false,
      provider: 'INVALID_AMOUNT',
    },
    {
      what: 'an operator that is down (magic 0004)',
      patch: { phoneNumber: '+263770000004' },
      code: ErrorCodes.PROVIDER_UNAVAILABLE,
      outcome: 'rejected',
      retryable: true,
      provider: 'OPERATOR_UNAVAILABLE',
    },
    {
      what: 'a balance that is too low',
      setup: () => sim.setBalance('airtime', '1.00'),
      code: ErrorCodes.PROVIDER_INSUFFICIENT_BALANCE,
      outcome: 'rejected',
      retryable: false,
      provider: 'INSUFFICIENT_BALANCE',
    },
  ];
  for (const r of refusals) {
    it(`maps ${r.what} to ${r.code} (${r.outcome}${r.retryable ? ', retryable' : ''}) and issues nothing`, async () => {
      r.setup?.();
      const c = r.config ? make(r.config) : connector;
      try {
        const e = await failure(issue(c, 'A-refused', r.patch));
        expect({ code: e.code, outcome: e.outcome, retryable: e.retryable, providerCode: e.providerCode }).to.deep.equal({
          code: r.code,
          outcome: r.outcome,
          retryable: r.retryable,
          providerCode: r.provider,
        });
        expect(sim.ledger.entries({ provider: 'airtime' }).filter((x) => x.debited)).to.have.length(0);
      } finally {
        if (c !== connector) c.close();
      }
    });
  }

  it('maps PHONE_RECENTLY_RECHARGED to a retryable PROVIDER_RATE_LIMITED', async () => {
    sim.setScenario({ recentRechargeWindowMs: 60_000, rules: [] });
    await issue(connector, 'A-first');
    const e = await failure(issue(connector, 'A-again'));
    expect(e).to.include({
      code: ErrorCodes.PROVIDER_RATE_LIMITED,
      outcome: 'rejected',
      retryable: true,
      providerCode: 'PHONE_RECENTLY_RECHARGED',
    });
  });

  it('reports an operator decline (magic 0006) as failed, not as an error', async () => {
    const r = await issue(connector, 'A-declined', { phoneNumber: '+263770000006' });
    expect(r.status).to.equal('failed');
    expect(r.transactionId).to.be.a('string');
  });

  it('answers a re-sent reference with the original transaction (DUPLICATE_REFERENCE), issuing nothing new', async () => {
    const first = await issue(connector, 'A-dup');
    const again = await issue(connector, 'A-dup');
    expect(again).to.deep.equal(first);
    expect(sim.ledger.countByReference('airtime', 'A-dup')).to.equal(1);
    expect(sim.journal.entries({ route: 'airtime.issue', reference: 'A-dup' }).map((e) => e.status)).to.deep.equal([200, 409]);
  });

  it('refuses a reference that already belongs to a different issuance (PROVIDER_REFERENCE_CONFLICT)', async () => {
    await issue(connector, 'A-other');
    const e = await failure(issue(connector, 'A-other', { amount: '7.00' }));
    expect(e).to.include({ code: ErrorCodes.PROVIDER_REFERENCE_CONFLICT, outcome: 'rejected', retryable: false });
    expect(sim.ledger.countByReference('airtime', 'A-other')).to.equal(1);
  });

  const uncertain: {
    fault: 'status-after-commit' | 'drop-after-commit' | 'reset' | 'truncate' | 'malformed';
    code: string | string[];
    issued: boolean;
  }[] = [
    { fault: 'status-after-commit', code: ErrorCodes.PROVIDER_SERVER_ERROR, issued: true },
    { fault: 'drop-after-commit', code: ErrorCodes.PROVIDER_CONNECTION_LOST, issued: true },
    { fault: 'reset', code: ErrorCodes.PROVIDER_CONNECTION_LOST, issued: false },
    // Half a body then a closed socket: depending on timing the client sees a lost connection or a body that does not parse.
    { fault: 'truncate', code: [ErrorCodes.PROVIDER_CONNECTION_LOST, ErrorCodes.PROVIDER_BAD_RESPONSE], issued: true },
    { fault: 'malformed', code: ErrorCodes.PROVIDER_BAD_RESPONSE, issued: true },
  ];
  for (const u of uncertain) {
    it(`reports ${u.fault} as outcome unknown (${[u.code].flat().join(' or ')}), never failed`, async () => {
      sim.setScenario({
        rules: [{ route: 'airtime.issue', fault: u.fault === 'status-after-commit' ? { type: u.fault, status: 500 } : { type: u.fault } }],
      });
      const e = await failure(issue(connector, `A-${u.fault}`));
      expect(e.outcome).to.equal('unknown');
      expect([u.code].flat()).to.include(e.code);
      expect(sim.ledger.countByReference('airtime', `A-${u.fault}`)).to.equal(u.issued ? 1 : 0);
    });
  }

  it('reports a 5xx before commit as outcome unknown too: the client cannot tell it from one after', async () => {
    sim.setScenario({ rules: [{ route: 'airtime.issue', fault: { type: 'status-before-commit', status: 502 } }] });
    const e = await failure(issue(connector, 'A-502'));
    expect(e).to.include({ code: ErrorCodes.PROVIDER_SERVER_ERROR, outcome: 'unknown', httpStatus: 502, providerCode: 'BAD_GATEWAY' });
  });

  it('reads the 429 Retry-After into retryAfterMs', async () => {
    sim.setScenario({ rules: [{ route: 'airtime.issue', fault: { type: 'rate-limit', retryAfterSeconds: 3 } }] });
    const e = await failure(issue(connector, 'A-429'));
    expect(e).to.include({ code: ErrorCodes.PROVIDER_RATE_LIMITED, retryable: true, retryAfterMs: 3_000 });
  });

  it('cancels a hung request through the signal and calls it unknown', async () => {
    sim.setScenario({ rules: [{ route: 'airtime.issue', fault: { type: 'hang' } }] });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const started = Date.now();
    const e = await failure(connector.issueVoucher(validateIssueParams(params('A-hang')), { signal: ac.signal }));
    expect(Date.now() - started).to.be.lessThan(1_000);
    expect(e.outcome).to.equal('unknown');
  });

  it('looks a transaction up by id and by reference, and says not_found only on the provider’s own 404', async () => {
    const r = await issue(connector, 'A-look', { productId: 'AIRTIME_ASYNC' });
    expect(r.status).to.equal('pending');
    const byId = await connector.checkStatus({ transactionId: r.transactionId as string });
    expect(byId).to.include({ status: 'pending', reference: 'A-look', transactionId: r.transactionId });
    const byRef = await connector.checkStatus({ reference: 'A-look' });
    expect(byRef.status).to.equal('pending');
    const done = await connector.checkStatus({ reference: 'A-look' });
    expect(done.status).to.equal('succeeded');
    expect(await connector.checkStatus({ reference: 'A-none' })).to.deep.equal({ status: 'not_found', reference: 'A-none' });
    expect(await connector.checkStatus({ transactionId: 'AT-none' })).to.deep.equal({ status: 'not_found', transactionId: 'AT-none' });
    // A wrong base URL answers a bare 404: that must not read as "nothing was issued".
    const lost = make({ baseUrl: `${sim.url}/not-airtime` });
    try {
      const e = await failure(lost.checkStatus({ reference: 'A-look' }));
      expect(e.code).to.not.equal(ErrorCodes.PROVIDER_NOT_FOUND);
      expect(e.message).to.include('no such endpoint');
    } finally {
      lost.close();
    }
  });

  it('tells the operator to check baseUrl when a server without the route answers a bare 404, on issue and on lookup', async () => {
    // A real server over loopback that is not the provider: an HTML 404, as a web server or proxy answers a wrong path.
    const stray = createServer((_req, res) =>
      res.writeHead(404, { 'content-type': 'text/html' }).end('<html><body>Not Found</body></html>'),
    );
    await new Promise<void>((r) => stray.listen(0, '127.0.0.1', r));
    const lost = make({ baseUrl: `http://127.0.0.1:${(stray.address() as AddressInfo).port}/api` });
    try {
      const refused = await failure(issue(lost, 'A-stray'));
      expect(refused).to.include({ code: ErrorCodes.PROVIDER_BAD_REQUEST, outcome: 'rejected', retryable: false, httpStatus: 404 });
      expect(refused.message).to.include('check baseUrl');
      const lookup = await failure(lost.checkStatus({ reference: 'A-stray' }));
      expect(lookup.code).to.not.equal(ErrorCodes.PROVIDER_NOT_FOUND);
      expect(lookup.message).to.include('check baseUrl');
    } finally {
      lost.close();
      await new Promise((r) => stray.close(r));
    }
  });

  it('given the request, a lookup by reference refuses a transaction of a different issuance (PROVIDER_REFERENCE_CONFLICT), and returns ours', async () => {
    const mine = await issue(connector, 'A-held');
    const ours = await connector.checkStatus({ reference: 'A-held', request: validateIssueParams(params('A-held')) });
    expect(ours).to.include({ status: 'succeeded', transactionId: mine.transactionId });
    // Another system holds the reference with 7.00 to another phone: not an answer about our 5.00.
    for (const patch of [{ amount: '7.00' }, { phoneNumber: '+263771999999' }]) {
      const e = await failure(connector.checkStatus({ reference: 'A-held', request: validateIssueParams(params('A-held', patch)) }));
      expect(e, JSON.stringify(patch)).to.include({ code: ErrorCodes.PROVIDER_REFERENCE_CONFLICT, outcome: 'rejected', retryable: false });
    }
    // Without the request there is nothing to compare with: the lookup answers as before.
    expect(await connector.checkStatus({ reference: 'A-held' })).to.include({ status: 'succeeded' });
  });

  // Defect 1: any 409 on issue means the reference exists; resolve it by lookup, never refuse it outright.
  it('resolves a 409 DUPLICATE_REFERENCE whose body is cut short to the original, issuing nothing new', async () => {
    const first = await issue(connector, 'A-dup-cut');
    sim.setScenario({ rules: [{ route: 'airtime.issue', reference: 'A-dup-cut', attempts: [2], fault: { type: 'truncate' } }] });
    const again = await issue(connector, 'A-dup-cut');
    expect(again).to.deep.equal(first);
    expect(sim.journal.entries({ route: 'airtime.issue', reference: 'A-dup-cut' }).map((e) => `${e.status} ${e.fault}`)).to.deep.equal([
      '200 none',
      '409 truncate',
    ]);
    expect(sim.ledger.countByReference('airtime', 'A-dup-cut')).to.equal(1);
  });

  it('calls a cut-short 409 unknown (never rejected) when the original cannot be read back', async () => {
    await issue(connector, 'A-dup-cut2');
    sim.setScenario({
      rules: [
        { route: 'airtime.issue', reference: 'A-dup-cut2', attempts: [2], fault: { type: 'truncate' } },
        { route: 'airtime.lookup', reference: 'A-dup-cut2', fault: { type: 'status-after-commit', status: 500 } },
      ],
    });
    const e = await failure(issue(connector, 'A-dup-cut2'));
    expect(e).to.include({ code: ErrorCodes.PROVIDER_BAD_RESPONSE, outcome: 'unknown', retryable: true, httpStatus: 409 });
    expect(sim.ledger.countByReference('airtime', 'A-dup-cut2')).to.equal(1);
  });

  // Defect 2: the status wins over the body's code for a 5xx.
  const refusalCodesOn5xx: { fault: 'status-after-commit' | 'status-before-commit'; status: number; code: string; issued: boolean }[] = [
    { fault: 'status-after-commit', status: 500, code: 'INSUFFICIENT_BALANCE', issued: true },
    { fault: 'status-after-commit', status: 502, code: 'INVALID_REQUEST', issued: true },
    { fault: 'status-after-commit', status: 500, code: 'OPERATOR_UNAVAILABLE', issued: true },
    { fault: 'status-before-commit', status: 500, code: 'INVALID_PRODUCT', issued: false },
  ];
  for (const f of refusalCodesOn5xx) {
    it(`reports a ${f.status} whose body says ${f.code} (${f.fault}) as unknown, not as that refusal`, async () => {
      sim.setScenario({ rules: [{ route: 'airtime.issue', fault: { type: f.fault, status: f.status, code: f.code } }] });
      const ref = `A-5xx-${f.status}-${f.code}`;
      const e = await failure(issue(connector, ref));
      expect(e).to.include({
        code: ErrorCodes.PROVIDER_SERVER_ERROR,
        outcome: 'unknown',
        retryable: true,
        httpStatus: f.status,
        providerCode: f.code,
      });
      expect(sim.ledger.countByReference('airtime', ref)).to.equal(f.issued ? 1 : 0);
    });
  }

  it('never writes the API key or the secret to its log', () => {
    expect(lines.join('\n')).to.not.include('sim-airtime-key').and.not.include('sim-airtime-secret');
  });

  describe('edge cases a real server does not produce (nock)', () => {
    afterEach(() => nock.cleanAll());
    const base = 'http://airtime.invalid';

    it('treats status "success" without a voucher code as a bad response (unknown), not a success', async () => {
      nock(base).post('/airtime/issue').reply(200, { transaction_id: 'T-1', status: 'success', voucher_code: null });
      const c = new AirtimeConnector({ baseUrl: `${base}/airtime`, apiKey: 'k', secret: 's' }, { logger });
      try {
        const e = await failure(c.issueVoucher(validateIssueParams(params('N-1'))));
        expect(e).to.include({ code: ErrorCodes.PROVIDER_BAD_RESPONSE, outcome: 'unknown' });
      } finally {
        c.close();
      }
    });

    it('treats a proxy’s HTML 502 as outcome unknown', async () => {
      nock(base).post('/airtime/issue').reply(502, '<html>Bad gateway</html>', { 'content-type': 'text/html' });
      const c = new AirtimeConnector({ baseUrl: `${base}/airtime`, apiKey: 'k', secret: 's' }, { logger });
      try {
        const e = await failure(c.issueVoucher(validateIssueParams(params('N-2'))));
        expect(e).to.include({ code: ErrorCodes.PROVIDER_SERVER_ERROR, outcome: 'unknown', httpStatus: 502 });
      } finally {
        c.close();
      }
    });

    const make409 = () => new AirtimeConnector({ baseUrl: `${base}/airtime`, apiKey: 'k', secret: 's' }, { logger });
    const original = (patch: Record<string, unknown> = {}) => ({
      transaction_id: 'T-9',
      reference: 'N-409',
      status: 'success',
      voucher_code: 'V-9',
      product_id: 'AIRTIME_5',
      phone_number: '+263771234567',
      amount: '5.00',
      currency: 'USD',
      ...patch,
    });

    // Defect 1: a 409 with a body that is not the JSON envelope (a proxy's page) still means "the reference exists".
    it('resolves a 409 with an HTML body by looking the reference up, and returns the original', async () => {
      const scope = nock(base)
        .post('/airtime/issue')
        .reply(409, '<html><body>409 Conflict</body></html>', { 'content-type': 'text/html' })
        .get('/airtime/transactions')
        .query({ reference: 'N-409' })
        .reply(200, original());
      const c = make409();
      try {
        const r = await c.issueVoucher(validateIssueParams(params('N-409')));
        expect(r).to.include({ status: 'succeeded', transactionId: 'T-9', reference: 'N-409' });
        expect(r.voucher).to.deep.equal({ code: 'V-9' });
        expect(scope.isDone()).to.equal(true);
      } finally {
        c.close();
      }
    });

    it('calls a 409 with an HTML body unknown (never rejected) when the lookup finds nothing', async () => {
      nock(base)
        .post('/airtime/issue')
        .reply(409, '<html>Conflict</html>', { 'content-type': 'text/html' })
        .get('/airtime/transactions')
        .query({ reference: 'N-409' })
        .reply(404, { code: 'TRANSACTION_NOT_FOUND', message: 'no such transaction' });
      const c = make409();
      try {
        const e = await failure(c.issueVoucher(validateIssueParams(params('N-409'))));
        expect(e).to.include({ outcome: 'unknown', retryable: true, httpStatus: 409 });
      } finally {
        c.close();
      }
    });

    // Defect 2: an unexpected redirect after the POST is not a refusal.
    for (const status of [302, 303]) {
      it(`reports a ${status} redirect on issue as unknown, not rejected`, async () => {
        nock(base).post('/airtime/issue').reply(status, '', { location: '/elsewhere' });
        const c = make409();
        try {
          const e = await failure(c.issueVoucher(validateIssueParams(params('N-30x'))));
          expect(e).to.include({ code: ErrorCodes.PROVIDER_BAD_RESPONSE, outcome: 'unknown', retryable: true, httpStatus: status });
        } finally {
          c.close();
        }
      });
    }

    // Defect 4: harmless format differences in the echo of our own transaction are not a conflict.
    const echoes: { what: string; patch: Record<string, unknown>; expect: 'succeeded' | 'conflict' | 'unknown' }[] = [
      { what: 'an amount with an extra trailing zero ("5.000")', patch: { amount: '5.000' }, expect: 'succeeded' },
      { what: 'an amount without decimals ("5")', patch: { amount: '5' }, expect: 'succeeded' },
      { what: 'an amount as a JSON number (5)', patch: { amount: 5 }, expect: 'succeeded' },
      { what: 'a phone number without "+"', patch: { phone_number: '263771234567' }, expect: 'succeeded' },
      { what: 'a phone number with spaces', patch: { phone_number: '+263 77 123 4567' }, expect: 'succeeded' },
      { what: 'a different amount ("5.001")', patch: { amount: '5.001' }, expect: 'conflict' },
      { what: 'a different amount ("7.00")', patch: { amount: '7.00' }, expect: 'conflict' },
      { what: 'a different phone number', patch: { phone_number: '+263779999999' }, expect: 'conflict' },
      { what: 'a different product', patch: { product_id: 'DATA_200MB' }, expect: 'conflict' },
      { what: 'a phone number in national format (0771234567)', patch: { phone_number: '0771234567' }, expect: 'unknown' },
      { what: 'an amount that is not a plain decimal ("5.00 USD")', patch: { amount: '5.00 USD' }, expect: 'unknown' },
    ];
    for (const x of echoes) {
      it(`resolving a duplicate, treats an original echoing ${x.what} as ${x.expect}`, async () => {
        nock(base)
          .post('/airtime/issue')
          .reply(409, { code: 'DUPLICATE_REFERENCE', message: 'reference already used', transaction_id: 'T-9' })
          .get('/airtime/transactions')
          .query({ reference: 'N-409' })
          .reply(200, original(x.patch));
        const c = make409();
        try {
          const p = c.issueVoucher(validateIssueParams(params('N-409')));
          if (x.expect === 'succeeded') {
            expect(await p).to.include({ status: 'succeeded', transactionId: 'T-9' });
          } else {
            const e = await failure(p);
            expect(e).to.include(
              x.expect === 'conflict'
                ? { code: ErrorCodes.PROVIDER_REFERENCE_CONFLICT, outcome: 'rejected', retryable: false }
                : { code: ErrorCodes.PROVIDER_BAD_RESPONSE, outcome: 'unknown', retryable: true },
            );
          }
        } finally {
          c.close();
        }
      });
    }
  });
});

describe('mapAirtimeError', () => {
  it('maps INVALID_REQUEST to PROVIDER_BAD_REQUEST and an unlisted 4xx to a rejection', () => {
    expect(mapAirtimeError({ status: 400, headers: {}, code: 'INVALID_REQUEST' })).to.include({
      code: ErrorCodes.PROVIDER_BAD_REQUEST,
      outcome: 'rejected',
      retryable: false,
    });
    expect(mapAirtimeError({ status: 404, headers: {} })).to.include({ code: ErrorCodes.PROVIDER_BAD_REQUEST, outcome: 'rejected' });
    // Only a bare 404/405 points at the URL; one with the provider's own code is the provider's refusal.
    expect(mapAirtimeError({ status: 405, headers: {} }).message).to.include('check baseUrl');
    expect(mapAirtimeError({ status: 404, headers: {}, code: 'NO_SUCH_PLAN', message: 'gone' }).message).to.equal(
      'airtime provider refused the request (404 NO_SUCH_PLAN): gone',
    );
    expect(mapAirtimeError({ status: 410, headers: {} }).message).to.not.include('baseUrl');
  });

  it('takes the delay of a 429 or 503 from Retry-After in seconds or as an HTTP date', () => {
    expect(mapAirtimeError({ status: 429, headers: { 'retry-after': '2' }, code: 'PHONE_RECENTLY_RECHARGED' }).retryAfterMs).to.equal(
      2_000,
    );
    const date = new Date(Date.now() + 10_000).toUTCString();
    const ms = mapAirtimeError({ status: 503, headers: { 'retry-after': date }, code: 'OPERATOR_UNAVAILABLE' }).retryAfterMs as number;
    expect(ms).to.be.within(8_000, 10_000);
  });

  it('lets the status win over the body: a 5xx with a refusal code is unknown, except the documented 503 OPERATOR_UNAVAILABLE', () => {
    for (const [status, code] of [
      [500, 'INVALID_REQUEST'],
      [502, 'INSUFFICIENT_BALANCE'],
      [500, 'INVALID_API_KEY'],
      [503, 'INVALID_PHONE_NUMBER'],
      [500, 'OPERATOR_UNAVAILABLE'],
      [504, 'PHONE_RECENTLY_RECHARGED'],
    ] as const) {
      expect(mapAirtimeError({ status, headers: {}, code }), `${status} ${code}`).to.include({
        code: ErrorCodes.PROVIDER_SERVER_ERROR,
        outcome: 'unknown',
        retryable: true,
      });
    }
    expect(mapAirtimeError({ status: 503, headers: { 'retry-after': '5' }, code: 'OPERATOR_UNAVAILABLE' })).to.include({
      code: ErrorCodes.PROVIDER_UNAVAILABLE,
      outcome: 'rejected',
      retryable: true,
      retryAfterMs: 5_000,
    });
  });

  it('calls an unexpected 1xx or 3xx unknown, not rejected', () => {
    for (const status of [100, 301, 302, 303, 304, 307]) {
      expect(mapAirtimeError({ status, headers: {} }), String(status)).to.include({
        code: ErrorCodes.PROVIDER_BAD_RESPONSE,
        outcome: 'unknown',
        retryable: true,
      });
    }
  });

  it('calls a 408 and any other 5xx unknown: a gateway may have passed the request on', () => {
    expect(mapAirtimeError({ status: 408, headers: {} })).to.include({
      outcome: 'unknown',
      code: ErrorCodes.PROVIDER_TIMEOUT,
      retryable: true,
    });
    expect(mapAirtimeError({ status: 504, headers: {}, code: 'GATEWAY_TIMEOUT' })).to.include({
      outcome: 'unknown',
      code: ErrorCodes.PROVIDER_SERVER_ERROR,
    });
  });
});

describe('airtime plugin definition', () => {
  it('declares reject-duplicate, lookup by reference, major units and a required phone', () => {
    expect(plugin.kind).to.equal('relaypoint.connector');
    expect(plugin.capabilities).to.deep.equal({
      duplicateReference: 'reject-duplicate',
      statusByReference: true,
      amountUnit: 'major',
      asyncIssuance: true,
    });
    expect(plugin.requiresPhone).to.equal(true);
  });

  it('embeds core’s resilience options schema unchanged', () => {
    const { $schema: _ignored, ...core } = resilienceOptionsSchema as Record<string, unknown>;
    expect((configSchema.properties as Record<string, unknown>).resilience).to.deep.equal(core);
  });

  it('validates a config: secrets required, unknown fields and bad URLs refused, defaults filled', () => {
    const config: Record<string, unknown> = { baseUrl: 'https://p.example/airtime', apiKey: 'k', secret: 's', resilience: { retry: {} } };
    expect(validateAgainstSchema(plugin.configSchema, config)).to.deep.equal([]);
    expect(config.timeoutMs).to.equal(10_000);
    const errors = validateAgainstSchema(plugin.configSchema, { baseUrl: 'not a url', apiKey: 'k', extra: 1 }, { pathPrefix: 'config' });
    expect(errors).to.have.length(3);
  });
});
