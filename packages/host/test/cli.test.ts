import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type Simulator } from '@relaypoint/simulator';
import { ADMIN_KEY, TENANT_A_KEY, airtime, packageDir, ref } from './helpers/harness.js';

const cli = join(packageDir, 'dist', 'src', 'cli.js');
const airtimeDir = join(packageDir, '..', 'connector-airtime');
const giftcardDir = join(packageDir, '..', 'connector-giftcard');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], options: { cwd?: string } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: options.cwd ?? packageDir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('relaypoint CLI', function () {
  this.timeout(30_000);
  let dir: string;
  let sim: Simulator;

  // Plugins given as paths, so a config in a temp folder finds them.
  const good = (port = 0, extra: Record<string, unknown> = {}) => ({
    server: { port, shutdownGraceMs: 2000 },
    storage: { driver: 'sqlite', path: 'store.db' },
    tenants: [{ id: 'tenant-a', apiKeys: [TENANT_A_KEY] }],
    admin: { apiKey: ADMIN_KEY },
    connectors: [
      {
        name: 'airtime',
        plugin: airtimeDir,
        config: { baseUrl: `${sim.url}/airtime`, apiKey: 'sim-airtime-key', secret: 'sim-airtime-secret' },
      },
      { name: 'giftcard', plugin: giftcardDir, config: { baseUrl: `${sim.url}/giftcard`, apiKey: 'sim-giftcard-key' } },
    ],
    ...extra,
  });
  const write = (name: string, value: unknown) => {
    const p = join(dir, name);
    writeFileSync(p, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
    return p;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'relaypoint-cli-'));
    sim = await startSimulator({ seed: 3 });
  });
  after(async () => {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints its version and help (exit 0)', async () => {
    const v = await run(['--version']);
    expect(v.code).to.equal(0);
    expect(v.stdout.trim()).to.match(/^\d+\.\d+\.\d+/);
    const h = await run(['--help']);
    expect(h.code).to.equal(0);
    for (const c of ['start', 'config', 'plugins', 'migrate', 'demo']) expect(h.stdout).to.include(c);
  });

  it('exits 2 on a usage error', async () => {
    const r = await run(['frobnicate']);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.not.equal('');
    expect((await run(['config', 'validate'])).code).to.equal(2);
  });

  // Regression: a taken port printed Node's "listen EADDRINUSE" with no way out.
  it('start: a port in use is one line naming the port and the --port / PORT way out, exit 1', async () => {
    const taken: Server = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
    const port = (taken.address() as { port: number }).port;
    try {
      const r = await run(['start', '--config', write('taken.json', { ...good(port), storage: { driver: 'sqlite', path: 'taken.db' } })]);
      expect(r.code, r.stderr).to.equal(1);
      const lines = r.stderr.trim().split('\n');
      expect(lines, r.stderr).to.have.length(1);
      expect(lines[0]).to.include(`127.0.0.1:${port} is already in use`);
      expect(lines[0]).to.include('--port');
      expect(lines[0]).to.include('PORT=');
    } finally {
      await new Promise<void>((r) => taken.close(() => r()));
    }
  });

  it('start: a bad --port is a usage error (exit 2), refused before the store is opened', async () => {
    const config = write('port.json', { ...good(), storage: { driver: 'sqlite', path: 'port-check.db' } });
    for (const port of ['abc', '70000', '-5', '80.5']) {
      const r = await run(['start', '--config', config, '--port', port]);
      expect(r.code, `--port ${port}: ${r.stderr}`).to.equal(2);
      expect(r.stderr).to.include('--port: must be an integer from 0 to 65535');
    }
    expect(existsSync(join(dir, 'port-check.db'))).to.equal(false);
  });

  // Regression: validate said "valid" in silence about what start warns of (settleMs shorter than the longest call).
  it('config validate: prints the warnings start logs, still exit 0', async () => {
    const config = write('short-settle.json', good(0, { reconciliation: { settleMs: 1000 } }));
    const r = await run(['config', 'validate', '--config', config]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.include('valid (2 connectors');
    const warnings = r.stderr.trim().split('\n');
    expect(warnings).to.have.length(2);
    expect(warnings[0]).to.match(/^warning: reconciliation\.settleMs: 1000 ms is shorter than the longest call of connector "airtime"/);
    expect(warnings[1]).to.include('connector "giftcard"');
  });

  // Regression: a misspelt property said only "unknown property".
  it('config validate: an unknown property close to a known one gets "did you mean"', async () => {
    const c = good(0, { server: { prot: 8080 } }) as ReturnType<typeof good> & { connectors: Array<{ config: Record<string, unknown> }> };
    c.connectors[1].config.apiKye = 'x';
    const r = await run(['config', 'validate', '--config', write('typo.json', c)]);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.include('server: unknown property "prot"; did you mean "port"?');
    expect(r.stderr).to.include('connectors[1].config: unknown property "apiKye"; did you mean "apiKey"?');
  });

  it('config validate: exit 0 for a good config, exit 2 with one line per problem otherwise', async () => {
    const ok = await run(['config', 'validate', '--config', write('good.json', good())]);
    expect(ok.code, ok.stderr).to.equal(0);
    expect(ok.stdout).to.include('valid (2 connectors: airtime, giftcard)');

    const bad = good(0, { server: { port: -1 } }) as ReturnType<typeof good> & { tenants: Array<{ apiKeys: string[] }> };
    bad.tenants[0].apiKeys = ['short'];
    (bad.connectors[1] as { plugin: string }).plugin = 'no-such-plugin-package';
    const r = await run(['config', 'validate', '--config', write('bad.json', bad)]);
    expect(r.code).to.equal(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).to.have.length(3);
    expect(lines[0]).to.match(/^server\.port: /);
    expect(lines.find((l) => l.startsWith('connectors[1].plugin: ')))
      .to.include('cannot find package "no-such-plugin-package"; looked in ')
      .and.to.include(join(dir, 'node_modules'));

    const unreadable = await run(['config', 'validate', '--config', join(dir, 'missing.json')]);
    expect(unreadable.code).to.equal(2);
    expect(unreadable.stderr).to.include('missing.json');
    const notJson = await run(['config', 'validate', '--config', write('broken.json', '{ "storage": ')]);
    expect(notJson.code).to.equal(2);
    expect(notJson.stderr).to.include('not valid JSON');
  });

  it('config print redacts every secret (host and plugin schemas)', async () => {
    const r = await run(['config', 'print', '--config', write('print.json', good())]);
    expect(r.code, r.stderr).to.equal(0);
    const printed = JSON.parse(r.stdout) as {
      connectors: Array<{ config: Record<string, string> }>;
      tenants: Array<{ apiKeys: string[] }>;
    };
    for (const s of [TENANT_A_KEY, ADMIN_KEY, 'sim-airtime-key', 'sim-airtime-secret', 'sim-giftcard-key'])
      expect(r.stdout).to.not.include(s);
    expect(printed.tenants[0].apiKeys).to.deep.equal(['[redacted]']);
    expect(printed.connectors[0].config).to.include({ apiKey: '[redacted]', secret: '[redacted]', baseUrl: `${sim.url}/airtime` });
  });

  it('plugins list names package, version and capabilities', async () => {
    const r = await run(['plugins', 'list', '--json', '--config', write('plugins.json', good())]);
    expect(r.code, r.stderr).to.equal(0);
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((x) => [x.name, x.package])).to.deep.equal([
      ['airtime', '@relaypoint/connector-airtime'],
      ['giftcard', '@relaypoint/connector-giftcard'],
    ]);
    expect(rows[0].capabilities).to.have.property('duplicateReference');
    const table = await run(['plugins', 'list', '--config', join(dir, 'plugins.json')]);
    expect(table.stdout).to.match(/^airtime\t@relaypoint\/connector-airtime@\d/m);
  });

  it('migrate applies the migrations (exit 0)', async () => {
    const r = await run(['migrate', '--config', write('migrate.json', good())]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.include('migrations applied');
  });

  it('start prints one "listening" JSON line, serves, and exits 0 on SIGTERM after a graceful shutdown', async () => {
    const child = spawn(process.execPath, [cli, 'start', '--config', write('start.json', good(0))], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const url = await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no listening line: ${out}`)), 15_000);
      child.stdout.on('data', () => {
        for (const line of out.split('\n')) {
          if (!line.startsWith('{')) continue;
          const j = JSON.parse(line) as { msg?: string; url?: string };
          if (j.msg === 'listening' && j.url) {
            clearTimeout(t);
            resolve(j.url);
          }
        }
      });
    });
    const res = await fetch(`${url}/v1/issuances`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TENANT_A_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(airtime(ref('cli'))),
    });
    expect(res.status).to.equal(201);
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).to.equal(0);
    const msgs = out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(msgs).to.include.members(['signal received', 'shutting down', 'stopped']);
    // stdout is written in chunks (createLogger): the shutdown writes out what was still buffered, request lines too.
    expect(msgs.filter((m) => m === 'request')).to.have.length(1);
  });

  it('refuses a second host on the same SQLite store (exit 1, naming it), and takes it over at once after the first is killed', async () => {
    const config = write('one-store.json', { ...good(0), storage: { driver: 'sqlite', path: 'one-store.db' } });
    const first = spawn(process.execPath, [cli, 'start', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      first.stdout.on('data', (d) => (out += d));
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no listening line: ${out}`)), 15_000);
        first.stdout.on('data', () => {
          if (out.includes('"msg":"listening"')) {
            clearTimeout(t);
            resolve();
          }
        });
      });
      const second = await run(['start', '--config', config]);
      expect(second.code).to.equal(1);
      expect(second.stderr).to.include(`storage.path: ${join(dir, 'one-store.db')} is in use by another Relaypoint host process`);
      // kill -9: no cleanup runs, the operating system releases the lock.
      const killed = new Promise((resolve) => first.on('close', resolve));
      first.kill('SIGKILL');
      await killed;
      const restarted = spawn(process.execPath, [cli, 'start', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out2 = '';
      restarted.stdout.on('data', (d) => (out2 += d));
      const closed = new Promise<number | null>((resolve) => restarted.on('close', (code) => resolve(code)));
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`restart did not listen: ${out2}`)), 15_000);
        restarted.stdout.on('data', () => {
          if (out2.includes('"msg":"listening"')) {
            clearTimeout(t);
            resolve();
          }
        });
      });
      restarted.kill('SIGTERM');
      expect(await closed).to.equal(0);
    } finally {
      first.kill('SIGKILL');
    }
  });
});
