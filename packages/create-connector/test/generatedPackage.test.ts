import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { validateIssueParams } from '@relaypoint/core';
import { scaffoldConnector } from '../src/index.js';
import { linkWorkspaceDependencies } from './linkWorkspaceDependencies.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

/** The edit docs/writing-a-connector.md asks for: the `-`/`+` lines of the diff in its "Scaffolding a new connector" section. */
function documentedEdit(): { before: string; after: string } {
  const doc = readFileSync(join(repoRoot, 'docs', 'writing-a-connector.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Scaffolding a new connector'));
  const diff = /```diff\n([\s\S]*?)```/.exec(section);
  if (!section.startsWith('## Scaffolding') || !diff)
    throw new Error('docs/writing-a-connector.md has no diff in its "Scaffolding a new connector" section');
  const line = (mark: string) =>
    diff[1]
      .split('\n')
      .find((l) => l.startsWith(mark))
      ?.slice(1)
      .trim();
  const before = line('-');
  const after = line('+');
  if (!before || !after) throw new Error('the walkthrough diff needs one - line and one + line');
  return { before, after };
}

/**
 * The test counts the walkthrough shows: `N passing` after Step 2 (and again in Step 4), `N passing`, `M failing` and `P pending`
 * after Step 3's edit. A new contract case changes them; this keeps the page true.
 */
function documentedCounts(): {
  passing: number;
  brokenPassing: number;
  brokenFailing: number;
  brokenPending: number;
  fixedPassing: number;
} {
  const doc = readFileSync(join(repoRoot, 'docs', 'writing-a-connector.md'), 'utf8');
  const step = (title: string) => {
    const at = doc.indexOf(`### ${title}`);
    if (at < 0) throw new Error(`docs/writing-a-connector.md has no "### ${title}" section`);
    const next = doc.indexOf('\n### ', at + 4);
    return doc.slice(at, next < 0 ? undefined : next);
  };
  const count = (text: string, what: 'passing' | 'failing' | 'pending') => {
    const m = new RegExp(`(\\d+) ${what}`).exec(text);
    if (!m) throw new Error(`docs/writing-a-connector.md: no "N ${what}" in ${text.split('\n')[0]}`);
    return Number(m[1]);
  };
  const broken = step('Step 3');
  return {
    passing: count(step('Step 2'), 'passing'),
    brokenPassing: count(broken, 'passing'),
    brokenFailing: count(broken, 'failing'),
    brokenPending: count(broken, 'pending'),
    fixedPassing: count(step('Step 4'), 'passing'),
  };
}

/** `npm run <script>` in the generated package, as its author would run it; npm's own env vars from an outer `npm test` are dropped. */
function npmRun(cwd: string, script: string): { status: number | null; output: string; seconds: number } {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
  const t = Date.now();
  const r = spawnSync('npm', ['run', script, '--silent'], {
    cwd,
    env: { ...env, NO_COLOR: '1', FORCE_COLOR: '0' },
    encoding: 'utf8',
    timeout: 150_000,
  });
  return { status: r.status, output: `${r.stdout}\n${r.stderr}`, seconds: (Date.now() - t) / 1000 };
}

const npmTest = (cwd: string) => npmRun(cwd, 'test');

