#!/usr/bin/env node
// The fair anchor for a host that must journal an intent durably before the
// provider call and the result before the answer: the express + axios
// pass-through of passthrough.mjs, plus the same two durable writes a team
// would add by hand: a SQLite file (better-sqlite3, WAL, synchronous=FULL)
// with one commit of the intent before the forward and one of the result
// after it. No retries, no reconciliation, no webhooks.
//   node durablePassthrough.mjs PORT SIMULATOR_URL SQLITE_PATH
import { createHmac, randomBytes } from 'node:crypto';
import axios from 'axios';
import Database from 'better-sqlite3';
import express from 'express';

const [port, simUrl, path] = process.argv.slice(2);
if (!port || !simUrl || !path) throw new Error('usage: durablePassthrough.mjs PORT SIMULATOR_URL SQLITE_PATH');
const SECRET = 'sim-airtime-secret';
const client = axios.create({ baseURL: `${simUrl}/airtime`, timeout: 10_000 });

const db = new Database(path);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec(`CREATE TABLE IF NOT EXISTS issuances (
  id TEXT PRIMARY KEY, reference TEXT NOT NULL UNIQUE, params TEXT NOT NULL, status TEXT NOT NULL,
  transaction_id TEXT, result TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)`);
const insertIntent = db.prepare(
  `INSERT INTO issuances (id, reference, params, status, created_at, updated_at) VALUES (?, ?, ?, 'in_flight', ?, ?)`,
);
const recordResult = db.prepare(`UPDATE issuances SET status = ?, transaction_id = ?, result = ?, updated_at = ? WHERE id = ?`);

const app = express();
app.use(express.json());
app.post('/issue', async (req, res) => {
  const b = req.body;
  const id = `iss_${randomBytes(8).toString('hex')}`;
  const now = Date.now();
  try {
    // Commit 1: the intent, durable before anything leaves.
    insertIntent.run(id, b.reference, JSON.stringify(b), now, now);
  } catch (e) {
    res.status(409).json({ error: e.message });
    return;
  }
  const body = JSON.stringify({
    product_id: b.productId,
    phone_number: b.phoneNumber,
    amount: b.amount,
    reference: b.reference,
    customer_id: b.customerId,
    currency: b.currency,
  });
  try {
    const r = await client.post('/issue', body, {
      headers: {
        'content-type': 'application/json',
        'x-api-key': 'sim-airtime-key',
        'x-signature': createHmac('sha256', SECRET).update(body).digest('hex'),
      },
    });
    // Commit 2: the result, durable before the answer.
    recordResult.run(
      r.data.status === 'success' ? 'succeeded' : String(r.data.status),
      r.data.transaction_id ?? null,
      JSON.stringify(r.data),
      Date.now(),
      id,
    );
    res
      .status(201)
      .json({ reference: b.reference, status: r.data.status, voucher: r.data.voucher_code, transactionId: r.data.transaction_id });
  } catch (e) {
    recordResult.run('unknown', null, null, Date.now(), id);
    res.status(502).json({ error: e.message });
  }
});
app.listen(Number(port), '127.0.0.1', () => console.log(JSON.stringify({ msg: 'listening', url: `http://127.0.0.1:${port}`, path })));
process.on('SIGTERM', () => {
  db.close();
  process.exit(0);
});
