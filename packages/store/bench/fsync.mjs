#!/usr/bin/env node
// What the disk under the SQLite store gives (`npm run bench` in this
// package): 4 KB write + fdatasync on the libuv thread pool, back to back,
// the way the store makes its WAL durable. Twice: alone, then with BUSY
// threads spinning (as the host, the simulator and the load generator do in
// the host bench on a 2-core machine), to tell the disk's own latency from
// waiting for a core. Prints one JSON line per mode.
//   BENCH_FSYNC_SECONDS  seconds per mode (default 8)
//   BENCH_FSYNC_BUSY     spinning threads in the second mode (default: the number of cores)
//   BENCH_FSYNC_DIR      where the scratch file goes (default: the OS temp dir)
import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

const SECONDS = Number(process.env.BENCH_FSYNC_SECONDS ?? 8);
const BUSY = Number(process.env.BENCH_FSYNC_BUSY ?? cpus().length);
const dir = mkdtempSync(join(process.env.BENCH_FSYNC_DIR ?? tmpdir(), 'relaypoint-fsync-'));

async function run(mode, busy) {
  const spinners = Array.from({ length: busy }, () => new Worker(`const end = Date.now() + ${SECONDS * 1000 + 500}; while (Date.now() < end);`, { eval: true }));
  const file = await open(join(dir, `${mode}.bin`), 'w+');
  // Overwrite a preallocated 4 MB region, as a WAL that starts over does.
  const region = 1024;
  await file.write(Buffer.alloc(region * 4096, 1), 0, region * 4096, 0);
  await file.datasync();
  const page = Buffer.alloc(4096, 7);
  const ms = [];
  const end = performance.now() + SECONDS * 1000;
  for (let i = 0; performance.now() < end; i++) {
    await file.write(page, 0, page.length, (i % region) * 4096);
    const t = performance.now();
    await file.datasync();
    ms.push(performance.now() - t);
  }
  await file.close();
  await Promise.all(spinners.map((w) => w.terminate()));
  ms.sort((a, b) => a - b);
  const q = (p) => Math.round(ms[Math.min(ms.length - 1, Math.floor(p * ms.length))] * 100) / 100;
  console.log(JSON.stringify({ mode, busyThreads: busy, syncs: ms.length, p50Ms: q(0.5), p99Ms: q(0.99), p999Ms: q(0.999), maxMs: Math.round(ms[ms.length - 1] * 10) / 10 }));
}

try {
  console.log(JSON.stringify({ machine: { nproc: cpus().length, node: process.version, loadavg: loadavg().map((x) => Math.round(x * 100) / 100), date: new Date().toISOString(), dir } }));
  await run('alone', 0);
  await run('cores busy', BUSY);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
