import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createConnectorContainer, createRootContainer, discoverPlugin } from '@relaypoint/core';
import { startSimulator, type Simulator } from '@relaypoint/simulator';

const run = promisify(execFile);
const packages = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
// Under `npm test` the outer npm exports npm_config_* (prefix, workspace…): the inner npm must not inherit them.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));

/** `npm pack` of a workspace package into `dest`; returns the tarball path. */
async function pack(pkg: string, dest: string): Promise<string> {
  const { stdout } = await run(npm, ['pack', '--pack-destination', dest, '--silent'], { cwd: join(packages, pkg), env });
  return join(dest, stdout.trim().split('\n').pop() as string);
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
    // A fresh, empty cache, as on a new machine: our packages come from their tarballs, third-party ones from the
    // registry npm is configured with. No fallback: if this cannot install, the test fails with npm's own words
    // rather than test something else (the workspace's hoisted packages are not what a user gets).
    const cache = join(dir, 'npm-cache');
    try {
      await run(npm, ['install', '--cache', cache, '--prefer-online', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs], {
        cwd: app,
        env,
        maxBuffer: 16 * 1024 * 1024,
      });
    } catch (e) {
      const out = e as Error & { stderr?: string };
      throw new Error(`npm install of the packed plugins failed with an empty cache: ${out.message}\n${out.stderr ?? ''}`);
    }
    sim = await startSimulator({ seed: 1 });
  });

  after(async () => {
    await sim?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // Regression: with an empty npm cache the old offline install fell back to the workspace's hoisted ajv (eslint's v6).
  it('installs every dependency into the project itself, from the packages and the registry, none linked from the workspace', () => {
    for (const name of ['@relaypoint/core', '@relaypoint/connector-airtime', 'ajv', 'cockatiel', 'tsyringe']) {
      const at = join(app, 'node_modules', name);
      expect(existsSync(join(at, 'package.json')), `${name} installed in the project`).to.equal(true);
      expect(lstatSync(at).isSymbolicLink(), `${name} is a link`).to.equal(false);
    }
    const ajv = JSON.parse(readFileSync(join(app, 'node_modules', 'ajv', 'package.json'), 'utf8')) as { version: string };
    expect(ajv.version, 'ajv version core gets').to.match(/^8\./);
  });

  it('ships the compiled code and the config schema, and nothing from test/', () => {
    for (const name of ['connector-airtime', 'connector-giftcard']) {
      const root = join(app, 'node_modules', '@relaypoint', name);
      expect(existsSync(join(root, 'dist', 'src', 'index.js')), `${name} dist/src/index.js`).to.equal(true);
      expect(existsSync(join(root, 'src', 'config.schema.json')), `${name} src/config.schema.json`).to.equal(true);
      expect(existsSync(join(root, 'dist', 'test')), `${name} dist/test`).to.equal(false);
      expect(
        readdirSync(join(root, 'dist', 'src')).some((f) => f.endsWith('.d.ts')),
        `${name} types`,
      ).to.equal(true);
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
