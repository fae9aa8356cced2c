import { expect } from 'chai';
import { ErrorCodes, isConnectorError, validateIssueParams, type ConnectorError, type IssueParams, type Logger } from '@relaypoint/core';
import { startSimulator, type Simulator } from '@relaypoint/simulator';
import { TremendousConnector, type TremendousConnectorConfig } from '../src/index.js';
import { TREMENDOUS_MODEL_API_KEY, tremendousModel, tremendousModelConfig } from '../src/model/index.js';

/** Every log line of the connectors in this file, to check that the API key never reaches a log. */
const lines: string[] = [];
function recordingLogger(): Logger {
  const log = (level: string) => (obj: object, msg?: string) => lines.push(JSON.stringify({ level, ...obj, msg }));
  const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'), child: () => logger };
  return logger;
}

function params(reference: string, patch: Partial<IssueParams> = {}): IssueParams {
  return { productId: 'OKMHM2X2OHYV', customerId: 'c-1', amount: '25.00', currency: 'USD', reference, ...patch };
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

describe('TremendousConnector against the Tremendous model', () => {
  let sim: Simulator;
  const connectors: TremendousConnector[] = [];
  const make = (patch: Partial<TremendousConnectorConfig> = {}): TremendousConnector => {
    const c = new TremendousConnector(
      { ...(tremendousModelConfig(`${sim.url}/tremendous`) as unknown as TremendousConnectorConfig), ...patch },
      { logger: recordingLogger() },
    );
    connectors.push(c);
    return c;
  };
  const issue = (c: TremendousConnector, reference: string, patch: Partial<IssueParams> = {}) =>
    c.issueVoucher(validateIssueParams(params(reference, patch)));
  const journal = (name: string) => sim.journal.entries({ route: `tremendous.${name}` as never });

  before(async () => {
    sim = await startSimulator({ seed: 26, models: [tremendousModel] });
  });
  after(async () => {
    await sim.close();
    expect(lines.length).to.be.greaterThan(5);
    for (const line of lines) expect(line, `a log line holds the API key: ${line}`).not.to.include(TREMENDOUS_MODEL_API_KEY);
  });
  beforeEach(() => {
    sim.reset();
    sim.setScenario({ rules: [] });
  });
  afterEach(() => {
    for (const c of connectors.splice(0)) c.close();
  });

  it('orders with external_id = reference and the exact denomination, and maps the reward to the voucher', async () => {
    const r = await issue(make(), 'T-1');
    const entry = sim.ledger.entries({ provider: 'tremendous', reference: 'T-1' })[0];
    expect(r).to.include({ status: 'succeeded', reference: 'T-1', transactionId: entry.transactionId, providerCode: 'EXECUTED' });
    expect(r.voucher?.code).to.equal(entry.voucherCode);
    expect(r.voucher?.redemptionUrl).to.match(/^https:\/\//);
    const sent = journal('orders.create')[0].body as Record<string, unknown>;
    expect(sent).to.deep.include({ external_id: 'T-1', payment: { funding_source_id: 'balance' } });
    expect((sent.reward as Record<string, unknown>).value).to.deep.equal({ denomination: 25, currency_code: 'USD' });
  });

  it('a repeated external_id returns the original order (200, then 201) and orders nothing new', async () => {
    const c = make();
    const first = await issue(c, 'T-rep');
    const again = await issue(c, 'T-rep');
    expect(again).to.deep.equal(first);
    expect(sim.ledger.countByReference('tremendous', 'T-rep')).to.equal(1);
    expect(journal('orders.create').map((e) => e.status)).to.deep.equal([200, 201]);
  });

  it('the same external_id for another amount is PROVIDER_REFERENCE_CONFLICT (409 read back), nothing new ordered', async () => {
    const c = make();
    await issue(c, 'T-conf');
    const e = await failure(issue(c, 'T-conf', { amount: '30.00' }));
    expect(e).to.include({ code: ErrorCodes.PROVIDER_REFERENCE_CONFLICT, outcome: 'rejected' });
    expect(journal('orders.create').map((x) => x.status)).to.deep.equal([200, 409]);
    expect(sim.ledger.countByReference('tremendous', 'T-conf')).to.equal(1);
  });

  it('an order pending approval is pending, and resolves through checkStatus', async () => {
    const c = make();
    const r = await issue(c, 'T-appr', { productId: 'SIMAPPROVAL' });
    expect(r).to.include({ status: 'pending', providerCode: 'PENDING APPROVAL' });
    let status = await c.checkStatus({ transactionId: r.transactionId as string });
    for (let i = 0; i < 5 && status.status === 'pending'; i += 1)
      status = await c.checkStatus({ transactionId: r.transactionId as string });
    expect(status.status).to.equal('succeeded');
  });

  it('a provider outage (503 after commit) is outcome unknown; a re-send with the same external_id returns the one order', async () => {
    sim.setScenario({
      rules: [{ route: 'tremendous.orders.create' as never, calls: { first: 1 }, fault: { type: 'status-after-commit', status: 503 } }],
    });
    const c = make();
    const e = await failure(issue(c, 'T-out'));
    expect(e).to.include({ code: ErrorCodes.PROVIDER_SERVER_ERROR, outcome: 'unknown' });
    const resent = await issue(c, 'T-out');
    expect(resent.status).to.equal('succeeded');
    expect(sim.ledger.countByReference('tremendous', 'T-out')).to.equal(1);
  });

  it("refuses an amount outside the product's range before ordering, from the catalogue", async () => {
    const c = make();
    const e = await failure(issue(c, 'T-range', { amount: '2000.01' }));
    expect(e).to.include({ code: ErrorCodes.PROVIDER_INVALID_PRODUCT, outcome: 'not_sent' });
    expect(journal('orders.create')).to.have.length(0);
  });

  it("an order Tremendous's schema refuses (denomination as a string, a wrong type) gets its own error envelope over HTTP", async () => {
    const res = await fetch(`${sim.url}/tremendous/api/v2/orders`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TREMENDOUS_MODEL_API_KEY}` },
      body: JSON.stringify({
        external_id: 'T-bad',
        payment: { funding_source_id: 'balance' },
        reward: { products: ['OKMHM2X2OHYV'], value: { denomination: '25.00', currency_code: 'USD' }, delivery: { method: 'LINK' } },
      }),
    });
    const body = (await res.json()) as { errors: { message: string; payload: Record<string, unknown> } };
    expect(res.status).to.equal(400);
    expect(body.errors.message).to.include('reward.value.denomination: must be a number');
    expect(body.errors.payload).to.have.nested.property('reward.value.denomination');
    expect(sim.ledger.countByReference('tremendous', 'T-bad')).to.equal(0);
  });

  it('a wrong API key is PROVIDER_AUTH_FAILED (rejected)', async () => {
    const e = await failure(issue(make({ apiKey: 'wrong-key' }), 'T-auth'));
    expect(e).to.include({ code: ErrorCodes.PROVIDER_AUTH_FAILED, outcome: 'rejected' });
  });
});
