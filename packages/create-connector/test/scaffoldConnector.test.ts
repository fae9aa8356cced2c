import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CORE_VERSION } from '@relaypoint/core';
import { scaffoldConnector, ScaffoldError, ScaffoldErrorCodes } from '../src/index.js';

async function rejection(p: Promise<unknown>): Promise<ScaffoldError> {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(ScaffoldError);
    return e as ScaffoldError;
  }
  throw new Error('expected a rejection');
}

describe('scaffoldConnector', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'rp-scaffold-'));
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it('writes a plugin package with the relaypoint field, the core peer range and generated config types', async () => {
    const r = await scaffoldConnector({ name: '@acme/relaypoint-connector-top-up', cwd: tmp });
    expect(r.dir).to.equal(join(tmp, 'relaypoint-connector-top-up'));
    expect(r.id).to.equal('top-up');
    expect(r.files).to.deep.equal([
      '.gitignore',
      '.mocharc.json',
      'README.md',
      'package.json',
      'src/config.schema.json',
      'src/config.types.ts',
      'src/index.ts',
      'test/contract.test.ts',
      'test/model.ts',
      'tsconfig.json',
    ]);
    const pkg = JSON.parse(readFileSync(join(r.dir, 'package.json'), 'utf8'));
    expect(pkg.name).to.equal('@acme/relaypoint-connector-top-up');
    expect(pkg.type).to.equal('module');
    expect(pkg.relaypoint).to.deep.equal({ kind: 'connector', id: 'top-up' });
    expect(pkg.peerDependencies).to.deep.equal({ '@relaypoint/core': `^${CORE_VERSION}` });
    expect(pkg.scripts.test).to.match(/tsc .*&& mocha/);
    const schema = JSON.parse(readFileSync(join(r.dir, 'src/config.schema.json'), 'utf8'));
    expect(schema.title).to.equal('TopUpConfig');
    expect(schema.properties.apiKey['x-secret']).to.equal(true);
    expect(schema.properties.apiKey.examples).to.deep.equal(['${TOP_UP_API_KEY}']);
    const types = readFileSync(join(r.dir, 'src/config.types.ts'), 'utf8');
    expect(types).to.match(/export interface TopUpConfig \{/);
    expect(types).to.match(/timeoutMs\?: number;/);
    const index = readFileSync(join(r.dir, 'src/index.ts'), 'utf8');
    expect(index).to.include("id: 'top-up'");
    expect(index).to.include(`core: '^${CORE_VERSION}'`);
    expect(index).to.include('export class TopUpConnector implements Connector');
    expect(index).not.to.match(/\{\{\w+\}\}/);
    expect(readFileSync(join(r.dir, 'test/contract.test.ts'), 'utf8')).to.include('describeConnectorContract(');
    expect(readFileSync(join(r.dir, 'README.md'), 'utf8')).to.include('"plugin": "@acme/relaypoint-connector-top-up"');
  });

  it('honours --dir, --core-range and an explicit id', async () => {
    const r = await scaffoldConnector({ name: 'my-plugin', dir: 'nested/deeper/out', coreRange: '>=0.1.0 <0.3.0', id: 'mine', cwd: tmp });
    expect(r.dir).to.equal(join(tmp, 'nested/deeper/out'));
    const pkg = JSON.parse(readFileSync(join(r.dir, 'package.json'), 'utf8'));
    expect(pkg.peerDependencies['@relaypoint/core']).to.equal('>=0.1.0 <0.3.0');
    expect(pkg.relaypoint.id).to.equal('mine');
    expect(readFileSync(join(r.dir, 'src/index.ts'), 'utf8')).to.include("core: '>=0.1.0 <0.3.0'");
  });

  it('never overwrites an existing directory, even an empty one', async () => {
    mkdirSync(join(tmp, 'taken'));
    writeFileSync(join(tmp, 'taken', 'keep.txt'), 'mine');
    const e = await rejection(scaffoldConnector({ name: 'taken', cwd: tmp }));
    expect(e.code).to.equal(ScaffoldErrorCodes.SCAFFOLD_DIR_EXISTS);
    expect(e.message).to.include(join(tmp, 'taken')).and.to.include('already exists');
    expect(readdirSync(join(tmp, 'taken'))).to.deep.equal(['keep.txt']);
    mkdirSync(join(tmp, 'empty'));
    expect((await rejection(scaffoldConnector({ name: 'x', dir: 'empty', cwd: tmp }))).code).to.equal(
      ScaffoldErrorCodes.SCAFFOLD_DIR_EXISTS,
    );
    expect(readdirSync(join(tmp, 'empty'))).to.deep.equal([]);
  });

  it('refuses an invalid package name and writes nothing', async () => {
    const e = await rejection(scaffoldConnector({ name: 'Bad Name', cwd: tmp }));
    expect(e.code).to.equal(ScaffoldErrorCodes.SCAFFOLD_INVALID_NAME);
    expect(e.message).to.match(/invalid package name "Bad Name": .*capital letters/);
    expect(readdirSync(tmp)).to.deep.equal([]);
  });

  it('refuses a name no plugin id can be derived from, and a bad explicit id', async () => {
    expect((await rejection(scaffoldConnector({ name: '@acme/123', cwd: tmp }))).message).to.match(/cannot derive a plugin id/);
    expect((await rejection(scaffoldConnector({ name: 'ok', id: 'Not-Valid', cwd: tmp }))).message).to.match(
      /invalid plugin id "Not-Valid"/,
    );
    expect(readdirSync(tmp)).to.deep.equal([]);
  });

  it('refuses a core range that is not semver', async () => {
    const e = await rejection(scaffoldConnector({ name: 'ok', coreRange: 'latest-ish', cwd: tmp }));
    expect(e.code).to.equal(ScaffoldErrorCodes.SCAFFOLD_INVALID_RANGE);
    expect(existsSync(join(tmp, 'ok'))).to.equal(false);
  });
});
