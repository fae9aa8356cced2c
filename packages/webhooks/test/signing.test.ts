import { createHmac, timingSafeEqual } from 'node:crypto';
import { expect } from 'chai';
import { Webhook } from 'standardwebhooks';
import { buildHeaders, generateSecret, legacySignature, signPayload } from '../src/index.js';

describe('signPayload / buildHeaders', () => {
  const secret = generateSecret();
  const body = JSON.stringify({ type: 'customer.enrolled', timestamp: '2030-01-01T00:00:00.000Z', data: { customerId: 'c1' } });
  const now = Math.floor(Date.now() / 1000);

  it('makes secrets whsec_ + base64 of 32 bytes', () => {
    expect(secret).to.match(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice(6), 'base64')).to.have.length(32);
  });

  it('signs so that the standardwebhooks package verifies, and rejects a tampered body or a stale timestamp', () => {
    const headers = buildHeaders({ msgId: 'msg_1', eventType: 'customer.enrolled', body, timestampSec: now, secret });
    const wh = new Webhook(secret);
    expect(wh.verify(body, headers)).to.deep.equal(JSON.parse(body));
    expect(() => wh.verify(body.replace('c1', 'c2'), headers)).to.throw(/signature/i);
    const stale = buildHeaders({ msgId: 'msg_1', eventType: 'customer.enrolled', body, timestampSec: now - 600, secret });
    expect(() => wh.verify(body, stale)).to.throw(/timestamp/i);
  });

  it('lists one signature per secret during rotation; either secret verifies', () => {
    const next = generateSecret();
    const headers = buildHeaders({ msgId: 'msg_2', eventType: 'x', body, timestampSec: now, secret: next, previousSecrets: [secret] });
    expect(headers['webhook-signature'].split(' ')).to.have.length(2);
    expect(() => new Webhook(secret).verify(body, headers)).not.to.throw();
    expect(() => new Webhook(next).verify(body, headers)).not.to.throw();
    expect(headers['webhook-signature'].split(' ')[0]).to.equal(signPayload(next, 'msg_2', now, body));
  });

  it('can be verified with plain node:crypto, and carries the notes-style X-Signature over the body with the full secret string', () => {
    const h = buildHeaders({ msgId: 'msg_3', eventType: 'customer.enrolled', body, timestampSec: now, secret });
    const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
    const expected = createHmac('sha256', key).update(`${h['webhook-id']}.${h['webhook-timestamp']}.${body}`).digest('base64');
    const ok = h['webhook-signature'].split(' ').some((s) => {
      const [v, sig] = s.split(',');
      return v === 'v1' && sig.length === expected.length && timingSafeEqual(Buffer.from(sig), Buffer.from(expected));
    });
    expect(ok).to.equal(true);
    expect(h['x-signature']).to.equal(createHmac('sha256', secret).update(body).digest('hex'));
    expect(h['x-signature']).to.equal(legacySignature(secret, body));
    expect(h).to.include({
      'content-type': 'application/json',
      'user-agent': 'Relaypoint-Webhooks/0.1',
      'x-event': 'customer.enrolled',
      'webhook-id': 'msg_3',
    });
  });
});
