import { expect } from 'chai';
import { createHmac } from 'node:crypto';
import { defineProviderModel, startSimulator, type ModelAuth, type ModelRoute, type ProviderModel, type Simulator } from '../src/index.js';
import { json, raw } from './helpers.js';

/** A minimal provider with the given authentication: `POST /pay` issues, `GET /pay/:id` reads. */
function modelWith(id: string, auth: ModelAuth, extraRoutes: ModelRoute[] = []): ProviderModel {
  return defineProviderModel({
    id,
    auth,
    routes: [
      { name: 'pay', method: 'POST', path: '/pay', role: 'issue' },
      { name: 'get', method: 'GET', path: '/pay/:id', role: 'status-by-id' },
      ...extraRoutes,
    ],
    accounts: [{ id: 'acct', key: 'client-1', secret: 'shh-secret', balances: { USD: '100.00' } }],
    duplicateReference: 'return-original',
    parseIssue: (r) => {
      const b = r.body as { ref?: string; cents?: number } | undefined;
      return b?.ref && b.cents
        ? { reference: b.ref, amountMinor: BigInt(b.cents), currency: 'USD' }
        : { refuse: 'invalid-request', message: 'ref and cents' };
    },
    render: {
      issued: (tx) => ({ status: 200, body: { id: tx.id, code: tx.voucher?.code ?? null } }),
      transaction: (tx) => ({ status: 200, body: { id: tx.id, status: tx.status } }),
      error: (kind, detail) => ({
        status: kind === 'unauthorised' || kind === 'token-expired' ? 401 : 400,
        body: { kind, reason: detail.reason ?? null, message: detail.message },
      }),
      token: (t) => ({ status: 200, body: { access_token: t.accessToken, token_type: 'Bearer', expires_in: t.expiresInSeconds } }),
    },
    examples: { issue: { productId: 'p', customerId: 'c', amount: '1.00', currency: 'USD' } },
  });
}

