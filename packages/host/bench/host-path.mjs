#!/usr/bin/env node
// Host path benchmark (`npm run bench`): airtime issuances per second and
// p50/p99 latency through the host (HTTP -> journal on SQLite -> plugin ->
// simulator), in the same run as
//   (a) a hand-written express + axios pass-through to the same simulator
//       (no journal, no retries, no webhooks: bench/passthrough.mjs),
//   (b) the same pass-through with the two durable writes the host must make
//       (the intent before the provider call, the result before the answer:
//       a SQLite file in WAL mode with synchronous=FULL, on the same disk;
//       bench/durablePassthrough.mjs), the fair anchor for the host's latency, and
//   (c) a bare client (autocannon itself) calling the simulator directly;
// then the host and the pass-through at half the host's peak rate, to read
// the p99 the host adds when it is not saturated. Half rate is measured twice:
// with autocannon's overallRate (each connection sends its per-second quota
// back to back, then idles until the next second: a burst at full speed every
// second), and with an evenly paced open-loop client (one request every
// 1/rate s, latency counted from the scheduled send time, so a stall is not
// hidden by requests that were never sent), the pass-through, a second copy
// of it and the host alternating in rounds so that noise on the shared machine
// falls on all four (the two plain copies' p99 difference is the run's noise floor);
// each host round also reports the WAL syncs and checkpoints that were slow
// (from the host's /metrics), so a round spoiled by the disk shows as such.
// Every request carries a unique reference. Simulator, host and pass-through
// each run in their own process; autocannon runs in this one.
//   BENCH_DURATION_S   seconds per measured run (default 10)
//   BENCH_CONNECTIONS  connections (default 32)
//   BENCH_PACED_ROUNDS alternating paced rounds of BENCH_DURATION_S / 2 s per target (default 6: each of the three
//                      targets starts two rounds)
//   BENCH_SQLITE_SYNC  the host's SQLite synchronous mode, FULL (default) or NORMAL
//   BENCH_SQLITE_PATH  the host's SQLite path (default: a file in the bench's temp folder); ":memory:" runs the host
//                      with no journal on disk at all, a diagnostic of what the file costs, not a configuration to use
//   BENCH_PACED_RATE   only the paced alternating rounds, at this rate (req/s), instead of at half the host's
//                      measured peak: no peak or burst runs, so no throughput ratios (for probing one load level)
//   BENCH_HOST_NODE_FLAGS  extra node flags for the host process, space-separated
//                      (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"; the profile is written on its graceful exit)
//   BENCH_PASSTHROUGH_NODE_FLAGS  the same for the pass-through process (to profile both alike)
//   BENCH_PASSTHROUGH2_BURN_US  CPU work (µs) the second pass-through adds per request on its event loop (default
//                      0: the A/A noise floor). With a dose, its p99 over the first reads what that much CPU per
//                      request costs in p99 on this machine, to set beside the host's (a dose-response probe)
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, realpathSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const pkgDir = join(here, '..');
const root = join(pkgDir, '..', '..');
const DURATION = Number(process.env.BENCH_DURATION_S ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const PACED_ROUNDS = Number(process.env.BENCH_PACED_ROUNDS ?? 6);
const SYNC = process.env.BENCH_SQLITE_SYNC ?? 'FULL';
const SQLITE_PATH = process.env.BENCH_SQLITE_PATH;
const HOST_NODE_FLAGS = (process.env.BENCH_HOST_NODE_FLAGS ?? '').split(' ').filter(Boolean);
const PASSTHROUGH_NODE_FLAGS = (process.env.BENCH_PASSTHROUGH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
const PACED_RATE = process.env.BENCH_PACED_RATE ? Number(process.env.BENCH_PACED_RATE) : undefined;
const BURN_US = Number(process.env.BENCH_PASSTHROUGH2_BURN_US ?? 0);
if (!(Number.isInteger(BURN_US) && BURN_US >= 0)) {
  console.error(`BENCH_PASSTHROUGH2_BURN_US must be an integer >= 0 (µs), got "${process.env.BENCH_PASSTHROUGH2_BURN_US}"`);
  process.exit(2);
}
if (PACED_RATE !== undefined && !(Number.isInteger(PACED_RATE) && PACED_RATE > 0)) {
  console.error(`BENCH_PACED_RATE must be a positive integer (req/s), got "${process.env.BENCH_PACED_RATE}"`);
  process.exit(2);
}
const KEY = 'bench-tenant-key-0123456789abcdef';
const SECRET = 'sim-airtime-secret';
const work = mkdtempSync(join(tmpdir(), 'relaypoint-host-bench-'));
const run = `${Date.now().toString(36)}`;

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

/** Spawns a process and resolves its URL from the JSON `listening` line it prints (`url` field). */
function startProcess(args, name) {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: work });
  return new Promise((resolve, reject) => {
    let buf = '';
    let found = false;
    const timer = setTimeout(() => reject(new Error(`${name} did not start`)), 60_000);
    const onData = (d) => {
      if (found) return; // keep draining (the host logs every request), never parse again
      buf += d;
      for (const line of buf.split('\n')) {
        if (!line.includes('listening"')) continue;
        try {
          const { url } = JSON.parse(line);
          found = true;
          clearTimeout(timer);
          resolve({ name, child, url });
          return;
        } catch {
          /* partial line */
        }
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => !found && reject(new Error(`${name} exited with ${code}`)));
  });
}

function stop(p) {
  return new Promise((resolve) => {
    if (p.child.exitCode !== null) return resolve();
    p.child.once('exit', () => resolve());
    p.child.kill('SIGTERM');
    setTimeout(() => p.child.kill('SIGKILL'), 10_000).unref();
  });
}

let seq = 0;
const nextRef = (prefix) => `${prefix}-${run}-${String(++seq).padStart(9, '0')}`;
const issueBody = (reference) =>
  JSON.stringify({
    connector: 'airtime',
    productId: 'AIRTIME_5',
    customerId: 'cust-bench',
    phoneNumber: '+263771234567',
    amount: '5.00',
    currency: 'USD',
    reference,
  });
const simBody = (reference) =>
  JSON.stringify({
    product_id: 'AIRTIME_5',
    phone_number: '+263771234567',
    amount: '5.00',
    reference,
    customer_id: 'cust-bench',
    currency: 'USD',
  });
const sign = (b) => createHmac('sha256', SECRET).update(b).digest('hex');

/** autocannon request specs with a fresh reference per request. */
const targets = {
  host: (prefix) => [
    {
      method: 'POST',
      path: '/v1/issuances',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
      setupRequest: (req) => ({ ...req, body: issueBody(nextRef(prefix)) }),
    },
  ],
  passthrough: (prefix) => [
    {
      method: 'POST',
      path: '/issue',
      headers: { 'content-type': 'application/json' },
      setupRequest: (req) => ({ ...req, body: issueBody(nextRef(prefix)) }),
    },
  ],
  durable: (prefix) => targets.passthrough(prefix),
  simulator: (prefix) => [
    {
      method: 'POST',
      path: '/airtime/issue',
      headers: { 'content-type': 'application/json', 'x-api-key': 'sim-airtime-key' },
      setupRequest: (req) => {
        const body = simBody(`bench:${nextRef(prefix)}`);
        return { ...req, body, headers: { ...req.headers, 'x-signature': sign(body) } };
      },
    },
  ],
};

function load(url, requests, { duration = DURATION, overallRate } = {}) {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections: CONNECTIONS, duration, requests, ...(overallRate ? { overallRate } : {}) }, (err, res) =>
      err ? reject(err) : resolve(res),
    );
  });
}

