import { expect } from 'chai';
import { createHmac, randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { isConfigError } from '@relaypoint/core';
import { startSimulator, type SinkOptions, type Simulator } from '../src/index.js';
import { failure, json, raw } from './helpers.js';

describe('webhook sink', () => {
  let sim: Simulator;
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const payload = JSON.stringify({ type: 'reward.issued', data: { id: 'x' } });
  before(async () => {
    sim = await startSimulator();
  });
  after(() => sim.close());
  beforeEach(() => sim.reset());

  const put = (name: string, body: unknown) => raw(`${sim.url}/__sim/sink/${name}`, { method: 'PUT', body: JSON.stringify(body) });
  const deliver = (name: string, headers: Record<string, string>, body = payload, timeoutMs = 5000) =>
    raw(`${sim.url}/__sim/sink/${name}`, { body, headers, timeoutMs });
  const signed = (id: string, when: Date, key = secret) => {
    const wh = new Webhook(key);
    return {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(when.getTime() / 1000)),
      'webhook-signature': wh.sign(id, when, payload),
    };
  };

  it('verifies a delivery signed by the standardwebhooks package, and records it', async () => {
    expect((await put('a', { secret })).status).to.equal(200);
    const r = await deliver('a', signed('msg_1', new Date()));
    expect(r.status).to.equal(204);
    const got = json<{ deliveries: { verified: boolean; json: unknown; status: number }[] }>(await raw(`${sim.url}/__sim/sink/a`));
    expect(got.deliveries).to.have.length(1);
    expect(got.deliveries[0]).to.deep.include({ verified: true, status: 204, json: JSON.parse(payload) });
    expect(sim.journal.entries({ route: 'sink' })).to.have.length(1);
  });

  it('checks sinks.configure() against the same schema as PUT: path errors, and nothing changes', async () => {
    sim.sinks.configure('lib', { status: 202 });
    const errors = (options: unknown): string[] => {
      try {
        sim.sinks.configure('lib', options as SinkOptions);
      } catch (e) {
        expect(isConfigError(e)).to.equal(true);
        return (e as { errors: string[] }).errors;
      }
      throw new Error('expected configure to throw');
    };
    expect(errors({ failNext: { status: 100, count: 1 } })).to.deep.equal(['failNext.status: must be >= 200']);
    expect(errors({ mode: 'sideways', status: 204 })).to.have.length(1);
    expect(errors({ colour: 'red' })[0]).to.match(/colour/);
    expect(json<{ options: SinkOptions }>(await raw(`${sim.url}/__sim/sink/lib`)).options).to.deep.equal({ status: 202 });
  });

  it('accepts any of several space-separated signatures (secret rotation)', async () => {
    sim.sinks.configure('rot', { secret });
    const h = signed('msg_2', new Date());
    const old = signed('msg_2', new Date(), `whsec_${randomBytes(24).toString('base64')}`);
    h['webhook-signature'] = `${old['webhook-signature']} ${h['webhook-signature']}`;
    await deliver('rot', h);
    expect(sim.sinks.deliveries('rot')[0].verified).to.equal(true);
  });

  it('tolerates ±5 minutes of clock skew and refuses more', async () => {
    sim.sinks.configure('ts', { secret });
    await deliver('ts', signed('m1', new Date(Date.now() - 4 * 60_000)));
    await deliver('ts', signed('m2', new Date(Date.now() + 4 * 60_000)));
    await deliver('ts', signed('m3', new Date(Date.now() - 6 * 60_000)));
    expect(sim.sinks.deliveries('ts').map((d) => [d.verified, d.reason])).to.deep.equal([
      [true, undefined],
      [true, undefined],
      [false, 'TIMESTAMP_OUT_OF_RANGE'],
    ]);
  });

  it('flags a wrong signature, missing headers and a sink without a secret', async () => {
    sim.sinks.configure('bad', { secret });
    const h = signed('m', new Date());
    await deliver('bad', h, payload.replace('x', 'y'));
    await deliver('bad', {});
    await deliver('nosecret', h);
    expect(sim.sinks.deliveries('bad').map((d) => d.reason)).to.deep.equal(['BAD_SIGNATURE', 'MISSING_HEADERS']);
    expect(sim.sinks.deliveries('nosecret')[0]).to.include({ verified: false, reason: 'NO_SECRET' });
  });

  it('verifies the notes’ X-Signature when a legacy secret is set', async () => {
    sim.sinks.configure('legacy', { legacySecret: 'shh' });
    await deliver('legacy', { 'x-signature': createHmac('sha256', 'shh').update(payload).digest('hex') });
    await deliver('legacy', { 'x-signature': createHmac('sha256', 'nope').update(payload).digest('hex') });
    expect(sim.sinks.deliveries('legacy').map((d) => d.legacyVerified)).to.deep.equal([true, false]);
  });

  it('answers a status for the next K deliveries, then recovers', async () => {
    await put('k', { failNext: { status: 503, count: 2, retryAfterSeconds: 7 } });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await deliver('k', {})).status);
    expect(statuses).to.deep.equal([503, 503, 204]);
  });

  it('answers 410 in gone mode', async () => {
    await put('g', { mode: 'gone' });
    expect((await deliver('g', {})).status).to.equal(410);
  });

  it('hangs in hang mode until reset', async () => {
    await put('h', { mode: 'hang' });
    expect((await failure(deliver('h', {}, payload, 150))).code).to.equal('TIMEOUT');
  });

  it('answers after delayMs in slow mode', async () => {
    await put('s', { mode: 'slow', delayMs: 100 });
    const t0 = performance.now();
    expect((await deliver('s', {})).status).to.equal(204);
    expect(performance.now() - t0).to.be.at.least(90);
  });

  it('refuses invalid sink options with 400', async () => {
    const r = await put('x', { mode: 'sometimes' });
    expect(r.status).to.equal(400);
    expect(json<{ errors: string[] }>(r).errors[0]).to.match(/^mode: must be one of/);
  });

  it('refuses a failNext status below 200 (a 1xx answer would leave the sender waiting)', async () => {
    const r = await put('one', { failNext: { status: 101, count: 1 } });
    expect(r.status).to.equal(400);
    expect(json<{ errors: string[] }>(r).errors).to.deep.equal(['failNext.status: must be >= 200']);
    expect(sim.sinks.deliveries('one')).to.have.length(0);
    expect((await put('one', { failNext: { status: 200, count: 1 } })).status).to.equal(200);
  });
});
