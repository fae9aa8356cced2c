#!/usr/bin/env node
// `npm test`: lint, check generated files, then every package's tests (via
// lerna, one at a time: crash tests need the cores; --no-sort so a failing
// package never stops its dependents' suites from running),
// then, in CI, the release check (scripts/release-check.mjs; one test), then
// one totals line `N passed, N failed` over all packages. A package
// whose test run dies before reporting counts as a failure, as does a
// package with no tests at all.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const statsDir = join(root, '.test-stats');
rmSync(statsDir, { recursive: true, force: true });
mkdirSync(statsDir, { recursive: true });

const env = { ...process.env, NX_DAEMON: 'false', NX_SKIP_NX_CACHE: 'true', RELAYPOINT_TEST_STATS_DIR: statsDir };
const steps = [];
function step(name, cmd, args, opts = {}) {
  const t = Date.now();
  process.stderr.write(`\n[relaypoint] ${name}…\n`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env, ...opts });
  const ok = r.status === 0;
  steps.push({ name, ok, seconds: (Date.now() - t) / 1000 });
  process.stderr.write(
    `[relaypoint] ${name}: ${ok ? 'ok' : `FAILED (exit ${r.status ?? r.signal})`} in ${((Date.now() - t) / 1000).toFixed(1)} s\n`,
  );
  return ok;
}

const bin = (name) => join(root, 'node_modules', '.bin', name);
step('lint (eslint)', bin('eslint'), ['.', '--max-warnings=0']);
step('format (prettier --check)', bin('prettier'), [
  '--check',
  '--log-level',
  'warn',
  'packages/**/*.{ts,js,mjs,cjs}',
  'scripts/**/*.{js,mjs,cjs}',
  '*.{js,mjs}',
]);
step('generated files are current', process.execPath, [join(root, 'scripts', 'codegen.mjs'), '--check']);

const filter = process.env.RELAYPOINT_TEST_SCOPE ? ['--scope', process.env.RELAYPOINT_TEST_SCOPE] : [];
step('package tests (lerna run test)', bin('lerna'), [
  'run',
  'test',
  '--concurrency',
  '1',
  '--no-bail',
  '--no-sort',
  '--skip-nx-cache',
  '--stream',
  ...filter,
]);

// The release check publishes to a throwaway registry and installs from it with empty caches: minutes, and the
// network for third-party packages. CI runs it (CI=true); elsewhere it is opt-in and counted as skipped.
let releaseCheck = 'skipped';
if (process.env.CI === 'true' || process.env.RELAYPOINT_RELEASE_CHECK === '1') {
  releaseCheck = step('release check (local registry, empty npm caches)', process.execPath, [join(root, 'scripts', 'release-check.mjs')])
    ? 'passed'
    : 'failed';
} else {
  process.stderr.write('\n[relaypoint] release check: skipped (runs in CI; set RELAYPOINT_RELEASE_CHECK=1 or run npm run release:check)\n');
}

let passed = 0,
  failed = 0,
  skipped = 0;
if (releaseCheck === 'passed') passed += 1;
if (releaseCheck === 'skipped') skipped += 1;
const pkgs = readdirSync(join(root, 'packages')).filter((d) => existsSync(join(root, 'packages', d, 'package.json')));
for (const d of pkgs) {
  const name = JSON.parse(readFileSync(join(root, 'packages', d, 'package.json'), 'utf8')).name;
  if (process.env.RELAYPOINT_TEST_SCOPE && !name.includes(process.env.RELAYPOINT_TEST_SCOPE.replace(/\*/g, ''))) continue;
  const f = join(statsDir, name.replace(/[@/]/g, '_') + '.json');
  if (!existsSync(f)) {
    process.stderr.write(`[relaypoint] ${name}: no test report (the run crashed before reporting) — counted as 1 failure\n`);
    failed += 1;
    continue;
  }
  const s = JSON.parse(readFileSync(f, 'utf8'));
  if (s.tests === 0) {
    process.stderr.write(`[relaypoint] ${name}: ran no tests — counted as 1 failure\n`);
    failed += 1;
    continue;
  }
  process.stderr.write(`[relaypoint] ${name}: ${s.passes} passed, ${s.failures} failed, ${s.pending} skipped\n`);
  passed += s.passes;
  failed += s.failures;
  skipped += s.pending;
}
for (const s of steps) if (!s.ok && s.name !== 'package tests (lerna run test)') failed += 1;
const bad = steps.filter((s) => !s.ok).map((s) => s.name);
if (bad.length) process.stderr.write(`[relaypoint] failed steps: ${bad.join(', ')}\n`);
const line = `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
writeFileSync(join(statsDir, 'summary.txt'), line + '\n');
console.log(line);
process.exit(failed === 0 && bad.length === 0 ? 0 : 1);