describe('model authentication', () => {
  let sim: Simulator;
  let clock = 1_800_000_000_000;
  const body = (ref: string) => JSON.stringify({ ref, cents: 100 });
  before(async () => {
    sim = await startSimulator({
      now: () => clock,
      models: [
        modelWith('oauth', { type: 'oauth2-client-credentials', tokenTtlSeconds: 60 }, [
          { name: 'token', method: 'POST', path: '/oauth/token', role: 'token' },
        ]),
        modelWith('basic', { type: 'basic' }),
        modelWith('hmac64', { type: 'hmac', keyHeader: 'X-Key', signatureHeader: 'X-Sig', encoding: 'base64' }),
      ],
    });
  });
  after(() => sim.close());
  beforeEach(() => sim.reset());

  describe('OAuth2 client credentials', () => {
    const token = async (form: boolean, secret = 'shh-secret') => {
      const r = form
        ? await raw(`${sim.url}/oauth/oauth/token`, {
            body: `grant_type=client_credentials&client_id=client-1&client_secret=${secret}`,
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
          })
        : await raw(`${sim.url}/oauth/oauth/token`, {
            body: JSON.stringify({ grant_type: 'client_credentials', client_id: 'client-1', client_secret: secret }),
          });
      return r;
    };
    const pay = (ref: string, bearer: string) =>
      raw(`${sim.url}/oauth/pay`, { body: body(ref), headers: { authorization: `Bearer ${bearer}` } });

    it('issues tokens on the token route from a JSON or a form body, and accepts them until they expire by the simulator clock', async () => {
      for (const form of [false, true]) {
        const t = json<{ access_token: string; expires_in: number }>(await token(form));
        expect(t.expires_in).to.equal(60);
        expect((await pay(`O-${form}`, t.access_token)).status).to.equal(200);
      }
      const t = json<{ access_token: string }>(await token(false)).access_token;
      clock += 59_999;
      expect((await pay('O-late', t)).status).to.equal(200);
      clock += 1;
      const expired = await pay('O-expired', t);
      expect([expired.status, json(expired).kind]).to.deep.equal([401, 'token-expired']);
      expect(sim.ledger.entries({ reference: 'O-expired' })).to.have.length(0);
    });

    it('refuses a wrong client secret on the token route and an unknown token elsewhere', async () => {
      const bad = await token(false, 'wrong');
      expect([bad.status, json(bad).reason]).to.deep.equal([401, 'client']);
      const unknown = await pay('O-x', 'made-up');
      expect([unknown.status, json(unknown).kind, json(unknown).reason]).to.deep.equal([401, 'unauthorised', 'token']);
    });

    it('expires every token at once through the control API, and reset forgets them', async () => {
      const t = json<{ access_token: string }>(await token(true)).access_token;
      const r = await raw(`${sim.url}/__sim/tokens/expire`, { method: 'POST' });
      expect(json(r).expired).to.equal(1);
      expect(json(await pay('O-ctl', t)).kind).to.equal('token-expired');
      const t2 = json<{ access_token: string }>(await token(true)).access_token;
      sim.reset();
      expect(json(await pay('O-reset', t2)).reason).to.equal('token');
    });

    it('journals the token route by name with the client secret masked, in the Basic header and in the body', async () => {
      await raw(`${sim.url}/oauth/oauth/token`, {
        body: '{}',
        headers: { authorization: `Basic ${Buffer.from('client-1:shh-secret').toString('base64')}` },
      });
      await token(false);
      await token(true);
      const entries = sim.journal.entries({ route: 'oauth.token' });
      expect(entries.map((e) => e.status)).to.deep.equal([200, 200, 200]);
      expect(entries[0].headers.authorization).to.equal('Basic Y2xp***');
      expect(entries[1].body).to.deep.include({ client_id: 'client-1', client_secret: '***' });
      expect(entries[2].body).to.equal('grant_type=client_credentials&client_id=client-1&client_secret=***');
      expect(JSON.stringify(sim.journal.entries())).to.not.contain('shh-secret');
    });
  });

  describe('HTTP Basic', () => {
    it('accepts the account key and secret, refuses a wrong password or none', async () => {
      const good = `Basic ${Buffer.from('client-1:shh-secret').toString('base64')}`;
      const wrong = `Basic ${Buffer.from('client-1:nope').toString('base64')}`;
      expect((await raw(`${sim.url}/basic/pay`, { body: body('B-1'), headers: { authorization: good } })).status).to.equal(200);
      for (const headers of [{ authorization: wrong }, {}] as Record<string, string>[]) {
        const r = await raw(`${sim.url}/basic/pay`, { body: body('B-2'), headers });
        expect([r.status, json(r).reason]).to.deep.equal([401, 'key']);
      }
    });
  });

  describe('HMAC over the raw body', () => {
    const sign = (b: string, secret = 'shh-secret') => createHmac('sha256', secret).update(b).digest('base64');
    it('accepts a base64 signature of the exact bytes; refuses a tampered body, a wrong secret or a missing signature; reads need the key only', async () => {
      const b = body('H-1');
      const ok = await raw(`${sim.url}/hmac64/pay`, { body: b, headers: { 'x-key': 'client-1', 'x-sig': sign(b) } });
      expect(ok.status).to.equal(200);
      for (const [sent, headers] of [
        [body('H-2').replace('100', '900'), { 'x-key': 'client-1', 'x-sig': sign(body('H-2')) }],
        [body('H-3'), { 'x-key': 'client-1', 'x-sig': sign(body('H-3'), 'other') }],
        [body('H-4'), { 'x-key': 'client-1' }],
      ] as [string, Record<string, string>][]) {
        const r = await raw(`${sim.url}/hmac64/pay`, { body: sent, headers });
        expect([r.status, json(r).reason]).to.deep.equal([401, 'signature']);
      }
      const read = await raw(`${sim.url}/hmac64/pay/${json(ok).id as string}`, { headers: { 'x-key': 'client-1' } });
      expect([read.status, json(read).status]).to.deep.equal([200, 'succeeded']);
      expect(sim.ledger.entries({ provider: 'hmac64' }).map((e) => e.reference)).to.deep.equal(['H-1']);
      const [journalled] = sim.journal.entries({ route: 'hmac64.pay' });
      expect(journalled.headers['x-key'], 'the model’s own credential headers are masked').to.equal('***');
      expect(journalled.headers['x-sig']).to.match(/^.{4}\*\*\*$/);
    });
  });
});
