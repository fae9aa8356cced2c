import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createConnectorContainer, createRootContainer, discoverPlugin } from '@relaypoint/core';
import { startSimulator, type Simulator } from '@relaypoint/simulator';

const run = promisify(execFile);
const packages = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const workspaceModules = resolve(packages, '..', 'node_modules');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
// Under `npm test` the outer npm exports npm_config_* (prefix, workspace…): the inner npm must not inherit them.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));

/** `npm pack` of a workspace package into `dest`; returns the tarball path. */
async function pack(pkg: string, dest: string): Promise<string> {
  const { stdout } = await run(npm, ['pack', '--pack-destination', dest, '--silent'], { cwd: join(packages, pkg), env });
  return join(dest, stdout.trim().split('\n').pop() as string);
}

/**
 * Without a registry: unpack each tarball into node_modules and link the
 * dependencies from the workspace install. Used only when the npm cache
 * cannot satisfy an offline install.
 */
async function unpackWithWorkspaceDeps(app: string, tarballs: string[]): Promise<void> {
  for (const tgz of tarballs) {
    const tmp = mkdtempSync(join(tmpdir(), 'rp-unpack-'));
    await run('tar', ['xzf', tgz, '-C', tmp]);
    const manifest = JSON.parse(readFileSync(join(tmp, 'package', 'package.json'), 'utf8')) as { name: string; dependencies?: Record<string, string> };
    const target = join(app, 'node_modules', manifest.name);
    mkdirSync(dirname(target), { recursive: true });
    cpSync(join(tmp, 'package'), target, { recursive: true });
    for (const dep of Object.keys(manifest.dependencies ?? {})) {
      const link = join(app, 'node_modules', dep);
      if (existsSync(link)) continue;
      mkdirSync(dirname(link), { recursive: true });
      symlinkSync(join(workspaceModules, dep), link, 'dir');
    }
    rmSync(tmp, { recursive: true, force: true });
  }
}

describe('the packed plugins install on their own', function () {
  this.timeout(120_000);
  let dir: string;
  let app: string;
  let sim: Simulator;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rp-install-'));
    app = join(dir, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'install-check', version: '1.0.0', private: true, type: 'module' }));
    const tarballs = [await pack('core', dir), await pack('connector-airtime', dir), await pack('connector-giftcard', dir)];
    try {
      await run(npm, ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs], { cwd: app, env });
    } catch (e) {
      // The npm cache lacks a dependency (a fresh machine): keep the check meaningful for our own packages.
      console.warn(`offline npm install failed (${(e as Error).message.split('\n')[0]}); unpacking the tarballs and linking their dependencies from the workspace instead`);
      await unpackWithWorkspaceDeps(app, tarballs);
    }
    sim = await startSimulator({ seed: 1 });
  });

  after(async () => {
    await sim?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('ships the compiled code and the config schema, and nothing from test/', () => {
    for (const name of ['connector-airtime', 'connector-giftcard']) {
      const root = join(app, 'node_modules', '@relaypoint', name);
      expect(existsSync(join(root, 'dist', 'src', 'index.js')), `${name} dist/src/index.js`).to.equal(true);
      expect(existsSync(join(root, 'src', 'config.schema.json')), `${name} src/config.schema.json`).to.equal(true);
      expect(existsSync(join(root, 'dist', 'test')), `${name} dist/test`).to.equal(false);
      expect(readdirSync(join(root, 'dist', 'src')).some((f) => f.endsWith('.d.ts')), `${name} types`).to.equal(true);
    }
  });

  it('loads the airtime plugin with discoverPlugin from the temp project, and it issues against the simulator', async () => {
    const found = await discoverPlugin('@relaypoint/connector-airtime', app);
    expect(found.packageName).to.equal('@relaypoint/connector-airtime');
    expect(found.packageDir.startsWith(app)).to.equal(true);
    expect(found.plugin.id).to.equal('airtime');
    expect(found.plugin.capabilities.duplicateReference).to.equal('reject-duplicate');
    const instance = await createConnectorContainer(createRootContainer(), found.plugin, {
      name: 'airtime',
      config: { baseUrl: `${sim.url}/airtime`, apiKey: 'sim-airtime-key', secret: 'sim-airtime-secret' },
    });
    try {
      const result = await instance.connector.issueVoucher({
        productId: 'AIRTIME_5',
        customerId: 'c-1',
        phoneNumber: '+263771234567',
        amount: { currency: 'USD', minor: 500n, decimal: '5.00' },
        currency: 'USD',
        reference: 'install-1',
      });
      expect(result.status).to.equal('succeeded');
      expect(sim.ledger.countByReference('airtime', 'install-1')).to.equal(1);
    } finally {
      await instance.dispose();
    }
  });

  it('loads the gift-card plugin with discoverPlugin from the temp project', async () => {
    const found = await discoverPlugin('@relaypoint/connector-giftcard', app);
    expect(found.plugin.id).to.equal('giftcard');
    expect(found.version).to.equal('0.1.0');
    expect(found.plugin.capabilities.duplicateReference).to.equal('return-original');
  });
});
