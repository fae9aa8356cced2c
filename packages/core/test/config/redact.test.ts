import { expect } from 'chai';
import { collectSecrets, redact, redactSecrets } from '../../src/index.js';
import type { JsonSchema } from '../../src/index.js';

const schema: JsonSchema = {
  type: 'object',
  $defs: {
    credentials: { type: 'object', properties: { apiKey: { type: 'string', 'x-secret': true }, user: { type: 'string' } } },
    signing: { type: 'object', properties: { secret: { type: 'string', writeOnly: true } } },
  },
  properties: {
    name: { type: 'string' },
    credentials: { $ref: '#/$defs/credentials' },
    webhooks: {
      type: 'array',
      items: {
        type: 'object',
        properties: { url: { type: 'string' }, secrets: { type: 'array', items: { type: 'string', 'x-secret': true } } },
      },
    },
    headers: { type: 'object', additionalProperties: { type: 'string', 'x-secret': true } },
    auth: {
      oneOf: [
        { type: 'object', properties: { kind: { const: 'token' }, token: { type: 'string', 'x-secret': true } } },
        { type: 'object', properties: { kind: { const: 'basic' }, password: { type: 'string' } } },
      ],
    },
    signing: { allOf: [{ $ref: '#/$defs/signing' }, { properties: { header: { type: 'string' } } }] },
    password: { anyOf: [{ type: 'string', writeOnly: true }, { type: 'null' }] },
    patterned: { type: 'object', patternProperties: { '^secret_': { 'x-secret': true } } },
  },
};

const config = {
  name: 'airtime',
  credentials: { apiKey: 'sk_live_1', user: 'ops' },
  webhooks: [
    { url: 'https://a.example', secrets: ['whsec_a1', 'whsec_a2'] },
    { url: 'https://b.example', secrets: ['whsec_b1'] },
  ],
  headers: { 'X-API-Key': 'hk_1' },
  auth: { kind: 'token', token: 'tok_1' },
  signing: { secret: 'sign_1', header: 'X-Signature' },
  password: 'pw_1',
  patterned: { secret_a: 'pat_1', public_b: 'visible' },
};

const SECRETS = ['sk_live_1', 'whsec_a1', 'whsec_a2', 'whsec_b1', 'hk_1', 'tok_1', 'sign_1', 'pw_1', 'pat_1'];

describe('redact', () => {
  it('hides every secret of a nested config (objects, arrays, $ref, oneOf/anyOf/allOf, additional and pattern properties)', () => {
    const out = redact(config, schema);
    const text = JSON.stringify(out);
    for (const s of SECRETS) expect(text, s).to.not.include(s);
    expect(out).to.deep.equal({
      name: 'airtime',
      credentials: { apiKey: '[redacted]', user: 'ops' },
      webhooks: [
        { url: 'https://a.example', secrets: ['[redacted]', '[redacted]'] },
        { url: 'https://b.example', secrets: ['[redacted]'] },
      ],
      headers: { 'X-API-Key': '[redacted]' },
      auth: { kind: 'token', token: '[redacted]' },
      signing: { secret: '[redacted]', header: 'X-Signature' },
      password: '[redacted]',
      patterned: { secret_a: '[redacted]', public_b: 'visible' },
    });
  });

  it('does not modify its input', () => {
    const copy = structuredClone(config);
    redact(config, schema);
    expect(config).to.deep.equal(copy);
  });

  it('redacts a whole object marked secret and leaves values the schema does not describe', () => {
    expect(
      redact({ creds: { a: 1 }, other: 'x' }, { type: 'object', properties: { creds: { type: 'object', 'x-secret': true } } }),
    ).to.deep.equal({
      creds: '[redacted]',
      other: 'x',
    });
  });

  it('survives a recursive schema', () => {
    const tree: JsonSchema = {
      $ref: '#/$defs/node',
      $defs: { node: { type: 'object', properties: { key: { 'x-secret': true }, child: { $ref: '#/$defs/node' } } } },
    };
    expect(redact({ key: 'a', child: { key: 'b', child: {} } }, tree)).to.deep.equal({
      key: '[redacted]',
      child: { key: '[redacted]', child: {} },
    });
  });
});

describe('collectSecrets', () => {
  it('lists the secret strings of a config', () => {
    expect(collectSecrets(config, schema)).to.have.members(SECRETS);
  });
});

describe('redactSecrets', () => {
  it('replaces occurrences inside strings anywhere in a value', () => {
    const out = redactSecrets(
      { msg: 'calling with key sk_live_1 now', list: ['x sk_live_1', 3], err: new Error('auth sk_live_1 refused') },
      ['sk_live_1', ''],
    );
    expect(out).to.deep.equal({
      msg: 'calling with key [redacted] now',
      list: ['x [redacted]', 3],
      err: { name: 'Error', message: 'auth [redacted] refused' },
    });
  });

  it('replaces the longer of overlapping secrets first', () => {
    expect(redactSecrets('abc-long abc', ['abc', 'abc-long'])).to.equal('[redacted] [redacted]');
  });
});
