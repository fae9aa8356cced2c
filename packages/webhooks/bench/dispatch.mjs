#!/usr/bin/env node
// Webhook dispatch benchmark (`npm run bench` in packages/webhooks).
//
// 1. Throughput: N deliveries (default 100,000) to a local keep-alive
//    node:http receiver running in a child process, durable on SQLite
//    (synchronous=FULL with the connection on a worker thread and on the
//    event loop; NORMAL on a worker thread) and on PostgreSQL (when
//    RELAYPOINT_TEST_PG_URL is set), against a baseline in the same run that
//    POSTs the same signed payloads with the same undici client settings,
//    connections and concurrency, and no store.
// 2. Memory: M pending deliveries (default 1,000,000) in SQLite; the
//    dispatcher's RSS is sampled every 250 ms while it drains for
//    RSS_SECONDS (default 60) or until empty.
//
// BENCH_SCALE shrinks both counts (0.1 → 10,000 and 100,000).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'undici';
import { openDatabase } from '@relaypoint/store';
import { createTempPostgresDatabase } from '@relaypoint/store/testing';
import { buildHeaders, createWebhookService, generateSecret } from '../dist/src/index.js';
import { seedPending } from './seedPending.mjs';

const scale = Number(process.env.BENCH_SCALE ?? 1);
const N = Math.max(1000, Math.round(100_000 * scale));
const M = Math.max(10_000, Math.round(1_000_000 * scale));
const RSS_SECONDS = Number(process.env.RSS_SECONDS ?? 60);
const CONCURRENCY = 32;
const options = {
  concurrency: CONCURRENCY,
  perSubscriptionConcurrency: CONCURRENCY,
  batchSize: 100,
  pollIntervalMs: 50,
  ssrf: { allow: ['127.0.0.0/8'] },
};

async function startReceiver() {
  const child = spawn(process.execPath, [new URL('./receiver.mjs', import.meta.url).pathname], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((r) => child.stdout.once('data', (d) => r(Number(String(d).trim()))));
  return { url: `http://127.0.0.1:${port}/hook`, port, stop: () => child.kill('SIGTERM') };
}

function body(i) {
  return JSON.stringify({
    type: 'customer.enrolled',
    timestamp: new Date().toISOString(),
    data: { customerId: `c${i}`, enrolledAt: '2030-01-01T00:00:00.000Z' },
  });
}

/** The same client settings as the dispatcher (an undici Agent, keep-alive, `connections` = concurrency), no store. */
async function baseline(url, n) {
  const agent = new Agent({ connections: CONCURRENCY, keepAliveTimeout: 30_000, headersTimeout: 15_000, bodyTimeout: 15_000 });
  const secret = generateSecret();
  const u = new URL(url);
  let next = 0;
  const t = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) {
        const i = next++;
        const b = body(i);
        const headers = buildHeaders({
          msgId: `msg_${i}`,
          eventType: 'customer.enrolled',
          body: b,
          timestampSec: Math.floor(Date.now() / 1000),
          secret,
        });
        const res = await agent.request({ origin: u.origin, path: u.pathname, method: 'POST', headers, body: b });
        for await (const _ of res.body);
        if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
      }
    }),
  );
  const s = (performance.now() - t) / 1000;
  await agent.close();
  return n / s;
}

async function seed(db, svc, url, n) {
  await svc.subscriptions.create('bench', { url, events: ['*'] });
  for (let i = 0; i < n; i += 1000) {
    await db.transaction(async (tx) => {
      for (let j = i; j < Math.min(n, i + 1000); j++)
        await svc.publishWith(tx, 'bench', {
          type: 'customer.enrolled',
          data: { customerId: `c${j}`, enrolledAt: '2030-01-01T00:00:00.000Z' },
        });
    });
  }
}

/**
 * `open(seeding)` gives the store to seed (`true`) and then the one to
 * dispatch from (`false`). With `reopen` the seeding connection is closed
 * first (SQLite seeds on the event loop, faster for one-by-one publishing,
 * and closing it checkpoints the WAL before the timed part starts).
 */
