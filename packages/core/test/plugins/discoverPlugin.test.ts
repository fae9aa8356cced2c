import { expect } from 'chai';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CORE_VERSION, ErrorCodes, PluginError, discoverPlugin } from '../../src/index.js';

const coreUrl = new URL('../../src/index.js', import.meta.url).href;

interface Fixture {
  name: string;
  id?: string;
  /** package.json `relaypoint` field; `null` leaves it out. */
  field?: unknown;
  exports?: unknown;
  main?: string;
  core?: string;
  /** The entry module source; defaults to a plugin made with defineConnectorPlugin. */
  source?: string;
}

function pluginSource(id: string, core: string, exportLine = 'export default plugin;'): string {
  return `import { defineConnectorPlugin } from ${JSON.stringify(coreUrl)};
const plugin = defineConnectorPlugin({
  id: ${JSON.stringify(id)}, core: ${JSON.stringify(core)},
  configSchema: { type: 'object', additionalProperties: false, properties: { apiKey: { type: 'string', 'x-secret': true } } },
  capabilities: { duplicateReference: 'none', statusByReference: true, amountUnit: 'major' },
  create: () => ({ issueVoucher: async (p) => ({ status: 'succeeded', reference: p.reference }), checkStatus: async () => ({ status: 'not_found' }) }),
});
${exportLine}
`;
}

function writePackage(dir: string, f: Fixture): string {
  mkdirSync(dir, { recursive: true });
  const id = f.id ?? 'demo';
  const pkg: Record<string, unknown> = { name: f.name, version: '1.2.3', type: 'module' };
  if (f.field !== null) pkg.relaypoint = f.field ?? { kind: 'connector', id };
  if (f.exports !== undefined) pkg.exports = f.exports;
  if (f.main !== undefined) pkg.main = f.main;
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg));
  writeFileSync(join(dir, 'index.js'), f.source ?? pluginSource(id, f.core ?? `^${CORE_VERSION}`));
  return dir;
}

async function refusal(specifier: string, fromDir: string): Promise<PluginError> {
  try {
    await discoverPlugin(specifier, fromDir);
  } catch (e) {
    expect(e).to.be.instanceOf(PluginError);
    return e as PluginError;
  }
  throw new Error(`expected discoverPlugin(${specifier}) to fail`);
}