function summary(label, res, extra = {}) {
  const out = {
    target: label,
    reqPerSec: Math.round(res.requests.average),
    p50Ms: res.latency.p50,
    p99Ms: res.latency.p99,
    total: res.requests.total,
    non2xx: res.non2xx,
    errors: res.errors,
    timeouts: res.timeouts,
    ...extra,
  };
  console.log(JSON.stringify(out));
  return out;
}

/** An evenly paced open-loop run: `rate` requests per second for `duration` s over at most CONNECTIONS keep-alive sockets. */
function paced(url, spec, rate, duration) {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const { hostname, port } = new URL(url);
  const latencies = [];
  let non2xx = 0;
  let errors = 0;
  let outstanding = 0;
  const total = Math.round(rate * duration);
  const start = performance.now();
  let sent = 0;
  return new Promise((resolve) => {
    const finish = () => {
      agent.destroy();
      latencies.sort((a, b) => a - b);
      const q = (p) => quantile(latencies, p);
      resolve({
        requests: { average: Math.round((latencies.length * 1000) / (performance.now() - start)), total: latencies.length },
        latency: { p50: q(0.5), p99: q(0.99) },
        non2xx,
        errors,
        timeouts: 0,
        samples: latencies,
      });
    };
    const fire = (scheduled) => {
      const r = spec.setupRequest({ headers: spec.headers });
      outstanding++;
      const req = httpRequest(
        {
          agent,
          hostname,
          port,
          method: spec.method,
          path: spec.path,
          headers: { ...r.headers, 'content-length': Buffer.byteLength(r.body) },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode < 200 || res.statusCode > 299) non2xx++;
            else latencies.push(performance.now() - scheduled);
            if (--outstanding === 0 && sent === total) finish();
          });
        },
      );
      req.on('error', () => {
        errors++;
        if (--outstanding === 0 && sent === total) finish();
      });
      req.end(r.body);
    };
    const tick = () => {
      const now = performance.now();
      while (sent < total && start + (sent * 1000) / rate <= now) fire(start + (sent++ * 1000) / rate);
      if (sent < total) setTimeout(tick, 1);
    };
    tick();
  });
}

