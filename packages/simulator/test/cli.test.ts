import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulator } from '../src/index.js';
import { issue, issueBody, json, raw, sign } from './helpers.js';
import { ZAPCASH_TOKEN } from './fixtures/zapcashModel.js';

const cli = fileURLToPath(new URL('../src/cli.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'relaypoint-sim-'));
const zapcash = fileURLToPath(new URL('./fixtures/zapcashModel.js', import.meta.url));

/** Starts the CLI and resolves to its URL once it logged it. */
async function startCli(args: string[], command = 'start'): Promise<{ url: string; stop(): Promise<number | null>; stderr(): string }> {
  const child = spawn(process.execPath, [cli, command, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    child.stderr.on('data', (d: string) => {
      stderr += d;
      const m = /"url":"(http:[^"]+)"/.exec(stderr);
      if (m) resolve(m[1]);
    });
  });
  return {
    url,
    stderr: () => stderr,
    stop: () => {
      const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      return exit;
    },
  };
}

function run(args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 15_000 });
}

describe('relaypoint-sim CLI', () => {
  it('prints help and the version', () => {
    const help = run(['start', '--help']);
    expect(help.status).to.equal(0);
    expect(help.stdout).to.contain('--scenario').and.contain('--seed').and.contain('--journal-size');
    expect(run(['--version']).stdout.trim()).to.match(/^\d+\.\d+\.\d+/);
  });

  it('exits 2 on a bad flag', () => {
    const r = run(['start', '--nope']);
    expect(r.status).to.equal(2);
    expect(r.stderr).to.contain('nope');
    expect(run(['start', '--port', 'x']).status).to.equal(2);
  });

  it('exits 2 with one file: path: message line per problem for an invalid or unreadable file', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ rules: [{ fault: { type: 'rate-limit' } }, { probability: 2, fault: { type: 'reset' } }] }));
    const r = run(['start', '--scenario', bad]);
    expect(r.status).to.equal(2);
    expect(r.stderr.trim().split('\n')).to.deep.equal([
      `${bad}: rules[0].fault.retryAfterSeconds: is required`,
      `${bad}: rules[1].probability: must be <= 1`,
    ]);
    const missing = run(['start', '--config', join(dir, 'missing.json')]);
    expect(missing.status).to.equal(2);
    expect(missing.stderr).to.match(/missing\.json: cannot read \(ENOENT\)/);
    const notJson = join(dir, 'not.json');
    writeFileSync(notJson, '{');
    expect(run(['start', '--config', notJson]).status).to.equal(2);
  });

  it('exits 2 with a file: balances.airtime: line for a scenario balance the currency cannot hold', () => {
    const scenario = join(dir, 'balance.json');
    writeFileSync(scenario, JSON.stringify({ balances: { airtime: '1.999' } }));
    const r = run(['start', '--port', '0', '--scenario', scenario]);
    expect(r.status).to.equal(2);
    expect(r.stderr.trim().split('\n')).to.deep.equal([`${scenario}: balances.airtime: amount "1.999" has 3 decimals; USD has 2`]);
    // Checked against the currency of the config given.
    const config = join(dir, 'jpy.json');
    writeFileSync(
      config,
      JSON.stringify({
        airtime: {
          currency: 'JPY',
          accounts: [{ id: 'a', apiKey: 'k', secret: 's', balance: '1000' }],
          products: [{ id: 'P', minAmount: '1', maxAmount: '100' }],
        },
      }),
    );
    writeFileSync(scenario, JSON.stringify({ balances: { airtime: '1.50' } }));
    const jpy = run(['start', '--port', '0', '--config', config, '--scenario', scenario]);
    expect(jpy.status).to.equal(2);
    expect(jpy.stderr.trim().split('\n')).to.deep.equal([`${scenario}: balances.airtime: amount "1.50" has 2 decimals; JPY has 0`]);
  });

  it('serves with the seed and scenario given, logs one JSON line per request at debug, and exits 0 on SIGTERM', async function () {
    this.timeout(15_000);
    const scenario = join(dir, 'faults.json');
    writeFileSync(
      scenario,
      JSON.stringify({
        seed: 1,
        rules: [{ route: 'airtime.issue', calls: { first: 1 }, fault: { type: 'status-before-commit', status: 503 } }],
      }),
    );
    const child = spawn(process.execPath, [cli, 'start', '--port', '0', '--seed', '42', '--scenario', scenario, '--log-level', 'debug'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    const url = await new Promise<string>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
      child.stderr.on('data', (d: string) => {
        stderr += d;
        const m = /"url":"(http:[^"]+)"/.exec(stderr);
        if (m) resolve(m[1]);
      });
    });
    try {
      expect(json(await raw(`${url}/__sim/scenario`)).seed).to.equal(42);
      expect((await issue(url, 'R-cli')).status).to.equal(503);
      expect((await issue(url, 'R-cli')).status).to.equal(200);
      await new Promise((r) => setTimeout(r, 50));
      const lines = stderr
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      const requests = lines.filter((l) => l.msg === 'request');
      expect(requests.map((l) => [l.route, l.status, l.fault])).to.deep.equal([
        ['airtime.issue', 503, 'status-before-commit'],
        ['airtime.issue', 200, 'none'],
      ]);
      expect(stderr).to.not.contain('sim-airtime-key');
    } finally {
      const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exit).to.equal(0);
    }
  });

  describe('--model', () => {
    it('documents --model in --help', () => {
      const help = run(['start', '--help']);
      expect(help.stdout).to.contain('--model').and.contain('default export');
    });

    it('serves a model module next to a built-in one, each under its prefix', async function () {
      this.timeout(15_000);
      const sim = await startCli(['--model', zapcash, '--model', 'airtime']);
      try {
        const body = JSON.stringify({ client_reference: 'Z-cli', amount_minor: 250, currency: 'EUR', msisdn: '+15550001111' });
        const r = await raw(`${sim.url}/zapcash/v2/payouts`, { body, headers: { authorization: `Bearer ${ZAPCASH_TOKEN}` } });
        expect(r.status).to.equal(201);
        expect((await issue(sim.url, 'R-cli-model')).status).to.equal(200);
        expect((await raw(`${sim.url}/giftcard/products`)).status, 'giftcard was not asked for').to.equal(404);
        const ledger = json<{ entries: { provider: string; amount: string; currency: string }[] }>(
          await raw(`${sim.url}/__sim/ledger`),
        ).entries;
        expect(ledger.map((e) => [e.provider, e.amount, e.currency])).to.deep.equal([
          ['zapcash', '2.50', 'EUR'],
          ['airtime', '5.00', 'USD'],
        ]);
      } finally {
        expect(await sim.stop()).to.equal(0);
      }
    });

    it('exits 2 with one stderr line naming the file and what is wrong', () => {
      const write = (name: string, text: string): string => {
        const file = join(dir, name);
        writeFileSync(file, text);
        return file;
      };
      const index = JSON.stringify(fileURLToPath(new URL('../src/index.js', import.meta.url)));
      const noExport = write('none.mjs', 'export const something = 1;\n');
      const badTable = write(
        'bad.mjs',
        `import { zapcashModel } from ${JSON.stringify(zapcash)};\nexport default { ...zapcashModel, routes: [{ ...zapcashModel.routes[0], path: 'v2/payouts' }, zapcashModel.routes[1]] };\n`,
      );
      const broken = write('broken.mjs', 'import { nothing } from "./does-not-exist.mjs";\nexport default nothing;\n');
      const throws = write(
        'throws.mjs',
        `import { defineProviderModel } from ${index};\nexport const model = defineProviderModel({ id: 'x' });\n`,
      );
      const cases: [string, RegExp][] = [
        [noExport, /^.*none\.mjs: exports no provider model \(needs a default export or a named export "model"; found: something\)$/],
        [badTable, /^.*bad\.mjs: model zapcash: routes\[0\]\.path: must start with "\/"$/],
        [broken, /^.*broken\.mjs: cannot be imported \(ERR_MODULE_NOT_FOUND: .*does-not-exist\.mjs.*\)$/],
        [throws, /^.*throws\.mjs: cannot be imported \(.*model x: routes: must be a non-empty array\)$/],
        [join(dir, 'missing.mjs'), /^.*missing\.mjs: no such file$/],
      ];
      for (const [file, line] of cases) {
        const r = run(['start', '--port', '0', '--model', file]);
        expect(r.status, r.stderr).to.equal(2);
        const lines = r.stderr.trim().split('\n');
        expect(lines, r.stderr).to.have.length(1);
        expect(lines[0]).to.match(line);
        expect(lines[0]).to.contain(file);
      }
    });
  });

  describe('proxy', () => {
    it('forwards to --target with a built-in model naming routes; exits 2 for a bad --model or no --target', async function () {
      this.timeout(15_000);
      const upstream = await startSimulator({ models: ['airtime'] });
      const bad = await startCli(['--target', `${upstream.url}/airtime`, '--model', 'does-not-exist.mjs'], 'proxy').catch((e: Error) => e);
      expect(String(bad)).to.match(/exited 2: does-not-exist\.mjs: no such file/);
      expect(run(['proxy']).status).to.equal(2);
      const proxy = await startCli(['--target', `${upstream.url}/airtime`, '--model', 'airtime'], 'proxy');
      try {
        const body = issueBody('R-proxy');
        const r = await raw(`${proxy.url}/issue`, { body, headers: { 'x-api-key': 'sim-airtime-key', 'x-signature': sign(body) } });
        expect(r.status).to.equal(200);
        expect(upstream.ledger.countByReference('airtime', 'R-proxy')).to.equal(1);
        const entries = json<{ entries: { route: string; reference: string }[] }>(await raw(`${proxy.url}/__sim/journal`)).entries;
        expect(entries.map((e) => [e.route, e.reference])).to.deep.equal([['airtime.issue', 'R-proxy']]);
      } finally {
        expect(await proxy.stop()).to.equal(0);
        await upstream.close();
      }
    });
  });
});
