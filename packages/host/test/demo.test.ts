import { expect } from 'chai';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runDemo, type Demo } from '../src/index.js';
import { packageDir, waitFor } from './helpers/harness.js';

const exec = promisify(execFile);

describe('runDemo (npm start)', function () {
  this.timeout(60_000);
  let demo: Demo;
  let dir: string;
  let printed = '';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'relaypoint-demo-'));
    demo = await runDemo({ port: 0, dataDir: dir, apiKey: 'demo-test-key-0123456789', print: (t) => (printed += t), logLevel: 'silent' });
  });
  after(async () => {
    await demo?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the key, the loopback-only webhook rule, and curl commands', () => {
    expect(printed).to.include('demo-test-key-0123456789');
    expect(printed).to.match(/webhooks\s+allowed to loopback addresses only/);
    expect(printed.match(/^ {3}(SECRET=|curl )/gm)).to.have.length(7);
  });

  it('every printed command works as printed: subscribe, issue through all four connectors (airtime, gift card, Reloadly, Tremendous), read verified deliveries at the sink', async () => {
    const commands = printed
      .split('\n')
      .filter((l) => /^ {3}(SECRET=|curl )/.test(l))
      .map((l) => l.trim());
    const script = commands.slice(0, 6).join('\n');
    const { stdout } = await exec('bash', ['-euo', 'pipefail', '-c', script]);
    const answers = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { status?: string });
    expect(answers.slice(-4).map((a) => a.status)).to.deep.equal(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    const sinkCmd = commands[6];
    const sink = await waitFor(
      async () => {
        const out = JSON.parse((await exec('bash', ['-c', sinkCmd])).stdout) as {
          deliveries: Array<{ verified: boolean; json: { type: string } }>;
        };
        return out.deliveries.length >= 4 ? out : undefined;
      },
      20_000,
      'four deliveries at the sink',
    );
    expect(sink.deliveries.every((d) => d.verified && d.json.type === 'reward.issued')).to.equal(true);
  });
});

// Regression: a second `npm start` put the simulator on another port and generated another key: the first run's
// webhook subscription pointed nowhere and its printed key was refused.
describe('runDemo started twice on one data folder (npm start, Ctrl-C, npm start)', function () {
  this.timeout(60_000);
  let dir: string;
  const envKey = process.env.RELAYPOINT_DEMO_KEY;
  before(() => {
    delete process.env.RELAYPOINT_DEMO_KEY;
    dir = mkdtempSync(join(tmpdir(), 'relaypoint-demo-twice-'));
  });
  after(() => {
    if (envKey !== undefined) process.env.RELAYPOINT_DEMO_KEY = envKey;
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps the printed key, and the first run's sink subscription delivers verified events in the second", async () => {
    const first = await runDemo({ port: 0, dataDir: dir, print: () => undefined, logLevel: 'silent' });
    let second: Demo | undefined;
    try {
      const headers = { authorization: `Bearer ${first.apiKey}`, 'content-type': 'application/json' };
      const res = await fetch(`${first.host.url}/v1/webhooks`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ url: `${first.simulator.url}/__sim/sink/demo`, events: ['reward.issued'] }),
      });
      expect(res.status).to.equal(201);
      first.simulator.sinks.configure('demo', { secret: String(((await res.json()) as { secret: string }).secret) });
      await first.close();

      let printed = '';
      second = await runDemo({ port: 0, dataDir: dir, print: (t) => (printed += t), logLevel: 'silent' });
      expect(second.apiKey).to.equal(first.apiKey);
      expect(printed).to.include('the same as the last run');
      expect(printed).to.match(/1 subscription of an earlier run to the simulator's sink/);
      const issue = await fetch(`${second.host.url}/v1/issuances`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          connector: 'airtime',
          productId: 'AIRTIME_5',
          customerId: 'c-1',
          phoneNumber: '+263771234567',
          amount: '5.00',
          currency: 'USD',
          reference: `twice-${Date.now()}`,
        }),
      });
      expect(issue.status).to.equal(201);
      const sim = second.simulator;
      const delivered = await waitFor(
        () => sim.sinks.deliveries('demo').find((d) => d.verified === true),
        15_000,
        "a verified delivery at the second run's sink",
      );
      expect(delivered.verified).to.equal(true);
    } finally {
      await second?.close();
    }
  });
});

// Regression: Ctrl-C on the demo printed nothing to say it had stopped (the demo logs at warn).
describe('relaypoint demo on SIGINT (Ctrl-C)', function () {
  this.timeout(60_000);

  it('stops cleanly: prints "stopped" and exits 0', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'relaypoint-demo-sigint-'));
    try {
      const cli = join(packageDir, 'dist', 'src', 'cli.js');
      const child = spawn(process.execPath, [cli, 'demo', '--port', '0'], {
        cwd,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, RELAYPOINT_DEMO_KEY: 'demo-sigint-key-0123456789' },
      });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      await waitFor(() => out.includes('Stop with Ctrl-C'), 30_000, 'the demo banner');
      child.kill('SIGINT');
      expect(await exited, out).to.equal(0);
      expect(out.trimEnd().split('\n').pop()).to.equal('stopped');
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