const quantile = (sorted, p) =>
  sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] * 10) / 10 : null;

/**
 * CPU time of a process so far, ms: its event-loop thread and all its
 * threads (libuv's pool, V8's helpers, workers), from /proc (Linux; null
 * elsewhere).
 */
function cpuMs(pid) {
  const ticks = (file) => {
    const f = readFileSync(file, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) * 10; // utime + stime, 100 ticks/s
  };
  try {
    return { loop: ticks(`/proc/${pid}/task/${pid}/stat`), all: ticks(`/proc/${pid}/stat`) };
  } catch {
    return null;
  }
}

/**
 * CPU time of each of a process' threads so far, ms, summed by thread name
 * (`node` is the event loop, and a worker thread's own loop; `libuv-worker`
 * the thread pool, where WAL syncs run; `V8 DefaultWorke` V8's GC and
 * compiler helpers), from /proc (Linux; null elsewhere).
 */
function threadCpuMs(pid) {
  try {
    const out = {};
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
        const f = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ');
        const key = tid === String(pid) ? 'event loop' : name;
        out[key] = (out[key] ?? 0) + (Number(f[11]) + Number(f[12])) * 10;
      } catch {
        // the thread ended between the listing and the read
      }
    }
    return out;
  } catch {
    return null;
  }
}
const threadDelta = (a, b) => (a && b ? Object.fromEntries(Object.keys(b).map((k) => [k, b[k] - (a[k] ?? 0)])) : null);

/**
 * The host's SQLite sync and checkpoint histograms (`GET /metrics`): per
 * histogram, how many were observed and how many took longer than 5, 25 and
 * 100 ms. Differences of two readings tell what the disk did during a round.
 */
