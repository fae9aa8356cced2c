#!/usr/bin/env node
// The baseline a team would write without Relaypoint: express receives the
// issue request and forwards it, signed, to the airtime API with axios; no
// journal, no retries, no reconciliation, no webhooks.
//   node passthrough.mjs PORT SIMULATOR_URL
import { createHmac } from 'node:crypto';
import axios from 'axios';
import express from 'express';

const [port, simUrl] = process.argv.slice(2);
const SECRET = 'sim-airtime-secret';
const client = axios.create({ baseURL: `${simUrl}/airtime`, timeout: 10_000 });

const app = express();
app.use(express.json());
app.post('/issue', async (req, res) => {
  const b = req.body;
  const body = JSON.stringify({ product_id: b.productId, phone_number: b.phoneNumber, amount: b.amount, reference: b.reference, customer_id: b.customerId, currency: b.currency });
  try {
    const r = await client.post('/issue', body, {
      headers: { 'content-type': 'application/json', 'x-api-key': 'sim-airtime-key', 'x-signature': createHmac('sha256', SECRET).update(body).digest('hex') },
    });
    res.status(201).json({ reference: b.reference, status: r.data.status, voucher: r.data.voucher_code, transactionId: r.data.transaction_id });
  } catch (e) {
    res.status(502).json({ error: e.message });
  }
});
app.listen(Number(port), '127.0.0.1', () => console.log(JSON.stringify({ msg: 'listening', url: `http://127.0.0.1:${port}` })));
// Exit normally on SIGTERM, so that a `--cpu-prof` profile is written.
process.on('SIGTERM', () => process.exit(0));
