#!/usr/bin/env node
// Simulator benchmark (`npm run bench`): a signed POST /airtime/issue against
// the simulator, mountebank 2.9.1 and WireMock 3.13.2 (static stubs), with
// the same load tool (autocannon), connections, duration and body; then a
// memory run of 1,000,000 requests against the simulator, sampling RSS.
// Each server runs in its own process so its RSS is its own.
//   BENCH_DURATION_S   seconds per target (default 10)
//   BENCH_CONNECTIONS  connections (default 64)
//   BENCH_MEMORY_REQUESTS  requests of each memory run (default 1000000; 0 skips them)
//   BENCH_THROUGHPUT   0 skips the throughput comparison (memory runs only)
//   BENCH_WARMUP_MIN_S / BENCH_WARMUP_MAX_S  warm-up per target: at least MIN, then 2 s rounds while the rate climbs, at most MAX (default 20 / 40)
//   BENCH_WIREMOCK_FLAGS  WireMock flags (default '--disable-request-logging')
//   BENCH_MEMORY_RUNS  comma-separated subset of the memory runs: ledger-size, semispace4, capped, unbounded (default all)
import autocannon from 'autocannon';
import { spawn, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const DURATION = Number(process.env.BENCH_DURATION_S ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const MEMORY_REQUESTS = Number(process.env.BENCH_MEMORY_REQUESTS ?? 1_000_000);
const THROUGHPUT = process.env.BENCH_THROUGHPUT !== '0';
const WARMUP_MIN_S = Number(process.env.BENCH_WARMUP_MIN_S ?? 20);
const WARMUP_MAX_S = Number(process.env.BENCH_WARMUP_MAX_S ?? 40);
// The load-testing setting (a bounded ledger) and the default (unbounded: every reference is kept, so RSS grows with the run).
// A third run shows what a smaller V8 young generation (a node flag, e.g. through NODE_OPTIONS) saves.
const MEMORY_RUNS = [
  { label: 'ledger-size 10000', args: ['--ledger-size', '10000'] },
  {
    label: 'semispace4 ledger-size 10000, node --max-semi-space-size=4',
    args: ['--ledger-size', '10000'],
    nodeFlags: ['--max-semi-space-size=4'],
  },
  // The soak setting the docs recommend: a bounded ledger plus a V8 heap cap, so major GCs run before RSS climbs.
  {
    label: 'capped ledger-size 10000, node --max-semi-space-size=4 --max-old-space-size=64',
    args: ['--ledger-size', '10000'],
    nodeFlags: ['--max-semi-space-size=4', '--max-old-space-size=64'],
  },
  { label: 'unbounded ledger (default)', args: [] },
].filter((r) => !process.env.BENCH_MEMORY_RUNS || process.env.BENCH_MEMORY_RUNS.split(',').includes(r.label.split(' ')[0]));
const SECRET = 'sim-airtime-secret';
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;
const work = mkdtempSync(join(tmpdir(), 'relaypoint-bench-'));

// 147 bytes with a 16-character reference.
const bodyFor = (ref) =>
  `{"product_id":"DATA_200MB","phone_number":"+263771234567","amount":"5.00","reference":"${ref}","customer_id":"cust-0000042","currency":"USD"}`;
const sign = (b) => createHmac('sha256', SECRET).update(b).digest('hex');
const STUB_ANSWER =
  '{"voucher_code":"1014057126746842","transaction_id":"AT4D586B2639EC6DC5","status":"success","message":"Voucher issued"}';

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A process and its descendants (mountebank's bin may fork; kept general). */
function treePids(pid) {
  const out = [];
  const visit = (p) => {
    out.push(p);
    try {
      for (const t of readdirSync(`/proc/${p}/task`)) {
        for (const c of readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').split(' ').filter(Boolean)) visit(Number(c));
      }
    } catch {
      /* the process is gone */
    }
  };
  visit(pid);
  return out;
}

/** RSS in bytes of a process and its descendants. */
function treeRss(pid) {
  let total = 0;
  for (const p of treePids(pid)) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      if (m) total += Number(m[1]) * 1024;
    } catch {
      /* gone */
    }
  }
  return total;
}

/** CPU seconds (user + system) a process and its descendants have used: what a target costs, whatever else loads the machine. */
function treeCpuSeconds(pid) {
  let ticks = 0;
  for (const p of treePids(pid)) {
    try {
      // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
      const f = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ');
      ticks += Number(f[11]) + Number(f[12]);
    } catch {
      /* gone */
    }
  }
  return ticks / CLK_TCK;
}

function sampler(pid, everyMs = 250) {
  const samples = [];
  const t0 = Date.now();
  const timer = setInterval(() => samples.push({ t: (Date.now() - t0) / 1000, rss: treeRss(pid) }), everyMs);
  return { stop: () => (clearInterval(timer), samples), samples };
}

async function waitFor(url, init) {
  for (let i = 0; i < 600; i++) {
    try {
      const r = await fetch(url, init);
      if (r.status < 500) return;
    } catch {
      /* not up yet */
    }
    await sleep(100);
  }
  throw new Error(`${url} did not come up`);
}

function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      child.kill('SIGTERM');
    }
    setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, 5000).unref();
  });
}

