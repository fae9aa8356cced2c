#!/usr/bin/env node
// `npm run bench`: every package's `bench` script (simulator vs WireMock and
// mountebank, webhook dispatch vs a store-less baseline, host path vs a
// pass-through), one at a time so they do not compete for the 2 cores.
// Results go to stdout and are summarised by hand in docs/benchmarks.md.
import { spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const scope = process.argv[2] ? ['--scope', process.argv[2]] : [];
const r = spawnSync(
  join(root, 'node_modules', '.bin', 'lerna'),
  ['run', 'bench', '--concurrency', '1', '--stream', '--skip-nx-cache', ...scope],
  {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NX_DAEMON: 'false' },
  },
);
process.exit(r.status ?? 1);
