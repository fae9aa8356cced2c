import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runDemo, type Demo } from '../src/index.js';
import { waitFor } from './helpers/harness.js';

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
    const answers = stdout.trim().split('\n').map((l) => JSON.parse(l) as { status?: string });
    expect(answers.slice(-4).map((a) => a.status)).to.deep.equal(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    const sinkCmd = commands[6];
    const sink = await waitFor(async () => {
      const out = JSON.parse((await exec('bash', ['-c', sinkCmd])).stdout) as { deliveries: Array<{ verified: boolean; json: { type: string } }> };
      return out.deliveries.length >= 4 ? out : undefined;
    }, 20_000, 'four deliveries at the sink');
    expect(sink.deliveries.every((d) => d.verified && d.json.type === 'reward.issued')).to.equal(true);
  });
});
