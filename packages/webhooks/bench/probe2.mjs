import { spawn } from 'node:child_process';
import { openDatabase } from '@relaypoint/store';
import { createWebhookService } from '/work/main/packages/webhooks/dist/src/index.js';
const rx = spawn(process.execPath, ['/work/main/packages/webhooks/bench/receiver.mjs'], { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise(r => rx.stdout.once('data', d => r(Number(String(d).trim()))));
const N = Number(process.argv[2] ?? 5000);
const db = await openDatabase({ driver: 'sqlite', path: '/tmp/probe-' + Date.now() + '.db' });
const stats = new Map();
for (const m of ['query', 'execute', 'transaction']) {
  const orig = db[m].bind(db);
  db[m] = async (...a) => { const t = performance.now(); try { return await orig(...a); } finally { const k = m + ':' + String(a[0]).replace(/\s+/g, ' ').slice(0, 60); const s = stats.get(k) ?? { n: 0, ms: 0 }; s.n++; s.ms += performance.now() - t; stats.set(k, s); } };
}
let delivered = 0; let lat = 0;
const svc = await createWebhookService({ db, ssrf: { allow: ['127.0.0.0/8'] }, perSubscriptionConcurrency: 32, metrics: { onDelivered: (l) => { delivered++; lat += l; } } });
await svc.subscriptions.create('t1', { url: `http://127.0.0.1:${port}/x`, events: ['*'] });
for (let i = 0; i < N; i += 500) await db.transaction(async tx => { for (let j = i; j < i + 500 && j < N; j++) await svc.publishWith(tx, 't1', { type: 'customer.enrolled', data: { customerId: 'c' + j, enrolledAt: '2030-01-01T00:00:00Z' } }); });
stats.clear();
const t = Date.now();
svc.start();
while (delivered < N) await new Promise(r => setTimeout(r, 20));
const ms = Date.now() - t;
await svc.stop();
console.log('dispatch', N, ms, 'ms', Math.round(N / ms * 1000), '/s', 'avg latency', lat / N);
for (const [k, v] of [...stats].sort((a, b) => b[1].ms - a[1].ms).slice(0, 10)) console.log(v.n, Math.round(v.ms), k);
rx.kill('SIGTERM');
await db.close();
