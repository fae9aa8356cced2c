import { expect } from 'chai';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCodes, isPluginError } from '@relaypoint/core';
import { HOST_INSTALL_DIR, resolvePlugin } from '../src/plugins/resolvePlugin.js';
import { packageDir } from './helpers/harness.js';

/** A plugin package (no code needed: the peer check runs before its entry loads) declaring a core peer range. */
function writePlugin(dir: string, name: string, peerRange: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name,
      version: '1.0.0',
      type: 'module',
      main: 'index.js',
      relaypoint: { kind: 'connector', id: 'topup' },
      peerDependencies: { '@relaypoint/core': peerRange },
    }),
  );
  writeFileSync(
    join(dir, 'index.js'),
    "import { defineConnectorPlugin } from '@relaypoint/core';\nexport default defineConnectorPlugin({});\n",
  );
}

async function refusal(specifier: string, dir: string): Promise<Error & { code?: string }> {
  try {
    await resolvePlugin(specifier, dir);
  } catch (e) {
    expect(isPluginError(e), String(e)).to.equal(true);
    return e as Error & { code?: string };
  }
  throw new Error(`expected ${specifier} to be refused`);
}

describe('resolvePlugin', () => {
  let outside: string;
  beforeEach(() => {
    // A folder outside the repository: nothing resolves from its parents' node_modules.
    outside = realpathSync(mkdtempSync(join(tmpdir(), 'rp-resolve-')));
  });
  afterEach(() => rmSync(outside, { recursive: true, force: true }));

  it('is installed where this package is', () => {
    expect(HOST_INSTALL_DIR).to.equal(packageDir);
  });

  // Regression: a config outside the repository could not name the plugins the host ships ("cannot find package").
  it('resolves a plugin the host ships by name from a config folder that has no node_modules', async () => {
    const found = await resolvePlugin('@relaypoint/connector-airtime', outside);
    expect(found.plugin.id).to.equal('airtime');
    expect(found.packageName).to.equal('@relaypoint/connector-airtime');
  });

  it("prefers the package installed beside the config over the host's own", async () => {
    writePlugin(join(outside, 'node_modules', '@relaypoint', 'connector-airtime'), '@relaypoint/connector-airtime', '^0.1.0');
    // The config folder's copy is chosen: its (missing) core peer is what gets reported, not the host's copy loaded.
    const e = await refusal('@relaypoint/connector-airtime', outside);
    expect(e.code).to.equal(ErrorCodes.PLUGIN_PEER_MISSING);
    expect(e.message).to.include(join(outside, 'node_modules', '@relaypoint', 'connector-airtime'));
  });

  it('says where it looked when no package matches', async () => {
    const e = await refusal('@acme/relaypoint-nowhere', outside);
    expect(e.code).to.equal(ErrorCodes.PLUGIN_NOT_FOUND);
    expect(e.message).to.include('cannot find package "@acme/relaypoint-nowhere"');
    expect(e.message).to.include(join(outside, 'node_modules'));
    expect(e.message).to.include(join(HOST_INSTALL_DIR, 'node_modules'));
  });

  // Regression: a plugin installed without its core peer was reported as "its entry failed to load".
  it('refuses a plugin whose @relaypoint/core peer is not installed: names the package, the range and the install command', async () => {
    writePlugin(join(outside, 'node_modules', '@acme', 'relaypoint-topup'), '@acme/relaypoint-topup', '^0.1.0');
    const e = await refusal('@acme/relaypoint-topup', outside);
    expect(e.code).to.equal(ErrorCodes.PLUGIN_PEER_MISSING);
    expect(e.message).to.include('"@acme/relaypoint-topup"');
    expect(e.message).to.include('@relaypoint/core@^0.1.0');
    expect(e.message).to.include('npm install @relaypoint/core@"^0.1.0"');
  });

  it('refuses a plugin whose installed @relaypoint/core is outside its peer range, naming the version found', async () => {
    writePlugin(join(outside, 'plugin'), '@acme/relaypoint-topup', '^0.1.0');
    const core = join(outside, 'node_modules', '@relaypoint', 'core');
    mkdirSync(core, { recursive: true });
    writeFileSync(join(core, 'package.json'), JSON.stringify({ name: '@relaypoint/core', version: '0.0.9' }));
    const e = await refusal('./plugin', outside);
    expect(e.code).to.equal(ErrorCodes.PLUGIN_PEER_MISSING);
    expect(e.message).to.include('is 0.0.9');
    expect(e.message).to.include('npm install @relaypoint/core@"^0.1.0"');
  });
});
