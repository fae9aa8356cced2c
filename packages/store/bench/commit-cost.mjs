#!/usr/bin/env node
// What one commit costs the SQLite store (`npm run bench` in this package):
// back-to-back one-row transactions (a journal-like row with three
// indexes), each awaited, so every commit is its own WAL write and, with
// FULL, its own fdatasync. Prints the event loop's CPU, all threads' CPU and
// the wall time per commit for FULL and NORMAL (Linux: CPU times from /proc).
//   BENCH_COMMITS  commits per mode (default 3000)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteDatabase } from '../dist/src/index.js';

const N = Number(process.env.BENCH_COMMITS ?? 3000);
const dir = mkdtempSync(join(tmpdir(), 'relaypoint-commit-'));
const cpuMs = (file) => {
  const f = readFileSync(file, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
};
const loopMs = () => cpuMs(`/proc/self/task/${process.pid}/stat`);
const allMs = () => cpuMs('/proc/self/stat');

async function run(mode) {
  const db = SqliteDatabase.open(join(dir, `${mode}.db`), { synchronous: mode });
  await db.execute(`CREATE TABLE j (id TEXT PRIMARY KEY, tenant TEXT NOT NULL, reference TEXT NOT NULL, status TEXT NOT NULL,
    params TEXT NOT NULL, due BIGINT NOT NULL, created BIGINT NOT NULL, UNIQUE (tenant, reference))`);
  await db.execute('CREATE INDEX j_due ON j (status, due)');
  await db.execute('CREATE INDEX j_created ON j (tenant, created, id)');
  const params = JSON.stringify({
    productId: 'AIRTIME_5',
    customerId: 'cust-bench',
    phoneNumber: '+263771234567',
    amount: '5.00',
    currency: 'USD',
  });
  let i = 0;
  const one = (tx) => {
    const now = Date.now();
    i++;
    return tx.execute("INSERT INTO j (id, tenant, reference, status, params, due, created) VALUES ($1, 't', $2, 'in_flight', $3, $4, $4)", [
      `j_${now.toString(36)}${String(i).padStart(9, '0')}`,
      `ref-${String(i).padStart(9, '0')}`,
      params,
      now,
    ]);
  };
  for (let k = 0; k < 300; k++) await db.transaction(one); // warm-up
  const [l0, a0, t0] = [loopMs(), allMs(), performance.now()];
  for (let k = 0; k < N; k++) await db.transaction(one);
  const [l1, a1, t1] = [loopMs(), allMs(), performance.now()];
  await db.close();
  const us = (ms) => Math.round((ms * 1000) / N);
  console.log(
    JSON.stringify({
      synchronous: mode,
      commits: N,
      eventLoopCpuUsPerCommit: us(l1 - l0),
      allThreadsCpuUsPerCommit: us(a1 - a0),
      wallUsPerCommit: us(t1 - t0),
    }),
  );
}

try {
  await run('FULL');
  await run('NORMAL');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
