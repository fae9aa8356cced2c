import { expect } from 'chai';
import { CORE_VERSION, ErrorCodes, PluginError, assertCoreCompatible, defineConnectorPlugin, isConnectorPlugin } from '../../src/index.js';
import type { ConnectorPluginDefinition } from '../../src/index.js';

const base: ConnectorPluginDefinition<{ apiKey: string }> = {
  id: 'airtime',
  core: '^0.1.0',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['apiKey'],
    properties: { apiKey: { type: 'string', 'x-secret': true }, baseUrl: { type: 'string', format: 'uri' } },
  },
  capabilities: { duplicateReference: 'none', statusByReference: true, amountUnit: 'major' },
  create: () => ({
    issueVoucher: async () => ({ status: 'succeeded', reference: 'r' }),
    checkStatus: async () => ({ status: 'not_found' }),
  }),
};

function refusal(def: unknown): PluginError {
  try {
    defineConnectorPlugin(def as ConnectorPluginDefinition);
  } catch (e) {
    expect(e).to.be.instanceOf(PluginError);
    return e as PluginError;
  }
  throw new Error('expected a PluginError');
}

describe('defineConnectorPlugin', () => {
  it('returns a frozen, branded plugin', () => {
    const p = defineConnectorPlugin(base);
    expect(p.kind).to.equal('relaypoint.connector');
    expect(p.id).to.equal('airtime');
    expect(Object.isFrozen(p)).to.equal(true);
    expect(Object.isFrozen(p.capabilities)).to.equal(true);
    expect(Object.isFrozen(p.configSchema)).to.equal(true);
    expect(isConnectorPlugin(p)).to.equal(true);
    expect(isConnectorPlugin(base)).to.equal(false);
  });

  it('is not affected by later changes to the definition object', () => {
    const def = structuredClone({ ...base, create: undefined });
    const p = defineConnectorPlugin({ ...def, create: base.create });
    (def.capabilities as { duplicateReference: string }).duplicateReference = 'return-original';
    expect(p.capabilities.duplicateReference).to.equal('none');
  });

  it('refuses a bad id with PLUGIN_INVALID', () => {
    for (const id of ['Airtime', '1air', '', 'a'.repeat(64), 'air_time', undefined]) {
      expect(refusal({ ...base, id }).code, String(id)).to.equal(ErrorCodes.PLUGIN_INVALID);
    }
    expect(defineConnectorPlugin({ ...base, id: 'a'.repeat(63) }).id).to.have.length(63);
  });

  it('refuses a core that is not a semver range, naming the plugin', () => {
    const e = refusal({ ...base, core: 'latest-ish' });
    expect(e.code).to.equal(ErrorCodes.PLUGIN_INVALID);
    expect(e.plugin).to.equal('airtime');
    expect(e.message).to.include('"airtime"');
  });

  it('refuses incomplete or unknown capabilities', () => {
    expect(refusal({ ...base, capabilities: { duplicateReference: 'none', amountUnit: 'major' } }).message).to.include('statusByReference');
    expect(refusal({ ...base, capabilities: { ...base.capabilities, duplicateReference: 'maybe' } }).message).to.include(
      'duplicateReference',
    );
    expect(refusal({ ...base, capabilities: { ...base.capabilities, amountUnit: 'cents' } }).message).to.include('amountUnit');
    expect(refusal({ ...base, capabilities: { ...base.capabilities, dedup: true } }).message).to.include('dedup');
    expect(refusal({ ...base, capabilities: undefined }).code).to.equal(ErrorCodes.PLUGIN_INVALID);
  });

  it('refuses a missing create', () => {
    expect(refusal({ ...base, create: 'nope' }).message).to.include('create');
  });

  it('refuses a config schema strict ajv cannot compile with PLUGIN_SCHEMA_INVALID', () => {
    for (const configSchema of [
      { type: 'object', properties: { a: { type: 'strin' } } },
      { type: 'object', properties: { a: { type: 'string', minLenght: 3 } } },
      { type: 'object', properties: { a: { $ref: '#/definitions/missing' } } },
      undefined,
    ]) {
      const e = refusal({ ...base, configSchema });
      expect(e.code, JSON.stringify(configSchema)).to.equal(ErrorCodes.PLUGIN_SCHEMA_INVALID);
      expect(e.message).to.include('"airtime"');
    }
  });

  it('accepts a 2020-12 schema with x-secret and writeOnly', () => {
    const p = defineConnectorPlugin({
      ...base,
      configSchema: {
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'object',
        properties: { k: { type: 'string', writeOnly: true }, s: { type: 'string', 'x-secret': true } },
      },
    });
    expect(p.id).to.equal('airtime');
  });
});

describe('assertCoreCompatible', () => {
  it('accepts a plugin whose range includes the running core', () => {
    expect(() => assertCoreCompatible({ id: 'x', core: `^${CORE_VERSION}` })).to.not.throw();
    expect(() => assertCoreCompatible({ id: 'x', core: '>=0.1.0 <1' }, '0.2.0-rc.1')).to.not.throw();
  });

  it('refuses ^99.0.0 with a message naming the plugin, its range and the running core', () => {
    try {
      assertCoreCompatible({ id: 'x', core: '^99.0.0' }, '0.1.0');
      expect.fail('should throw');
    } catch (e) {
      expect(e).to.be.instanceOf(PluginError);
      expect((e as PluginError).code).to.equal(ErrorCodes.PLUGIN_CORE_MISMATCH);
      expect((e as PluginError).message).to.equal('plugin "x" requires @relaypoint/core ^99.0.0 but the running core is 0.1.0');
    }
  });

  it('defaults to the running CORE_VERSION', () => {
    expect(() => assertCoreCompatible({ id: 'x', core: '^99.0.0' })).to.throw(CORE_VERSION);
  });
});
