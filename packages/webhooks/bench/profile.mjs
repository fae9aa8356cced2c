#!/usr/bin/env node
// Profiling run of the durable dispatch path alone (no baseline, no seeding
// cost in the profile): N deliveries (BENCH_SCALE × 100,000) seeded with
// set-based SQL into a fresh SQLite file, then drained to the bench receiver.
// Prints deliveries/s and the time spent per statement kind.
//
//   node --cpu-prof --cpu-prof-dir=/tmp/prof bench/profile.mjs
//   BENCH_SCALE=0.2 BENCH_SYNC=NORMAL node bench/profile.mjs
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'undici';
import { openDatabase } from '@relaypoint/store';
import { buildHeaders, createWebhookService, generateSecret } from '../dist/src/index.js';
import { seedPending } from './seedPending.mjs';

const N = Math.max(1000, Math.round(100_000 * Number(process.env.BENCH_SCALE ?? 0.2)));
const rx = spawn(process.execPath, [new URL('./receiver.mjs', import.meta.url).pathname], { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise((r) => rx.stdout.once('data', (d) => r(Number(String(d).trim()))));
const dir = mkdtempSync(join(tmpdir(), 'rp-prof-'));
const db = await openDatabase({
  driver: 'sqlite',
  path: join(dir, 'p.db'),
  synchronous: process.env.BENCH_SYNC ?? 'FULL',
  thread: process.env.BENCH_THREAD ?? 'worker',
});

const stats = new Map();
const timed = (target, name) => {
  const orig = target[name].bind(target);
  target[name] = async (...a) => {
    const t = performance.now();
    try {
      return await orig(...a);
    } finally {
      const k = `${name} ${String(a[0]).replace(/\s+/g, ' ').slice(0, 50)}`;
      const s = stats.get(k) ?? { n: 0, ms: 0 };
      s.n++;
      s.ms += performance.now() - t;
      stats.set(k, s);
    }
  };
};

let delivered = 0;
let latency = 0;
const svc = await createWebhookService({
  db,
  concurrency: 32,
  perSubscriptionConcurrency: 32,
  batchSize: 100,
  pollIntervalMs: 50,
  ssrf: { allow: ['127.0.0.0/8'] },
  metrics: {
    onDelivered: (ms) => {
      delivered++;
      latency += ms;
    },
  },
});
const sub = await svc.subscriptions.create('bench', { url: `http://127.0.0.1:${port}/hook`, events: ['*'] });
const now = Date.now();
const body = JSON.stringify({
  type: 'customer.enrolled',
  timestamp: new Date(now).toISOString(),
  data: { customerId: 'c0', enrolledAt: '2030-01-01T00:00:00.000Z' },
});
await seedPending(db, sub.id, N, body, now);
if (process.env.BENCH_BASELINE !== '0') {
  // The same POSTs with no store, for scale (the bench's baseline).
  const agent = new Agent({ connections: 32, keepAliveTimeout: 30_000, headersTimeout: 15_000, bodyTimeout: 15_000 });
  const secret = generateSecret();
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < N) {
        const i = next++;
        const headers = buildHeaders({
          msgId: `msg_${i}`,
          eventType: 'customer.enrolled',
          body,
          timestampSec: Math.floor(Date.now() / 1000),
          secret,
        });
        const res = await agent.request({ origin: `http://127.0.0.1:${port}`, path: '/hook', method: 'POST', headers, body });
        for await (const _ of res.body);
      }
    }),
  );
  console.log(`baseline: ${Math.round(N / ((performance.now() - t0) / 1000))}/s`);
  await agent.close();
}
for (const m of ['query', 'execute', 'transaction']) timed(db, m);
const t = performance.now();
svc.start();
while (delivered < N) await new Promise((r) => setTimeout(r, 10));
const s = (performance.now() - t) / 1000;
await svc.stop();
console.log(`${N} deliveries in ${s.toFixed(2)} s: ${Math.round(N / s)}/s, mean request latency ${(latency / N).toFixed(2)} ms`);
for (const [k, v] of [...stats].sort((a, b) => b[1].ms - a[1].ms).slice(0, 8))
  console.log(`  ${String(v.n).padStart(6)} × ${k}: ${Math.round(v.ms)} ms (${(v.ms / v.n).toFixed(2)} ms each)`);
rx.kill('SIGTERM');
await db.close();
rmSync(dir, { recursive: true, force: true });
