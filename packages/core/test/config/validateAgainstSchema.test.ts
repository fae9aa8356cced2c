import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, ErrorCodes, createAjv, loadConfigFile, validateAgainstSchema } from '../../src/index.js';
import type { JsonSchema } from '../../src/index.js';

const schema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['connectors', 'server'],
  properties: {
    server: {
      type: 'object',
      additionalProperties: false,
      required: ['port'],
      properties: { port: { type: 'integer', minimum: 1, maximum: 65535 }, host: { type: 'string', default: '127.0.0.1' } },
    },
    logLevel: { enum: ['debug', 'info', 'warn'] },
    connectors: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'plugin'],
        properties: {
          name: { type: 'string', minLength: 1 },
          plugin: { type: 'string' },
          config: {
            type: 'object',
            properties: { baseUrl: { type: 'string', format: 'uri' }, apiKey: { type: 'string', 'x-secret': true } },
            required: ['baseUrl'],
          },
        },
      },
    },
  },
};

describe('createAjv', () => {
  it('is strict: an unknown keyword is an error, x-secret is allowed', () => {
    const ajv = createAjv();
    expect(() => ajv.compile({ type: 'string', 'x-secret': true })).to.not.throw();
    expect(() => ajv.compile({ type: 'string', secretish: true })).to.throw(/unknown keyword/);
  });

  it('reports all errors and knows formats', () => {
    const validate = createAjv().compile({
      type: 'object',
      properties: { a: { type: 'string', format: 'email' }, b: { type: 'integer' } },
    });
    expect(validate({ a: 'not-an-email', b: 'x' })).to.equal(false);
    expect(validate.errors).to.have.length(2);
  });

  it('builds a 2020-12 validator on request', () => {
    const validate = createAjv({ draft: '2020-12' }).compile({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'array',
      prefixItems: [{ type: 'string' }],
      minItems: 1,
      items: false,
    });
    expect(validate([1])).to.equal(false);
  });
});

describe('validateAgainstSchema', () => {
  it('returns [] for a valid value and fills in defaults', () => {
    const value = { server: { port: 8080 }, connectors: [] };
    expect(validateAgainstSchema(schema, value)).to.deep.equal([]);
    expect(value.server).to.deep.equal({ port: 8080, host: '127.0.0.1' });
  });

  it('yields exactly one line per mistake for a config with three mistakes', () => {
    const lines = validateAgainstSchema(schema, {
      server: { port: 8080, prot: 1 },
      connectors: [
        { name: 'a', plugin: 'x', config: { baseUrl: 'https://ok.example' } },
        { name: 'b', plugin: 'y', config: { baseUrl: 'not a url' } },
        { plugin: 'z', config: { baseUrl: 'https://ok.example' } },
      ],
    });
    expect(lines).to.have.members([
      'server: unknown property "prot"',
      'connectors[1].config.baseUrl: must be a URI',
      'connectors[2].name: is required',
    ]);
    expect(lines).to.have.length(3);
  });

  it('writes short messages for types, enums, ranges and lengths', () => {
    const lines = validateAgainstSchema(schema, { server: { port: 0 }, logLevel: 'loud', connectors: [{ name: '', plugin: 3 }] });
    expect(lines).to.have.members([
      'server.port: must be >= 1',
      'logLevel: must be one of "debug", "info", "warn"',
      'connectors[0].name: must not be empty',
      'connectors[0].plugin: must be a string',
    ]);
  });

  it('names the root and honours pathPrefix', () => {
    expect(validateAgainstSchema(schema, 'nope')).to.deep.equal(['(root): must be an object']);
    expect(
      validateAgainstSchema(
        { type: 'object', properties: { apiKey: { type: 'string' } }, required: ['apiKey'] },
        {},
        { pathPrefix: 'connectors[1].config' },
      ),
    ).to.deep.equal(['connectors[1].config.apiKey: is required']);
    expect(validateAgainstSchema({ type: 'string', format: 'uri' }, 'x', { pathPrefix: 'connectors[1].config.baseUrl' })).to.deep.equal([
      'connectors[1].config.baseUrl: must be a URI',
    ]);
  });
});

describe('loadConfigFile', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'relaypoint-config-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function write(name: string, text: string): string {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  }

  function refusal(fn: () => unknown): ConfigError {
    try {
      fn();
    } catch (e) {
      expect(e).to.be.instanceOf(ConfigError);
      return e as ConfigError;
    }
    throw new Error('expected a ConfigError');
  }

  it('loads, interpolates and validates a config', () => {
    const p = write(
      'ok.json',
      JSON.stringify({
        server: { port: 8080 },
        connectors: [{ name: 'a', plugin: 'x', config: { baseUrl: '${BASE}', apiKey: '${KEY}' } }],
      }),
    );
    const loaded = loadConfigFile<{ connectors: { config: { apiKey: string } }[] }>(p, schema, {
      env: { BASE: 'https://api.example', KEY: 'k' },
    });
    expect(loaded.path).to.equal(p);
    expect(loaded.dir).to.equal(dir);
    expect(loaded.config.connectors[0].config.apiKey).to.equal('k');
  });

  it('refuses a missing file with CONFIG_UNREADABLE naming it', () => {
    const e = refusal(() => loadConfigFile(join(dir, 'missing.json'), schema));
    expect(e.code).to.equal(ErrorCodes.CONFIG_UNREADABLE);
    expect(e.message).to.include('missing.json').and.include('ENOENT');
  });

  it('refuses invalid JSON with the file, line and column', () => {
    const p = write('broken.json', '{\n  "server": { "port": 8080 },\n  "connectors": [,]\n}\n');
    const e = refusal(() => loadConfigFile(p, schema));
    expect(e.code).to.equal(ErrorCodes.CONFIG_UNREADABLE);
    expect(e.message).to.include(`${p}:3:18: invalid JSON`);
  });

  it('points at the line and column of other JSON mistakes too', () => {
    const cases: [string, string][] = [
      ['{"a": 1,}', '1:9'],
      ['{"a": tru}', '1:7'],
      ['{\n"a": "x\ny"}', '2:8'],
      ['{"a": 01}', '1:8'],
      ['{"a": 1} x', '1:10'],
      ['', '1:1'],
    ];
    for (const [text, at] of cases) {
      const e = refusal(() => loadConfigFile(write('case.json', text), schema));
      expect(e.message, text).to.include(`case.json:${at}: invalid JSON`);
    }
  });

  it('refuses a config with mistakes with CONFIG_INVALID listing every line', () => {
    const p = write('bad.json', JSON.stringify({ server: {}, extra: true, connectors: [] }));
    const e = refusal(() => loadConfigFile(p, schema, { env: {} }));
    expect(e.code).to.equal(ErrorCodes.CONFIG_INVALID);
    expect(e.errors).to.have.members(['server.port: is required', '(root): unknown property "extra"']);
  });

  it('refuses an unset variable with CONFIG_ENV_MISSING before validating', () => {
    const p = write(
      'env.json',
      JSON.stringify({
        server: { port: 1 },
        connectors: [{ name: 'a', plugin: 'x', config: { baseUrl: 'https://x', apiKey: '${AIRTIME_KEY}' } }],
      }),
    );
    const e = refusal(() => loadConfigFile(p, schema, { env: {} }));
    expect(e.code).to.equal(ErrorCodes.CONFIG_ENV_MISSING);
    expect(e.errors).to.deep.equal(['connectors[0].config.apiKey: environment variable AIRTIME_KEY is not set']);
  });
});