async function durable(name, open, url, n, reopen = false) {
  let delivered = 0;
  const seedDb = await open(true);
  await seed(seedDb, await createWebhookService({ db: seedDb, ...options }), url, n);
  if (reopen) await seedDb.close();
  const db = reopen ? await open(false) : seedDb;
  const svc = await createWebhookService({ db, ...options, metrics: { onDelivered: () => void delivered++ } });
  const t = performance.now();
  svc.start();
  while (delivered < n) await new Promise((r) => setTimeout(r, 20));
  const s = (performance.now() - t) / 1000;
  await svc.stop();
  const st = await svc.stats();
  if (st.pending || st.inFlight) throw new Error(`${name}: not all recorded: ${JSON.stringify(st)}`);
  await db.close();
  return n / s;
}

async function memory(url, m) {
  const dir = mkdtempSync(join(tmpdir(), 'rp-bench-'));
  const db = await openDatabase({ driver: 'sqlite', path: join(dir, 'rss.db'), synchronous: 'NORMAL', thread: 'worker' });
  let delivered = 0;
  const svc = await createWebhookService({ db, ...options, metrics: { onDelivered: () => void delivered++ } });
  const sub = await svc.subscriptions.create('bench', { url, events: ['*'] });
  await seedPending(db, sub.id, m, body(0));
  if (global.gc) global.gc();
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 250);
  const t = performance.now();
  svc.start();
  while (delivered < m && performance.now() - t < RSS_SECONDS * 1000) await new Promise((r) => setTimeout(r, 100));
  const s = (performance.now() - t) / 1000;
  clearInterval(timer);
  await svc.stop();
  await db.close();
  rmSync(dir, { recursive: true, force: true });
  return { pending: m, drained: delivered, seconds: s, rssBeforeMb: before / 2 ** 20, peakRssMb: peak / 2 ** 20 };
}

if (process.argv[2] === '--rss') {
  // Run alone in a fresh process so the figure is the dispatcher's, not earlier runs' garbage.
  const mem = await memory(process.argv[3], M);
  process.stdout.write(JSON.stringify(mem) + '\n');
  process.exit(0);
}

const rx = await startReceiver();
const results = {};
try {
  await baseline(rx.url, Math.min(N, 5000)); // warm up the receiver, JIT and connections
  const dir = mkdtempSync(join(tmpdir(), 'rp-bench-'));
  results.baseline = await baseline(rx.url, N);
  // thread 'worker': the connection on a worker thread (what a dispatcher process should use);
  // 'main': on the event loop, with only the fsyncs and checkpoints off it (the default, what the host uses).
  for (const [sync, thread] of [
    ['FULL', 'worker'],
    ['FULL', 'main'],
    ['NORMAL', 'worker'],
  ]) {
    const path = join(dir, `d-${sync}-${thread}.db`);
    const open = (seeding) => openDatabase({ driver: 'sqlite', path, synchronous: sync, thread: seeding ? 'main' : thread });
    results[`sqlite_${sync}_${thread}`] = await durable(`sqlite ${sync} ${thread}`, open, rx.url, N, true);
  }
  rmSync(dir, { recursive: true, force: true });
  if (process.env.RELAYPOINT_TEST_PG_URL) {
    const pg = await createTempPostgresDatabase();
    try {
      const db = await openDatabase({ driver: 'postgres', url: pg.url });
      results.postgres = await durable('postgres', async () => db, rx.url, N);
    } finally {
      await pg.drop();
    }
  }
  results.baseline_after = await baseline(rx.url, N);
  const base = (results.baseline + results.baseline_after) / 2;
  console.log(`\nwebhook dispatch, ${N.toLocaleString('en')} deliveries, concurrency ${CONCURRENCY}, receiver in a child process`);
  for (const [k, v] of Object.entries(results))
    console.log(
      `  ${k.padEnd(20)} ${Math.round(v).toLocaleString('en').padStart(8)} deliveries/s${k.startsWith('baseline') ? '' : `  (${(v / base).toFixed(2)}× baseline)`}`,
    );
  const child = spawn(process.execPath, ['--expose-gc', new URL(import.meta.url).pathname, '--rss', rx.url], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: process.env,
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  await new Promise((r) => child.on('exit', r));
  const mem = JSON.parse(out.trim().split('\n').pop());
  console.log(
    `\n${M.toLocaleString('en')} pending (SQLite): drained ${mem.drained.toLocaleString('en')} in ${mem.seconds.toFixed(0)} s; RSS before start ${mem.rssBeforeMb.toFixed(0)} MB, peak while draining ${mem.peakRssMb.toFixed(0)} MB (limit 250 MB)`,
  );
  if (mem.peakRssMb >= 250) process.exitCode = 1;
} finally {
  rx.stop();
}
