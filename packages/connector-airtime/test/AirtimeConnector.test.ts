import { expect } from 'chai';
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
    expect(sent).to.deep.include({ product_id: 'AIRTIME_5', phone_number: '+263771234567', amount: '5.00', currency: 'USD', reference: 'A-1', customer_id: 'c-1' });
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

  const refusals: { what: string; patch?: Partial<IssueParams>; config?: Record<string, unknown>; setup?: () => void; code: string; outcome: string; retryable: boolean; provider: string }[] = [
    { what: 'a wrong API key', config: { apiKey: 'nope' }, code: ErrorCodes.PROVIDER_AUTH_FAILED, outcome: 'rejected', retryable: false, provider: 'INVALID_API_KEY' },
    { what: 'a wrong signing secret', config: { secret: 'nope' }, code: ErrorCodes.PROVIDER_SIGNATURE_REJECTED, outcome: 'rejected', retryable: false, provider: 'INVALID_SIGNATURE' },
    { what: 'an unknown product', patch: { productId: 'NOPE' }, code: ErrorCodes.PROVIDER_INVALID_PRODUCT, outcome: 'rejected', retryable: false, provider: 'INVALID_PRODUCT' },
    { what: 'an invalid phone (magic 0002)', patch: { phoneNumber: '+263770000002' }, code: ErrorCodes.PROVIDER_INVALID_RECIPIENT, outcome: 'rejected', retryable: false, provider: 'INVALID_PHONE_NUMBER' },
    { what: 'a currency the account does not hold', patch: { currency: 'EUR' }, code: ErrorCodes.PROVIDER_INVALID_PRODUCT, outcome: 'rejected', retryable: false, provider: 'INVALID_CURRENCY' },
    { what: 'an amount above the product range', patch: { amount: '5000.00' }, code: ErrorCodes.PROVIDER_INVALID_PRODUCT, outcome: 'rejected', retryable: false, provider: 'INVALID_AMOUNT' },
    { what: 'an operator that is down (magic 0004)', patch: { phoneNumber: '+263770000004' }, code: ErrorCodes.PROVIDER_UNAVAILABLE, outcome: 'rejected', retryable: true, provider: 'OPERATOR_UNAVAILABLE' },
    { what: 'a balance that is too low', setup: () => sim.setBalance('airtime', '1.00'), code: ErrorCodes.PROVIDER_INSUFFICIENT_BALANCE, outcome: 'rejected', retryable: false, provider: 'INSUFFICIENT_BALANCE' },
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
    expect(e).to.include({ code: ErrorCodes.PROVIDER_RATE_LIMITED, outcome: 'rejected', retryable: true, providerCode: 'PHONE_RECENTLY_RECHARGED' });
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

  const uncertain: { fault: 'status-after-commit' | 'drop-after-commit' | 'reset' | 'truncate' | 'malformed'; code: string | string[]; issued: boolean }[] = [
    { fault: 'status-after-commit', code: ErrorCodes.PROVIDER_SERVER_ERROR, issued: true },
    { fault: 'drop-after-commit', code: ErrorCodes.PROVIDER_CONNECTION_LOST, issued: true },
    { fault: 'reset', code: ErrorCodes.PROVIDER_CONNECTION_LOST, issued: false },
    // Half a body then a closed socket: depending on timing the client sees a lost connection or a body that does not parse.
    { fault: 'truncate', code: [ErrorCodes.PROVIDER_CONNECTION_LOST, ErrorCodes.PROVIDER_BAD_RESPONSE], issued: true },
    { fault: 'malformed', code: ErrorCodes.PROVIDER_BAD_RESPONSE, issued: true },
  ];
  for (const u of uncertain) {
    it(`reports ${u.fault} as outcome unknown (${[u.code].flat().join(' or ')}), never failed`, async () => {
      sim.setScenario({ rules: [{ route: 'airtime.issue', fault: u.fault === 'status-after-commit' ? { type: u.fault, status: 500 } : { type: u.fault } }] });
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
    } finally {
      lost.close();
    }
  });

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
  });
});

describe('mapAirtimeError', () => {
  it('maps INVALID_REQUEST to PROVIDER_BAD_REQUEST and an unlisted 4xx to a rejection', () => {
    expect(mapAirtimeError({ status: 400, headers: {}, code: 'INVALID_REQUEST' })).to.include({ code: ErrorCodes.PROVIDER_BAD_REQUEST, outcome: 'rejected', retryable: false });
    expect(mapAirtimeError({ status: 404, headers: {} })).to.include({ code: ErrorCodes.PROVIDER_BAD_REQUEST, outcome: 'rejected' });
  });

  it('takes the delay of a 429 or 503 from Retry-After in seconds or as an HTTP date', () => {
    expect(mapAirtimeError({ status: 429, headers: { 'retry-after': '2' }, code: 'PHONE_RECENTLY_RECHARGED' }).retryAfterMs).to.equal(2_000);
    const date = new Date(Date.now() + 10_000).toUTCString();
    const ms = mapAirtimeError({ status: 503, headers: { 'retry-after': date }, code: 'OPERATOR_UNAVAILABLE' }).retryAfterMs as number;
    expect(ms).to.be.within(8_000, 10_000);
  });

  it('calls a 408 not sent and any other 5xx unknown', () => {
    expect(mapAirtimeError({ status: 408, headers: {} })).to.include({ outcome: 'not_sent', retryable: true });
    expect(mapAirtimeError({ status: 504, headers: {}, code: 'GATEWAY_TIMEOUT' })).to.include({ outcome: 'unknown', code: ErrorCodes.PROVIDER_SERVER_ERROR });
  });
});

describe('airtime plugin definition', () => {
  it('declares reject-duplicate, lookup by reference, major units and a required phone', () => {
    expect(plugin.kind).to.equal('relaypoint.connector');
    expect(plugin.capabilities).to.deep.equal({ duplicateReference: 'reject-duplicate', statusByReference: true, amountUnit: 'major', asyncIssuance: true });
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
