import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageDir } from './helpers/harness.js';

const cli = join(packageDir, 'dist', 'src', 'cli.js');

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('relaypoint new connector', function () {
  this.timeout(30_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'relaypoint-new-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a plugin package with the relaypoint field and a core peer range', async () => {
    const target = join(dir, 'topup');
    const r = await run(['new', 'connector', '@acme/relaypoint-connector-topup', '--dir', target]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.include('plugin id "topup"');
    const pkg = JSON.parse(readFileSync(join(target, 'package.json'), 'utf8'));
    expect(pkg.name).to.equal('@acme/relaypoint-connector-topup');
    expect(pkg.relaypoint).to.deep.equal({ kind: 'connector', id: 'topup' });
    expect(pkg.peerDependencies['@relaypoint/core']).to.match(/^\^0\./);
    for (const f of ['src/index.ts', 'src/config.schema.json', 'src/config.types.ts', 'test/contract.test.ts', 'README.md']) {
      expect(existsSync(join(target, f)), f).to.equal(true);
    }
  });

  it('never overwrites an existing directory: exit 2, one line, nothing written', async () => {
    const target = join(dir, 'topup');
    const before = readFileSync(join(target, 'src', 'index.ts'), 'utf8');
    const r = await run(['new', 'connector', '@acme/relaypoint-connector-other', '--dir', target]);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/^new connector: .*exists/m);
    expect(readFileSync(join(target, 'src', 'index.ts'), 'utf8')).to.equal(before);
  });

  it('refuses a name npm would refuse with exit 2', async () => {
    const r = await run(['new', 'connector', 'Bad Name!', '--dir', join(dir, 'bad')]);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.include('new connector:');
    expect(existsSync(join(dir, 'bad'))).to.equal(false);
  });
});