async function storeTimings(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const read = (metric) => {
    const value = (suffix) => Number(new RegExp(`^${metric}${suffix} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
    const count = value('_count');
    return {
      count,
      over1ms: count - value('_bucket\\{le="0.001"\\}'),
      over2_5ms: count - value('_bucket\\{le="0.0025"\\}'),
      over5ms: count - value('_bucket\\{le="0.005"\\}'),
      over25ms: count - value('_bucket\\{le="0.025"\\}'),
      over100ms: count - value('_bucket\\{le="0.1"\\}'),
    };
  };
  return { sync: read('relaypoint_store_sync_seconds'), checkpoint: read('relaypoint_store_checkpoint_seconds') };
}
const timingDelta = (a, b) =>
  Object.fromEntries(Object.keys(b).map((k) => [k, Object.fromEntries(Object.keys(b[k]).map((f) => [f, b[k][f] - a[k][f]]))]));

/**
 * The targets (the pass-through, its second copy, the host), evenly paced at
 * `rate`, in PACED_ROUNDS alternating rounds of DURATION / 2 s each (after a
 * 2 s warm-up of each); each round starts with the next target. On this
 * shared machine a noisy neighbour or a slow disk flush lasting a few hundred
 * ms decides a single window's p99; alternating spreads such noise over all
 * targets, and the two identical pass-throughs show how much remains.
 * p50/p99 are over every round's requests together; the rounds' own p99s
 * are printed too, with each process' CPU per request and how busy its
 * event loop was (Linux).
 */
async function pacedAlternating(rate, targetsByKind) {
  await freshSimulator();
  const runs = Object.fromEntries(Object.keys(targetsByKind).map((k) => [k, []]));
  const disk = [];
  const specOf = (kind) => targets[kind === 'passthrough2' ? 'passthrough' : kind];
  for (const [kind, { url }] of Object.entries(targetsByKind)) await paced(url, specOf(kind)(`warm-${kind}`)[0], rate, 2);
  const cpu = Object.fromEntries(
    Object.keys(targetsByKind).map((k) => [k, { loop: 0, all: 0, measured: false, threads: {}, simulator: 0, bench: 0 }]),
  );
  const addTo = (sum, d) => {
    for (const [k, v] of Object.entries(d ?? {})) sum[k] = (sum[k] ?? 0) + v;
  };
  const order = Object.entries(targetsByKind);
  for (let round = 0; round < PACED_ROUNDS; round++) {
    // Each round starts with the next target, so no target always follows the same one.
    for (const [kind, { url, pid }] of [...order.slice(round % order.length), ...order.slice(0, round % order.length)]) {
      const timingsBefore = kind === 'host' ? await storeTimings(url) : undefined;
      const before = cpuMs(pid);
      const threadsBefore = threadCpuMs(pid);
      const othersBefore = [cpuMs(simPid), cpuMs(process.pid)];
      runs[kind].push(await paced(url, specOf(kind)(kind)[0], rate, DURATION / 2));
      const after = cpuMs(pid);
      const othersAfter = [cpuMs(simPid), cpuMs(process.pid)];
      addTo(cpu[kind].threads, threadDelta(threadsBefore, threadCpuMs(pid)));
      if (othersBefore.every(Boolean) && othersAfter.every(Boolean)) {
        cpu[kind].simulator += othersAfter[0].all - othersBefore[0].all;
        cpu[kind].bench += othersAfter[1].all - othersBefore[1].all;
      }
      if (timingsBefore) disk.push(timingDelta(timingsBefore, await storeTimings(url)));
      if (!before || !after) continue;
      cpu[kind].loop += after.loop - before.loop;
      cpu[kind].all += after.all - before.all;
      cpu[kind].measured = true;
    }
  }
  const out = {};
  for (const [kind, rs] of Object.entries(runs)) {
    const all = rs.flatMap((r) => r.samples).sort((a, b) => a - b);
    const seconds = (PACED_ROUNDS * DURATION) / 2;
    const merged = {
      requests: { average: Math.round(all.length / seconds), total: all.length },
      latency: { p50: quantile(all, 0.5), p99: quantile(all, 0.99) },
      non2xx: rs.reduce((n, r) => n + r.non2xx, 0),
      errors: rs.reduce((n, r) => n + r.errors, 0),
      timeouts: 0,
    };
    const copy = BURN_US
      ? `second pass-through, + ${BURN_US} µs of CPU per request (the dose)`
      : 'second pass-through (same code, own process: the noise floor)';
    const name = {
      host: 'host',
      passthrough: 'pass-through',
      passthrough2: copy,
      durable: 'durable pass-through (two SQLite FULL commits)',
    }[kind];
    const label = `${name} at ${rate} req/s (evenly paced, ${PACED_ROUNDS} alternating rounds)`;
    // How busy a process' event loop is decides how long requests queue behind one another.
    const { loop, all: allThreads, measured } = cpu[kind];
    const perRequestUs = (ms) => (measured ? Math.round((ms * 1000) / all.length) : null);
    out[kind] = summary(label, merged, {
      roundP99Ms: rs.map((r) => r.latency.p99),
      cpuUsPerRequest: { eventLoop: perRequestUs(loop), allThreads: perRequestUs(allThreads) },
      // Where the rest of the process' CPU went, by thread; and what the simulator and this process (the paced
      // client) spent per request meanwhile: the two cores are shared by all three.
      cpuUsPerRequestByThread: measured
        ? Object.fromEntries(Object.entries(cpu[kind].threads).map(([k, v]) => [k, perRequestUs(v)]))
        : null,
      othersCpuUsPerRequest: measured ? { simulator: perRequestUs(cpu[kind].simulator), client: perRequestUs(cpu[kind].bench) } : null,
      eventLoopBusy: measured ? Math.round(loop / (seconds * 10)) / 100 : null,
      // What the disk did in each host round: WAL syncs (every commit waits for one) over 1/2.5/5/25/100 ms, and checkpoints.
      // A sync's time runs from the call to its answer on the event loop, so it also counts waiting for a core.
      ...(kind === 'host'
        ? {
            roundWalSyncs: disk.map((d) => d.sync.count),
            roundWalSyncsOver1ms: disk.map((d) => d.sync.over1ms),
            roundWalSyncsOver2_5ms: disk.map((d) => d.sync.over2_5ms),
            roundWalSyncsOver5ms: disk.map((d) => d.sync.over5ms),
            roundWalSyncsOver25ms: disk.map((d) => d.sync.over25ms),
            roundWalSyncsOver100ms: disk.map((d) => d.sync.over100ms),
            roundCheckpointsOver100ms: disk.map((d) => d.checkpoint.over100ms),
          }
        : {}),
    });
  }
  return out;
}

let simUrl;
let simPid;
/**
 * A fresh ledger per run, and a balance no run exhausts: the default
 * 1,000,000.00 USD covers 200,000 issuances of 5.00, fewer than a fast
 * bare-client run (2 s warm-up + 8 s at 21,000/s) sends.
 */
async function freshSimulator() {
  const reset = await fetch(`${simUrl}/__sim/reset`, { method: 'POST' });
  if (reset.status !== 204) throw new Error(`simulator reset: ${reset.status}`);
  const balance = await fetch(`${simUrl}/__sim/balances/airtime`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ balance: '1000000000.00' }),
  });
  if (balance.status !== 200) throw new Error(`simulator balance: ${balance.status}`);
}
async function measure(label, url, kind, opts = {}) {
  await freshSimulator();
  await load(url, targets[kind](`warm-${kind}`), { duration: 2, ...(opts.overallRate ? { overallRate: opts.overallRate } : {}) });
  return summary(label, await load(url, targets[kind](kind), opts));
}

async function main() {
  // The simulator logs only its start line at info (requests are logged at debug).
  const sim = await startProcess(
    [
      join(root, 'packages', 'simulator', 'dist', 'src', 'cli.js'),
      'start',
      '--port',
      '0',
      '--log-level',
      'info',
      '--ledger-size',
      '100000',
    ],
    'simulator',
  );
  simUrl = sim.url;
  simPid = sim.child.pid;

  const config = {
    server: { host: '127.0.0.1', port: await freePort(), issuanceWaitMs: 5000 },
    storage: { driver: 'sqlite', path: SQLITE_PATH ?? join(work, 'host.db'), synchronous: SYNC },
    tenants: [{ id: 'bench', apiKeys: [KEY] }],
    connectors: [
      {
        name: 'airtime',
        plugin: realpathSync(join(root, 'node_modules', '@relaypoint', 'connector-airtime')),
        config: { baseUrl: `${sim.url}/airtime`, apiKey: 'sim-airtime-key', secret: SECRET },
      },
    ],
    logging: { level: 'info' },
  };
  const configFile = join(work, 'relaypoint.json');
  writeFileSync(configFile, JSON.stringify(config));
  const host = await startProcess([...HOST_NODE_FLAGS, join(pkgDir, 'dist', 'src', 'cli.js'), 'start', '--config', configFile], 'host');
  const ptPort = await freePort();
  const pt = await startProcess([...PASSTHROUGH_NODE_FLAGS, join(here, 'passthrough.mjs'), String(ptPort), sim.url], 'passthrough');
  // A second, identical pass-through in the paced rounds: the p99 difference between two copies of the same
  // code is what this machine's noise alone makes of the comparison at that moment (an A/A test).
  const pt2 = await startProcess(
    [...PASSTHROUGH_NODE_FLAGS, join(here, 'passthrough.mjs'), String(await freePort()), sim.url, String(BURN_US)],
    'passthrough2',
  );
  const durable = await startProcess(
    [...PASSTHROUGH_NODE_FLAGS, join(here, 'durablePassthrough.mjs'), String(await freePort()), sim.url, join(work, 'durable.db')],
    'durable',
  );
  const pacedTargets = {
    passthrough: { url: pt.url, pid: pt.child.pid },
    passthrough2: { url: pt2.url, pid: pt2.child.pid },
    durable: { url: durable.url, pid: durable.child.pid },
    host: { url: host.url, pid: host.child.pid },
  };
  const noiseFloor = (paced) => Math.round((paced.passthrough2.p99Ms - paced.passthrough.p99Ms) * 10) / 10;
  // With a dose the copy is no longer identical: its difference is what BURN_US µs of CPU per request adds.
  const floorKey = BURN_US ? 'p99AddedByBurnPacedMs' : 'p99NoiseFloorPacedMs';

  const machine = {
    nproc: cpus().length,
    node: process.version,
    loadavg: loadavg().map((x) => Math.round(x * 100) / 100),
    date: new Date().toISOString(),
    durationS: DURATION,
    connections: CONNECTIONS,
    sqliteSynchronous: SYNC,
    sqlitePath: SQLITE_PATH ?? 'file',
    passthrough2BurnUs: BURN_US,
  };
  console.log(JSON.stringify({ machine }));
  try {
    if (PACED_RATE !== undefined) {
      const pacedRuns = await pacedAlternating(PACED_RATE, pacedTargets);
      const { passthrough: ptPaced, host: hostPaced, durable: durablePaced } = pacedRuns;
      const added = {
        pacedRate: PACED_RATE,
        p99AddedOverDurablePacedMs: Math.round((hostPaced.p99Ms - durablePaced.p99Ms) * 10) / 10,
        p99AddedPacedMs: Math.round((hostPaced.p99Ms - ptPaced.p99Ms) * 10) / 10,
        [floorKey]: noiseFloor(pacedRuns),
        p50AddedPacedMs: Math.round((hostPaced.p50Ms - ptPaced.p50Ms) * 10) / 10,
        loadavgAtEnd: loadavg().map((x) => Math.round(x * 100) / 100),
      };
      console.log(JSON.stringify({ added }));
      if (Object.values(pacedRuns).some((r) => r.non2xx || r.errors || r.timeouts)) {
        console.log(JSON.stringify({ invalid: 'some paced requests had non-2xx answers, errors or timeouts' }));
        process.exitCode = 1;
      }
      return;
    }
    const direct = await measure('bare client -> simulator', sim.url, 'simulator');
    const passthrough = await measure('express+axios pass-through -> simulator', pt.url, 'passthrough');
    const durablePeak = await measure('durable pass-through (express+axios, two SQLite FULL commits) -> simulator', durable.url, 'durable');
    const hostPeak = await measure('host (HTTP -> journal -> plugin -> simulator)', host.url, 'host');
    const half = Math.max(1, Math.round(hostPeak.reqPerSec / 2));
    const ptHalf = await measure(`pass-through at ${half} req/s (autocannon overallRate: bursts)`, pt.url, 'passthrough', {
      overallRate: half,
    });
    const durableHalf = await measure(`durable pass-through at ${half} req/s (autocannon overallRate: bursts)`, durable.url, 'durable', {
      overallRate: half,
    });
    const hostHalf = await measure(`host at ${half} req/s (autocannon overallRate: bursts)`, host.url, 'host', { overallRate: half });
    // The copy has not run yet, while the others have been through their peak and burst runs: warm it alike.
    await load(pt2.url, targets.passthrough('warm-passthrough2'), { duration: 2 });
    const pacedRuns = await pacedAlternating(half, pacedTargets);
    const { passthrough: ptPaced, host: hostPaced, durable: durablePaced } = pacedRuns;
    const ratios = {
      hostVsPassthroughThroughput: Math.round((hostPeak.reqPerSec / passthrough.reqPerSec) * 100) / 100,
      hostVsDurablePassthroughThroughput: Math.round((hostPeak.reqPerSec / durablePeak.reqPerSec) * 100) / 100,
      // The latency target: what the host adds over a pass-through that makes the same two durable writes.
      p99AddedOverDurableAtHalfPeakPacedMs: Math.round((hostPaced.p99Ms - durablePaced.p99Ms) * 10) / 10,
      p99AddedOverDurableAtHalfPeakMs: hostHalf.p99Ms - durableHalf.p99Ms,
      // Information: the gap to the plain pass-through, which journals nothing.
      hostVsBareClientThroughput: Math.round((hostPeak.reqPerSec / direct.reqPerSec) * 100) / 100,
      p99AddedAtHalfPeakMs: hostHalf.p99Ms - ptHalf.p99Ms,
      p50AddedAtHalfPeakMs: hostHalf.p50Ms - ptHalf.p50Ms,
      p99AddedAtHalfPeakPacedMs: Math.round((hostPaced.p99Ms - ptPaced.p99Ms) * 10) / 10,
      p50AddedAtHalfPeakPacedMs: Math.round((hostPaced.p50Ms - ptPaced.p50Ms) * 10) / 10,
      // The same difference between the two identical pass-throughs: how much of the above this run's noise could make.
      [floorKey]: noiseFloor(pacedRuns),
      targets: { throughputRatioVsPassthrough: '>= 0.7', p99AddedOverDurableMs: '<= 2' },
      loadavgAtEnd: loadavg().map((x) => Math.round(x * 100) / 100),
    };
    console.log(JSON.stringify({ ratios }));
    // Every request is a fresh issuance that must succeed; figures with failures in them are not comparable.
    const failed = [direct, passthrough, durablePeak, hostPeak, ptHalf, durableHalf, hostHalf, ...Object.values(pacedRuns)].filter(
      (r) => r.non2xx || r.errors || r.timeouts,
    );
    if (failed.length > 0) {
      console.log(JSON.stringify({ invalid: 'some runs had non-2xx answers, errors or timeouts', runs: failed.map((r) => r.target) }));
      process.exitCode = 1;
    }
  } finally {
    await Promise.all([stop(pt), stop(pt2), stop(durable), stop(host)]);
    await stop(sim);
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
