#!/usr/bin/env node
// Makes a fresh clone runnable: installs dependencies when node_modules is
// missing or older than the manifests, then builds (tsc -b is incremental, so
// an up-to-date tree costs a second). Uses only Node built-ins: it runs
// before anything is installed.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stampFile = join(root, 'node_modules', '.relaypoint-install-stamp');

function manifestsHash() {
  const h = createHash('sha256');
  for (const f of ['package.json', 'package-lock.json']) {
    const p = join(root, f);
    if (existsSync(p)) h.update(readFileSync(p));
  }
  for (const d of readdirSync(join(root, 'packages')).sort()) {
    const p = join(root, 'packages', d, 'package.json');
    if (existsSync(p)) h.update(readFileSync(p));
  }
  return h.digest('hex');
}

function run(cmd, args, what) {
  const t = Date.now();
  process.stderr.write(`[relaypoint] ${what}…\n`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, NX_DAEMON: 'false' } });
  if (r.status !== 0) {
    process.stderr.write(`[relaypoint] ${what} failed (exit ${r.status ?? r.signal})\n`);
    process.exit(r.status || 1);
  }
  process.stderr.write(`[relaypoint] ${what}: done in ${((Date.now() - t) / 1000).toFixed(1)} s\n`);
}

const want = manifestsHash();
const have = existsSync(stampFile) ? readFileSync(stampFile, 'utf8').trim() : '';
if (want !== have) {
  const useCi = existsSync(join(root, 'package-lock.json')) && !existsSync(join(root, 'node_modules'));
  run(
    'npm',
    [useCi ? 'ci' : 'install', '--no-audit', '--no-fund'],
    useCi
      ? 'installing dependencies (npm ci; the first run builds better-sqlite3, about a minute)'
      : 'installing dependencies (manifests changed)',
  );
  writeFileSync(stampFile, manifestsHash() + '\n');
}
run(
  process.execPath,
  [
    join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
    '-b',
    ...readdirSync(join(root, 'packages'))
      .sort()
      .map((d) => join('packages', d, 'tsconfig.json'))
      .filter((p) => existsSync(join(root, p))),
  ],
  'building (tsc -b)',
);