describe('a scaffolded connector package', function () {
  this.timeout(300_000);
  let tmp: string;
  let dir: string;

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'rp-generated-'));
    dir = (await scaffoldConnector({ name: '@acme/relaypoint-connector-walkthrough', dir: join(tmp, 'walkthrough') })).dir;
    linkWorkspaceDependencies(dir, repoRoot);
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('passes its own npm test (tsc, then the contract suite against the simulator) as generated', () => {
    const r = npmTest(dir);
    expect(r.status, `npm test failed in ${dir}:\n${r.output}`).to.equal(0);
    expect(r.output).to.match(/walkthrough connector contract/);
    expect(r.output).to.match(/\b[1-9]\d* passing\b/);
    expect(r.output).not.to.match(/\d+ failing/);
    const shown = documentedCounts().passing;
    expect(r.output, `docs/writing-a-connector.md Step 2 shows "${shown} passing"`).to.match(new RegExp(`\\b${shown} passing\\b`));
  });

  it('reads a "success" without a voucher code as outcome unknown, as docs/writing-a-connector.md asks', async () => {
    const built = join(dir, 'dist', 'src', 'index.js');
    if (!existsSync(built)) expect(npmRun(dir, 'build').status, 'npm run build in the generated package').to.equal(0);
    // A real server on loopback that answers every issue with a success lacking its voucher_code.
    const server = createServer((req, res) => {
      req.resume();
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ transaction_id: 'T-1', reference: 'W-1', status: 'success' }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const mod = (await import(pathToFileURL(built).href)) as Record<string, unknown>;
      const Connector = Object.entries(mod).find(([k]) => k.endsWith('Connector'))?.[1] as
        (new (config: Record<string, unknown>) => { issueVoucher(params: unknown): Promise<unknown>; close?(): void }) | undefined;
      expect(Connector, `a *Connector class exported by the generated src/index.ts (exports: ${Object.keys(mod).join(', ')})`).to.not.equal(
        undefined,
      );
      const connector = new Connector!({
        baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/airtime`,
        apiKey: 'k',
        secret: 's',
      });
      const params = validateIssueParams(
        { productId: 'AIRTIME_5', customerId: 'c', phoneNumber: '+263771234567', amount: '5.00', currency: 'USD', reference: 'W-1' },
        { requirePhone: true },
      );
      const error = await connector.issueVoucher(params).then(
        (r) => expect.fail(`expected an error, got ${JSON.stringify(r)}`),
        (e: unknown) => e as { code?: string; outcome?: string },
      );
      expect(error).to.include({ code: 'PROVIDER_BAD_RESPONSE', outcome: 'unknown' });
      connector.close?.();
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('regenerates src/config.types.ts with its own npm run codegen to the same bytes the scaffold wrote', () => {
    const types = join(dir, 'src', 'config.types.ts');
    const written = readFileSync(types, 'utf8');
    writeFileSync(types, '// stale\n');
    const r = npmRun(dir, 'codegen');
    expect(r.status, r.output).to.equal(0);
    expect(readFileSync(types, 'utf8')).to.equal(written);
  });

  it('follows docs/writing-a-connector.md: a changed endpoint path fails the contract suite with a plain message, restoring it passes', () => {
    const { before, after } = documentedEdit();
    expect(after).to.include("'/issue-v2'");
    const index = join(dir, 'src', 'index.ts');
    const source = readFileSync(index, 'utf8');
    expect(source.split(before), 'the line the walkthrough changes is in the generated src/index.ts, once').to.have.length(2);
    writeFileSync(index, source.replace(before, after));

    const broken = npmTest(dir);
    expect(broken.status, broken.output).to.not.equal(0);
    expect(broken.output).to.match(/\b[1-9]\d* failing\b/);
    const counts = documentedCounts();
    expect(broken.output, `docs/writing-a-connector.md Step 3 shows "${counts.brokenPassing} passing"`).to.match(
      new RegExp(`\\b${counts.brokenPassing} passing\\b`),
    );
    expect(broken.output, `docs/writing-a-connector.md Step 3 shows "${counts.brokenFailing} failing"`).to.match(
      new RegExp(`\\b${counts.brokenFailing} failing\\b`),
    );
    // The author must learn what went wrong without reading the suite: which case, what the plugin sent, what the model expected.
    expect(broken.output).to.match(/\d+\) .*0\. the sample issuance reaches the model's issue route/);
    expect(broken.output).to.match(
      /your plugin sent POST \/walkthrough\/issue-v2 \(credential headers x-api-key: sim-\*\*\*, x-signature: \w+\*\*\*\) → 404, which is not the model's issue route\. The model walkthrough expects POST \/walkthrough\/issue authenticated with x-api-key/,
    );
    // The later cases are not run, and say why, instead of failing for faults that never happened.
    expect(broken.output).to.match(/1\. happy path: .*\(pending: the plugin's requests do not reach the model: see case 0\)/);
    expect(broken.output, `docs/writing-a-connector.md Step 3 shows "${counts.brokenPending} pending"`).to.match(
      new RegExp(`\\b${counts.brokenPending} pending\\b`),
    );

    writeFileSync(index, source);
    const fixed = npmTest(dir);
    expect(fixed.status, fixed.output).to.equal(0);
    expect(fixed.output).not.to.match(/\d+ failing/);
    expect(fixed.output, `docs/writing-a-connector.md Step 4 says "${counts.fixedPassing} passing"`).to.match(
      new RegExp(`\\b${counts.fixedPassing} passing\\b`),
    );
  });
});