async function startSimulatorProcess(extra = [], nodeFlags = []) {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [...nodeFlags, join(here, '..', 'dist', 'src', 'cli.js'), 'start', '--port', String(port), '--log-level', 'silent', ...extra],
    { stdio: 'inherit', detached: true },
  );
  await waitFor(`http://127.0.0.1:${port}/__sim/scenario`);
  // The default balance (1,000,000.00) covers 200,000 issues of 5.00; past that every answer would be a cheaper 402.
  const r = await fetch(`http://127.0.0.1:${port}/__sim/balances/airtime`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: '{"balance":"1000000000000.00"}',
  });
  if (r.status !== 200) throw new Error(`cannot set the balance: ${r.status}`);
  return { name: 'simulator', child, base: `http://127.0.0.1:${port}` };
}

async function startMountebank() {
  const adminPort = await freePort();
  const port = await freePort();
  const child = spawn(
    join(root, 'node_modules', '.bin', 'mb'),
    ['--port', String(adminPort), '--pidfile', join(work, 'mb.pid'), '--logfile', join(work, 'mb.log')],
    { stdio: 'ignore', detached: true, cwd: work },
  );
  await waitFor(`http://127.0.0.1:${adminPort}/imposters`);
  const r = await fetch(`http://127.0.0.1:${adminPort}/imposters`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      port,
      protocol: 'http',
      stubs: [
        {
          predicates: [{ equals: { method: 'POST', path: '/airtime/issue' } }],
          responses: [{ is: { statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: STUB_ANSWER } }],
        },
      ],
    }),
  });
  if (r.status !== 201) throw new Error(`mountebank imposter: ${r.status} ${await r.text()}`);
  return { name: 'mountebank', child, base: `http://127.0.0.1:${port}` };
}

// WireMock from the npm package's own jar, run by java directly: the npm bin
// (npm-java-runner) only adds a node process piping java's output. The
// request journal stays on and unbounded (WireMock's default): bounding it
// (--max-request-journal-entries) makes WireMock 3.13 count the whole journal
// on every request (AbstractRequestJournal.removeOldEntries streams every
// key), which is its own pathology, not a fair setting. --disable-request-logging
// is WireMock's documented setting for performance testing (it stops
// formatting every request and response for the notifier, like the
// simulator's silent log level).
const WIREMOCK_JAR = (() => {
  const dir = join(root, 'node_modules', 'wiremock', 'build');
  const jar = readdirSync(dir).find((f) => f.endsWith('.jar'));
  return jar ? join(dir, jar) : undefined;
})();
const WIREMOCK_FLAGS = (process.env.BENCH_WIREMOCK_FLAGS ?? '--disable-request-logging').split(' ').filter(Boolean);

