#!/usr/bin/env node
// What the disk under the SQLite store gives (`npm run bench` in this
// package): 4 KB write + fdatasync on the libuv thread pool, back to back,
// the way the store makes its WAL durable. Three times: alone; with BUSY
// threads spinning (as the host, the simulator and the load generator do in
// the host bench on a 2-core machine), to tell the disk's own latency from
// waiting for a core; and with a checkpoint-like writer on a worker thread
// (BULK_MB appended to a second file and fsynced, every 200 ms, as the
// store's checkpoints copy WAL pages into the database file), to tell whether
// that write-back delays the small syncs every commit waits for. Prints one
// JSON line per mode, with the syncs over 25 ms and over 100 ms.
//   BENCH_FSYNC_SECONDS  seconds per mode (default 8)
//   BENCH_FSYNC_BUSY     spinning threads in the second mode (default: the number of cores)
//   BENCH_FSYNC_BULK_MB  MB the third mode's writer appends every 200 ms (default 4)
//   BENCH_FSYNC_DIR      where the scratch file goes (default: the OS temp dir)
import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

const SECONDS = Number(process.env.BENCH_FSYNC_SECONDS ?? 8);
const BUSY = Number(process.env.BENCH_FSYNC_BUSY ?? cpus().length);
const BULK_MB = Number(process.env.BENCH_FSYNC_BULK_MB ?? 4);
const dir = mkdtempSync(join(process.env.BENCH_FSYNC_DIR ?? tmpdir(), 'relaypoint-fsync-'));

/** A worker thread that appends `mb` MB to `path` and fsyncs it every 200 ms until told to stop, counting its writes. */
function bulkWriter(path, mb) {
  const source = `
    const { openSync, writeSync, fsyncSync, closeSync } = require('node:fs');
    const { parentPort, workerData } = require('node:worker_threads');
    const fd = openSync(workerData.path, 'w');
    const chunk = Buffer.alloc(1024 * 1024, 3);
    let stop = false, offset = 0, rounds = 0, slowest = 0;
    parentPort.on('message', () => (stop = true));
    const tick = () => {
      if (stop) { closeSync(fd); parentPort.postMessage({ rounds, slowestMs: Math.round(slowest) }); return; }
      const t = performance.now();
      for (let i = 0; i < workerData.mb; i++, offset += chunk.length) writeSync(fd, chunk, 0, chunk.length, offset);
      fsyncSync(fd);
      slowest = Math.max(slowest, performance.now() - t);
      rounds++;
      setTimeout(tick, 200);
    };
    tick();`;
  const worker = new Worker(source, { eval: true, workerData: { path, mb } });
  return {
    stop: () =>
      new Promise((resolve) => {
        worker.once('message', (m) => worker.terminate().then(() => resolve(m)));
        worker.postMessage('stop');
      }),
  };
}

async function run(mode, busy, bulkMb = 0) {
  const spinners = Array.from(
    { length: busy },
    () => new Worker(`const end = Date.now() + ${SECONDS * 1000 + 500}; while (Date.now() < end);`, { eval: true }),
  );
  const bulk = bulkMb > 0 ? bulkWriter(join(dir, `${mode}-bulk.bin`), bulkMb) : undefined;
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
  const bulkDone = bulk ? await bulk.stop() : undefined;
  await Promise.all(spinners.map((w) => w.terminate()));
  const over = (limit) => ms.filter((x) => x > limit).length;
  ms.sort((a, b) => a - b);
  const q = (p) => Math.round(ms[Math.min(ms.length - 1, Math.floor(p * ms.length))] * 100) / 100;
  console.log(
    JSON.stringify({
      mode,
      busyThreads: busy,
      ...(bulkDone ? { bulkMbPer200ms: bulkMb, bulkRounds: bulkDone.rounds, bulkSlowestMs: bulkDone.slowestMs } : {}),
      syncs: ms.length,
      p50Ms: q(0.5),
      p99Ms: q(0.99),
      p999Ms: q(0.999),
      maxMs: Math.round(ms[ms.length - 1] * 10) / 10,
      over25ms: over(25),
      over100ms: over(100),
    }),
  );
}

try {
  console.log(
    JSON.stringify({
      machine: {
        nproc: cpus().length,
        node: process.version,
        loadavg: loadavg().map((x) => Math.round(x * 100) / 100),
        date: new Date().toISOString(),
        dir,
      },
    }),
  );
  await run('alone', 0);
  await run('cores busy', BUSY);
  await run('checkpoint-like writer', 0, BULK_MB);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