describe('discoverPlugin', () => {
  let root: string;
  let app: string;
  const nm = (name: string) => join(root, 'node_modules', name);

  before(() => {
    root = realpathSync(mkdtempSync(join(tmpdir(), 'relaypoint-discover-')));
    app = join(root, 'app', 'nested');
    mkdirSync(app, { recursive: true });
    writePackage(nm('relaypoint-plugin-demo'), { name: 'relaypoint-plugin-demo', main: 'index.js' });
    writePackage(nm('hidden-pkg-json'), { name: 'hidden-pkg-json', id: 'hidden', exports: { '.': { import: './index.js' } } });
    writePackage(nm('@acme/relaypoint-scoped'), { name: '@acme/relaypoint-scoped', id: 'scoped', exports: './index.js' });
    writePackage(nm('named-export'), {
      name: 'named-export',
      id: 'named',
      source: pluginSource('named', `^${CORE_VERSION}`, 'export { plugin }; export const helper = 1;'),
    });
    writePackage(nm('only-branded'), {
      name: 'only-branded',
      id: 'branded',
      source: pluginSource('branded', `^${CORE_VERSION}`, 'export const airtimePlugin = plugin; export const other = {};'),
    });
    writePackage(nm('not-a-plugin'), { name: 'not-a-plugin', field: null });
    writePackage(nm('no-export'), { name: 'no-export', source: 'export const x = 1;\n' });
    writePackage(nm('wrong-id'), {
      name: 'wrong-id',
      field: { kind: 'connector', id: 'expected' },
      id: 'actual',
      source: pluginSource('actual', `^${CORE_VERSION}`),
    });
    writePackage(nm('future-core'), { name: 'future-core', id: 'future', core: '^99.0.0' });
    writePackage(nm('bad-kind'), { name: 'bad-kind', field: { kind: 'store', id: 'demo' } });
    writePackage(nm('throws-on-load'), { name: 'throws-on-load', source: 'throw new Error("boom at import");\n' });
    writePackage(nm('bad-schema'), {
      name: 'bad-schema',
      id: 'badschema',
      source: pluginSource('badschema', `^${CORE_VERSION}`).replace(
        "type: 'object', additionalProperties",
        "type: 'objekt', additionalProperties",
      ),
    });
    // Hand-made branded object (not from defineConnectorPlugin) with a schema strict ajv refuses.
    writePackage(nm('handmade-bad-schema'), {
      name: 'handmade-bad-schema',
      id: 'handmade',
      source: `export default { kind: 'relaypoint.connector', id: 'handmade', core: '*', configSchema: { type: 'object', properties: { a: { type: 'string', minLenght: 1 } } }, capabilities: { duplicateReference: 'none', statusByReference: false, amountUnit: 'minor' }, create() {} };\n`,
    });
    writePackage(join(root, 'local', 'my-plugin'), { name: 'my-local-plugin', id: 'local' });
  });

  after(() => rmSync(root, { recursive: true, force: true }));

  it('resolves a package name from fromDir, walking up to node_modules', async () => {
    const d = await discoverPlugin('relaypoint-plugin-demo', app);
    expect(d.plugin.id).to.equal('demo');
    expect(d.plugin.kind).to.equal('relaypoint.connector');
    expect(d).to.include({
      packageName: 'relaypoint-plugin-demo',
      version: '1.2.3',
      packageDir: nm('relaypoint-plugin-demo'),
      specifier: 'relaypoint-plugin-demo',
    });
  });

  it('finds a package whose exports hide package.json', async () => {
    const d = await discoverPlugin('hidden-pkg-json', app);
    expect(d.plugin.id).to.equal('hidden');
    expect(d.packageDir).to.equal(nm('hidden-pkg-json'));
  });

  it('treats a scoped package name as a name, not a path', async () => {
    expect((await discoverPlugin('@acme/relaypoint-scoped', app)).plugin.id).to.equal('scoped');
  });

  it('takes a named "plugin" export, or the only branded export', async () => {
    expect((await discoverPlugin('named-export', app)).plugin.id).to.equal('named');
    expect((await discoverPlugin('only-branded', app)).plugin.id).to.equal('branded');
  });

  it('resolves relative and absolute paths from fromDir', async () => {
    expect((await discoverPlugin('../../local/my-plugin', app)).plugin.id).to.equal('local');
    const abs = await discoverPlugin(join(root, 'local', 'my-plugin'), '/');
    expect(abs.packageName).to.equal('my-local-plugin');
    expect(abs.packageDir).to.equal(join(root, 'local', 'my-plugin'));
  });

  it('refuses an unknown package with PLUGIN_NOT_FOUND naming it and the directory', async () => {
    const e = await refusal('relaypoint-plugin-nope', app);
    expect(e.code).to.equal(ErrorCodes.PLUGIN_NOT_FOUND);
    expect(e.message).to.equal(`cannot find package "relaypoint-plugin-nope" from ${app}`);
  });

  it('refuses a path with no package.json with PLUGIN_NOT_FOUND', async () => {
    expect((await refusal('./nowhere', app)).code).to.equal(ErrorCodes.PLUGIN_NOT_FOUND);
  });

  it('refuses a package without a relaypoint field with PLUGIN_INVALID', async () => {
    const e = await refusal('not-a-plugin', app);
    expect(e.code).to.equal(ErrorCodes.PLUGIN_INVALID);
    expect(e.message).to.equal('package "not-a-plugin" is not a Relaypoint plugin: no "relaypoint" field in its package.json');
  });

  it('refuses a relaypoint field of another kind', async () => {
    expect((await refusal('bad-kind', app)).message).to.include('kind "store"');
  });

  it('refuses a package with no plugin export', async () => {
    const e = await refusal('no-export', app);
    expect(e.code).to.equal(ErrorCodes.PLUGIN_INVALID);
    expect(e.message).to.include('no plugin export');
  });

  it('refuses an id that differs from the package.json field', async () => {
    const e = await refusal('wrong-id', app);
    expect(e.code).to.equal(ErrorCodes.PLUGIN_INVALID);
    expect(e.message).to.include('"expected"').and.include('"actual"');
  });

  it('refuses a plugin declaring core ^99.0.0, naming both versions', async () => {
    const e = await refusal('future-core', app);
    expect(e.code).to.equal(ErrorCodes.PLUGIN_CORE_MISMATCH);
    expect(e.message).to.equal(`plugin "future" requires @relaypoint/core ^99.0.0 but the running core is ${CORE_VERSION}`);
  });

  it('reports a failing entry as PLUGIN_INVALID with the cause kept', async () => {
    const e = await refusal('throws-on-load', app);
    expect(e.code).to.equal(ErrorCodes.PLUGIN_INVALID);
    expect(e.message).to.include('boom at import');
    expect((e.cause as Error).message).to.equal('boom at import');
  });

  it('refuses invalid config schemas with PLUGIN_SCHEMA_INVALID, at define time or at discovery', async () => {
    expect((await refusal('bad-schema', app)).code).to.equal(ErrorCodes.PLUGIN_SCHEMA_INVALID);
    const e = await refusal('handmade-bad-schema', app);
    expect(e.code).to.equal(ErrorCodes.PLUGIN_SCHEMA_INVALID);
    expect(e.message).to.include('"handmade"');
  });
});
