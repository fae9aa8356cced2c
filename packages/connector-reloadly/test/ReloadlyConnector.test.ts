import { expect } from 'chai';
import { ErrorCodes, isConnectorError, validateIssueParams, type ConnectorError, type IssueParams, type Logger } from '@relaypoint/core';
import { startSimulator, type Simulator } from '@relaypoint/simulator';
import { ReloadlyConnector, type ReloadlyConnectorConfig } from '../src/index.js';
import { RELOADLY_MODEL_CREDENTIALS, createReloadlyModel, reloadlyModel, reloadlyModelConfig } from '../src/model/index.js';

/** Every log line of the connectors in this file, to check that no secret reaches a log. */
const lines: string[] = [];
function recordingLogger(): Logger {
  const log = (level: string) => (obj: object, msg?: string) => lines.push(JSON.stringify({ level, ...obj, msg }));
  const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'), child: () => logger };
  return logger;
}

function params(reference: string, patch: Partial<IssueParams> = {}): IssueParams {
  return { productId: '341', customerId: 'c-1', phoneNumber: '+2348031234567', amount: '500.00', currency: 'NGN', reference, ...patch };
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

describe('ReloadlyConnector against the Reloadly model', () => {
  let sim: Simulator;
  let simNow = 1_800_000_000_000;
  const pluginNow = simNow;
  const tokensIssued: string[] = [];
  const connectors: ReloadlyConnector[] = [];
  const make = (url = `${sim.url}/reloadly`, patch: Partial<ReloadlyConnectorConfig> = {}): ReloadlyConnector => {
    const c = new ReloadlyConnector(
      { ...(reloadlyModelConfig(url) as unknown as ReloadlyConnectorConfig), ...patch },
      { logger: recordingLogger(), clock: { now: () => pluginNow } },
    );
    connectors.push(c);
    return c;
  };
  const issue = (c: ReloadlyConnector, reference: string, patch: Partial<IssueParams> = {}) =>
    c.issueVoucher(validateIssueParams(params(reference, patch), { requirePhone: true }));
  const journal = (name: string) => sim.journal.entries({ route: `reloadly.${name}` as never });

  before(async () => {
    sim = await startSimulator({ seed: 26, models: [reloadlyModel], now: () => simNow });
  });
  after(async () => {
    await sim.close();
    // Every token the model issued during the run, and the credentials, must be absent from every log line.
    // The simulator's tokens all start with simtok_; the journal masks Authorization, so that prefix stands for every one.
    const secrets = [RELOADLY_MODEL_CREDENTIALS.clientSecret, RELOADLY_MODEL_CREDENTIALS.clientId, 'simtok_', ...tokensIssued];
    expect(lines.length).to.be.greaterThan(10);
    for (const line of lines) for (const secret of secrets) expect(line, `a log line holds a secret: ${line}`).not.to.include(secret);
  });
  beforeEach(() => {
    sim.reset();
    sim.setScenario({ rules: [] });
  });
  afterEach(() => {
    for (const e of sim.journal.entries()) {
      const auth = e.headers?.authorization;
      if (typeof auth === 'string' && auth.startsWith('Bearer ') && !auth.includes('*')) tokensIssued.push(auth.slice(7));
    }
    for (const c of connectors.splice(0)) c.close();
  });

  it('tops up with customIdentifier = reference and the exact amount, and maps the operator reference to the voucher', async () => {
    const r = await issue(make(), 'R-1');
    const entry = sim.ledger.entries({ provider: 'reloadly', reference: 'R-1' })[0];
    expect(r).to.include({ status: 'succeeded', reference: 'R-1', transactionId: entry.transactionId, providerCode: 'SUCCESSFUL' });
    expect(r.voucher?.code).to.equal(entry.voucherCode);
    expect(entry).to.include({ amount: '500.00', currency: 'NGN' });
    expect(journal('topups')[0].body).to.deep.equal({
      operatorId: 341,
      useLocalAmount: true,
      customIdentifier: 'R-1',
      recipientPhone: { countryCode: 'NG', number: '8031234567' },
      amount: 500,
    });
  });

  it('regression: a token that expires between two issuances is renewed once, and the second top-up is issued once', async () => {
    const c = make();
    await issue(c, 'T-1');
    expect(journal('token')).to.have.length(1);
    // The model's clock passes the token's hour; the plugin's clock still thinks the token is good.
    simNow += 3_601_000;
    const second = await issue(c, 'T-2');
    expect(second.status).to.equal('succeeded');
    expect(journal('token')).to.have.length(2);
    expect(journal('topups').map((e) => e.status)).to.deep.equal([200, 401, 200]);
    expect(sim.ledger.countByReference('reloadly', 'T-1')).to.equal(1);
    expect(sim.ledger.countByReference('reloadly', 'T-2')).to.equal(1);
  });

  it('renews the token once for many concurrent issuances refused with the same expired token', async () => {
    const c = make();
    await issue(c, 'C-0');
    sim.expireTokens('reloadly');
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => issue(c, `C-${i + 1}`, { phoneNumber: `+23480312345${String(i).padStart(2, '0')}` })),
    );
    expect(results.every((r) => r.status === 'succeeded')).to.equal(true);
    expect(journal('token')).to.have.length(2);
    for (let i = 1; i <= 8; i += 1) expect(sim.ledger.countByReference('reloadly', `C-${i}`)).to.equal(1);
  });

  it('a repeated reference is refused by the model and resolved to the original: one top-up, the same answer', async () => {
    const c = make();
    const first = await issue(c, 'D-1');
    const again = await issue(c, 'D-1');
    expect(again).to.deep.equal(first);
    expect(sim.ledger.countByReference('reloadly', 'D-1')).to.equal(1);
    expect(journal('topups').map((e) => e.status)).to.deep.equal([200, 400]);
    expect(journal('transactions-report')).to.have.length(1);
  });

  it('a repeated reference for a different top-up is PROVIDER_REFERENCE_CONFLICT, nothing new issued', async () => {
    const c = make();
    await issue(c, 'D-2');
    const e = await failure(issue(c, 'D-2', { amount: '600.00' }));
    expect(e).to.include({ code: ErrorCodes.PROVIDER_REFERENCE_CONFLICT, outcome: 'rejected' });
    expect(sim.ledger.countByReference('reloadly', 'D-2')).to.equal(1);
  });

  it('a provider outage (503 after commit) is outcome unknown; the reconciliation by reference finds the one top-up', async () => {
    sim.setScenario({ rules: [{ route: 'reloadly.topups' as never, fault: { type: 'status-after-commit', status: 503 } }] });
    const c = make();
    const e = await failure(issue(c, 'O-1'));
    expect(e).to.include({ code: ErrorCodes.PROVIDER_SERVER_ERROR, outcome: 'unknown' });
    sim.setScenario({ rules: [] });
    const found = await c.checkStatus({ reference: 'O-1', request: validateIssueParams(params('O-1'), { requirePhone: true }) });
    expect(found.status).to.equal('succeeded');
    // A re-send after the unknown outcome is refused (customIdentifier used) and resolved to the same top-up.
    const resent = await issue(c, 'O-1');
    expect(resent.transactionId).to.equal((found as { transactionId?: string }).transactionId);
    expect(sim.ledger.countByReference('reloadly', 'O-1')).to.equal(1);
  });

  it('an operator outage before commit (scenario operatorDown) is a retryable refusal, nothing issued', async () => {
    sim.setScenario({ operatorDown: true, rules: [] });
    const e = await failure(issue(make(), 'O-2'));
    expect(e).to.include({
      code: ErrorCodes.PROVIDER_UNAVAILABLE,
      outcome: 'rejected',
      retryable: true,
      providerCode: 'OPERATOR_UNAVAILABLE_OR_CURRENTLY_INACTIVE',
    });
    expect(sim.ledger.countByReference('reloadly', 'O-2')).to.equal(0);
  });

  it("refuses an amount outside the operator's limits before sending, from the operator it read", async () => {
    const c = make();
    const e = await failure(issue(c, 'L-1', { amount: '100001.00' }));
    expect(e).to.include({ code: ErrorCodes.PROVIDER_INVALID_PRODUCT, outcome: 'not_sent' });
    expect(journal('topups')).to.have.length(0);
    expect(journal('operator')).to.have.length(1);
  });

  it('with asyncTopups, a top-up is pending on its transaction id and resolves by status', async () => {
    const asyncSim = await startSimulator({ seed: 27, models: [createReloadlyModel({ asyncTopups: true })] });
    try {
      const c = make(`${asyncSim.url}/reloadly`, { asyncTopups: true });
      const r = await issue(c, 'A-1');
      expect(r).to.include({ status: 'pending', reference: 'A-1' });
      const status = await c.checkStatus({ transactionId: r.transactionId as string });
      expect(status.status).to.equal('succeeded');
    } finally {
      await asyncSim.close();
    }
  });

  it("a request Reloadly's schema refuses (recipientPhone a string, a wrong type) gets Reloadly's own 400 envelope over HTTP", async () => {
    const base = `${sim.url}/reloadly`;
    const tokenRes = await fetch(`${base}/oauth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        client_id: RELOADLY_MODEL_CREDENTIALS.clientId,
        client_secret: RELOADLY_MODEL_CREDENTIALS.clientSecret,
        grant_type: 'client_credentials',
        audience: 'https://topups-sandbox.reloadly.com',
      }),
    });
    const { access_token: token } = (await tokenRes.json()) as { access_token: string };
    tokensIssued.push(token);
    const res = await fetch(`${base}/topups`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({
        operatorId: 341,
        amount: 500,
        useLocalAmount: true,
        customIdentifier: 'W-1',
        recipientPhone: '+2348031234567',
      }),
    });
    const body = (await res.json()) as Record<string, unknown>;
    expect(res.status).to.equal(400);
    expect(body).to.include({ path: '/topups', errorCode: 'INVALID_RECIPIENT_PHONE' });
    expect(String(body.message)).to.include('recipientPhone: must be an object');
    expect(sim.ledger.countByReference('reloadly', 'W-1')).to.equal(0);
  });
});
