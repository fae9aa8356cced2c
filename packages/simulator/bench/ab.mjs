#!/usr/bin/env node
// A/B throughput of two builds of the simulator (`node bench/ab.mjs DIR_A DIR_B`,
// each a packages/simulator folder with its dist built): the signed POST
// /airtime/issue of bench.mjs, the same load tool and settings, runs
// alternating A, B, A, B… so both see the same machine load. Reports req/s and
// the simulator process's CPU time per request (what a request costs whatever
// else loads the machine), each run and the median ratio B/A.
//   AB_ROUNDS (default 3), BENCH_DURATION_S (default 10), BENCH_CONNECTIONS (default 64), AB_WARMUP_S (default 10)
import autocannon from 'autocannon';
import { spawn, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

const [dirA, dirB] = process.argv.slice(2).map((d) => resolve(d));
if (!dirA || !dirB) {
  console.error('usage: node bench/ab.mjs SIMULATOR_DIR_A SIMULATOR_DIR_B');
  process.exit(2);
}
const ROUNDS = Number(process.env.AB_ROUNDS ?? 3);
const DURATION = Number(process.env.BENCH_DURATION_S ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const WARMUP = Number(process.env.AB_WARMUP_S ?? 10);
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;
const sign = (b) => createHmac('sha256', 'sim-airtime-secret').update(b).digest('hex');
const bodyFor = (ref) =>
  `{"product_id":"DATA_200MB","phone_number":"+263771234567","amount":"5.00","reference":"${ref}","customer_id":"cust-0000042","currency":"USD"}`;
let seq = 0;
const requests = () => [
  {
    method: 'POST',
    path: '/airtime/issue',
    headers: { 'content-type': 'application/json', 'x-api-key': 'sim-airtime-key' },
    setupRequest: (req) => {
      const body = bodyFor(`bench-${String(++seq).padStart(10, '0')}`);
      return { ...req, body, headers: { ...req.headers, 'x-signature': sign(body) } };
    },
  },
];
const freePort = () =>
  new Promise((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
const cpuSeconds = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
};
const cannon = (url, duration) =>
  new Promise((ok, ko) => autocannon({ url, connections: CONNECTIONS, duration, requests: requests() }, (e, r) => (e ? ko(e) : ok(r))));

async function once(dir) {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [join(dir, 'dist', 'src', 'cli.js'), 'start', '--port', String(port), '--log-level', 'silent', '--ledger-size', '100000'],
    { stdio: 'inherit' },
  );
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`${base}/__sim/scenario`);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await fetch(`${base}/__sim/balances/airtime`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: '{"balance":"1000000000000.00"}',
  });
  try {
    await cannon(base, WARMUP);
    const cpu0 = cpuSeconds(child.pid);
    const r = await cannon(base, DURATION);
    const cpu = cpuSeconds(child.pid) - cpu0;
    return {
      reqPerSec: Math.round(r.requests.average),
      p99Ms: r.latency.p99,
      cpuUsPerReq: Math.round((cpu / r.requests.total) * 1e6 * 10) / 10,
      non2xx: r.non2xx,
      errors: r.errors,
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

const runs = [];
for (let i = 0; i < ROUNDS; i++) {
  for (const [label, dir] of [
    ['A', dirA],
    ['B', dirB],
  ]) {
    const r = await once(dir);
    runs.push({ round: i + 1, build: label, ...r });
    console.log(JSON.stringify(runs.at(-1)));
  }
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const of = (b, k) => runs.filter((r) => r.build === b).map((r) => r[k]);
console.log(
  JSON.stringify({
    A: dirA,
    B: dirB,
    medianReqPerSec: { A: median(of('A', 'reqPerSec')), B: median(of('B', 'reqPerSec')) },
    ratioReqPerSec: Math.round((median(of('B', 'reqPerSec')) / median(of('A', 'reqPerSec'))) * 1000) / 1000,
    medianCpuUsPerReq: { A: median(of('A', 'cpuUsPerReq')), B: median(of('B', 'cpuUsPerReq')) },
    ratioCpuPerReq: Math.round((median(of('B', 'cpuUsPerReq')) / median(of('A', 'cpuUsPerReq'))) * 1000) / 1000,
    loadavg: readFileSync('/proc/loadavg', 'utf8').trim(),
  }),
);