async function startWiremock() {
  const port = await freePort();
  if (!WIREMOCK_JAR) throw new Error('node_modules/wiremock/build/*.jar not found');
  const child = spawn('java', ['-jar', WIREMOCK_JAR, '--port', String(port), '--disable-banner', '--root-dir', work, ...WIREMOCK_FLAGS], {
    stdio: 'ignore',
    detached: true,
    cwd: work,
  });
  await waitFor(`http://127.0.0.1:${port}/__admin/mappings`);
  const r = await fetch(`http://127.0.0.1:${port}/__admin/mappings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      request: { method: 'POST', url: '/airtime/issue' },
      response: { status: 200, headers: { 'Content-Type': 'application/json' }, body: STUB_ANSWER },
    }),
  });
  if (r.status !== 201) throw new Error(`wiremock mapping: ${r.status} ${await r.text()}`);
  return { name: 'wiremock', child, base: `http://127.0.0.1:${port}`, journal: `http://127.0.0.1:${port}/__admin/requests?limit=1` };
}

let seq = 0;
function requestsSpec(fixed) {
  const fixedBody = bodyFor('bench-fixed-0001');
  const fixedSig = sign(fixedBody);
  return [
    {
      method: 'POST',
      path: '/airtime/issue',
      headers: { 'content-type': 'application/json', 'x-api-key': 'sim-airtime-key', 'x-signature': fixedSig },
      body: fixedBody,
      ...(fixed
        ? {}
        : {
            // A unique reference per request, re-signed: what a real client sends.
            setupRequest: (req) => {
              const body = bodyFor(`bench-${String(++seq).padStart(10, '0')}`);
              return { ...req, body, headers: { ...req.headers, 'x-signature': sign(body) } };
            },
          }),
    },
  ];
}

function load(base, { fixed = false, amount } = {}) {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: base,
        connections: CONNECTIONS,
        ...(amount ? { amount } : { duration: DURATION }),
        requests: requestsSpec(fixed),
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
  });
}

async function run(startFn, label, opts = {}) {
  const target = await startFn();
  try {
    // Warm-up, not counted, the same rule for every target: at least WARMUP_MIN_S, then 2 s rounds
    // while the rate still climbs by 10 % or more, at most WARMUP_MAX_S. WireMock's JVM needs tens of
    // seconds of traffic to compile its hot path when the cores are shared: after a fixed 2 s it
    // was still mostly interpreted (hundreds of req/s instead of thousands).
    let best = 0;
    let warm = 0;
    while (warm < WARMUP_MAX_S) {
      const w = await new Promise((resolve, reject) => {
        autocannon({ url: target.base, connections: CONNECTIONS, duration: 2, requests: requestsSpec(opts.fixed) }, (e, r) =>
          e ? reject(e) : resolve(r),
        );
      });
      warm += 2;
      const rate = w.requests.average;
      const climbing = rate >= best * 1.1;
      best = Math.max(best, rate);
      if (warm >= WARMUP_MIN_S && !climbing) break;
    }
    const cpu0 = treeCpuSeconds(target.child.pid);
    const load1 = loadavg()[0];
    const s = sampler(target.child.pid);
    const res = await load(target.base, opts);
    const samples = s.stop();
    const cpu = treeCpuSeconds(target.child.pid) - cpu0;
    const peak = Math.max(treeRss(target.child.pid), ...samples.map((x) => x.rss));
    const journalled = target.journal ? (await (await fetch(target.journal)).json()).meta?.total : undefined;
    const out = {
      target: label,
      reqPerSec: Math.round(res.requests.average),
      p99Ms: res.latency.p99,
      p50Ms: res.latency.p50,
      non2xx: res.non2xx,
      errors: res.errors,
      timeouts: res.timeouts,
      total: res.requests.total,
      peakRssMB: Math.round(peak / 1048576),
      // Server CPU per 1,000 answers: comparable across runs even when other work shares the cores.
      cpuMsPer1k: res.requests.total ? Math.round((cpu * 1e6) / res.requests.total) : null,
      warmupS: warm,
      loadavg1: +load1.toFixed(2),
      ...(journalled !== undefined ? { journalEntries: journalled } : {}),
    };
    console.log(JSON.stringify(out));
    return out;
  } finally {
    await stop(target.child);
  }
}

