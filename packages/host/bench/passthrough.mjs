#!/usr/bin/env node
// The baseline a team would write without Relaypoint: express receives the
// issue request and forwards it, signed, to the airtime API with axios; no
// journal, no retries, no reconciliation, no webhooks.
//   node passthrough.mjs PORT SIMULATOR_URL [BURN_US]
// BURN_US (default 0): CPU work added per request on the event loop, half
// before the forward and half after the answer, as the host's journal writes
// fall before and after the provider call. A calibrated amount of work, not a
// wall-clock wait, so a process that waits for a core does not burn less: the
// bench uses it to read how much p99 a given cost per request adds here.
import { createHmac } from 'node:crypto';
import axios from 'axios';
import express from 'express';

const [port, simUrl, burnArg = '0'] = process.argv.slice(2);
const BURN_US = Number(burnArg);
if (!(Number.isFinite(BURN_US) && BURN_US >= 0)) throw new Error(`BURN_US must be a number >= 0, got "${burnArg}"`);

let sink = 0;
/** Spins `n` rounds of integer work; the result is kept so the loop is not optimised away. */
function spin(n) {
  let x = sink;
  for (let i = 0; i < n; i++) x = (x * 1103515245 + 12345) | 0;
  sink = x;
}
/** Rounds of `spin` per µs of CPU: the fastest of several timed tries, which is the one no other process interrupted. */
function calibrate() {
  const n = 200_000;
  spin(n * 5); // let the JIT optimise it first
  let best = Infinity;
  for (let t = 0; t < 15; t++) {
    const start = process.hrtime.bigint();
    spin(n);
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1000);
  }
  return n / best;
}
const burnRounds = BURN_US > 0 ? Math.round((calibrate() * BURN_US) / 2) : 0;
const burn = () => {
  if (burnRounds) spin(burnRounds);
};
const SECRET = 'sim-airtime-secret';
const client = axios.create({ baseURL: `${simUrl}/airtime`, timeout: 10_000 });

const app = express();
app.use(express.json());
app.post('/issue', async (req, res) => {
  const b = req.body;
  burn();
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
    burn();
    res
      .status(201)
      .json({ reference: b.reference, status: r.data.status, voucher: r.data.voucher_code, transactionId: r.data.transaction_id });
  } catch (e) {
    res.status(502).json({ error: e.message });
  }
});
app.listen(Number(port), '127.0.0.1', () =>
  console.log(JSON.stringify({ msg: 'listening', url: `http://127.0.0.1:${port}`, burnUs: BURN_US, burnRounds })),
);
// Exit normally on SIGTERM, so that a `--cpu-prof` profile is written.
process.on('SIGTERM', () => process.exit(0));