async function memoryRun(extra, label, nodeFlags = []) {
  const target = await startSimulatorProcess(extra, nodeFlags);
  try {
    const s = sampler(target.child.pid, 1000);
    const t0 = Date.now();
    const res = await load(target.base, { amount: MEMORY_REQUESTS });
    const samples = s.stop();
    const rss = samples.map((x) => Math.round(x.rss / 1048576));
    const at = (f) => rss[Math.min(rss.length - 1, Math.floor(rss.length * f))];
    const secondHalf = rss.slice(Math.floor(rss.length / 2)).sort((a, b) => a - b);
    const out = {
      run: label,
      requests: res.requests.total,
      reqPerSec: Math.round(res.requests.average),
      seconds: (Date.now() - t0) / 1000,
      non2xx: res.non2xx,
      errors: res.errors,
      rssMB: {
        first: rss[0],
        at10: at(0.1),
        at25: at(0.25),
        at50: at(0.5),
        at75: at(0.75),
        last: rss[rss.length - 1],
        peak: Math.max(...rss),
        // What a long run settles at: the median and the 95th percentile of the second half's samples.
        steadyMedian: secondHalf[Math.floor(secondHalf.length / 2)],
        steadyP95: secondHalf[Math.floor(secondHalf.length * 0.95)],
      },
      curve: rss,
    };
    console.log(JSON.stringify({ ...out, curve: undefined }));
    return out;
  } finally {
    await stop(target.child);
  }
}

const machine = {
  nproc: cpus().length,
  node: process.version,
  date: new Date().toISOString(),
  java: String(spawnSync('java', ['-version'], { encoding: 'utf8' }).stderr ?? '').split('\n')[0],
  loadavg: loadavg(),
};
console.log(
  JSON.stringify({ machine, durationS: DURATION, connections: CONNECTIONS, bodyBytes: Buffer.byteLength(bodyFor('bench-0000000001')) }),
);

const results = { machine, durationS: DURATION, connections: CONNECTIONS, signed: [], fixed: [], memory: [] };
if (THROUGHPUT) {
  results.signed.push(await run(() => startSimulatorProcess(), 'simulator'));
  results.signed.push(await run(startMountebank, 'mountebank'));
  results.signed.push(await run(startWiremock, 'wiremock'));
  // The load-testing setting the docs recommend: a bounded ledger keeps RSS flat and full GCs short.
  results.signed.push(await run(() => startSimulatorProcess(['--ledger-size', '100000']), 'simulator (--ledger-size 100000)'));
  // Same body every time: shows what per-request signing costs the load tool. The simulator then answers 409 DUPLICATE_REFERENCE after the first request.
  results.fixed.push(await run(() => startSimulatorProcess(), 'simulator (fixed body: 409 after the first)', { fixed: true }));
  results.fixed.push(await run(startWiremock, 'wiremock (fixed body)', { fixed: true }));
  const [sim, mb, wm, simBounded] = results.signed;
  results.ratios = {
    vsWiremock: +(sim.reqPerSec / wm.reqPerSec).toFixed(2),
    vsMountebank: +(sim.reqPerSec / mb.reqPerSec).toFixed(2),
    boundedLedgerVsWiremock: +(simBounded.reqPerSec / wm.reqPerSec).toFixed(2),
    boundedLedgerVsMountebank: +(simBounded.reqPerSec / mb.reqPerSec).toFixed(2),
  };
  console.log(JSON.stringify({ ratios: results.ratios }));
}
for (const run of MEMORY_RUNS) {
  if (MEMORY_REQUESTS > 0) results.memory.push(await memoryRun(run.args, run.label, run.nodeFlags));
}
mkdirSync(join(root, 'bench-results'), { recursive: true });
writeFileSync(join(root, 'bench-results', 'simulator.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log(`results written to bench-results/simulator.json`);
