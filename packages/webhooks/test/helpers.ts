import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Database } from '@relaypoint/store';
import { createWebhookService, type WebhookService, type WebhookServiceOptions } from '../src/index.js';

/** One request a {@link Receiver} saw. */
export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  path: string;
  at: number;
}

/** What a receiver answers: status, headers, body; or 'hang' / 'reset'; or 'drip' (200 at once, then one body byte every 50 ms, never ending). */
export type Answer = { status: number; headers?: Record<string, string>; body?: string; delayMs?: number } | 'hang' | 'reset' | 'drip';

/** A local webhook receiver (node:http on 127.0.0.1:0) that records every request. */
export interface Receiver {
  url: string;
  port: number;
  received: Received[];
  /** Decides each answer; defaults to 200 "ok". */
  answer: (r: Received) => Answer;
  close(): Promise<void>;
}

export async function startReceiver(answer: (r: Received) => Answer = () => ({ status: 200, body: 'ok' })): Promise<Receiver> {
  const received: Received[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const rx: Receiver = { url: '', port: 0, received, answer, close: async () => {} };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), path: req.url ?? '/', at: Date.now() };
      received.push(r);
      const a = rx.answer(r);
      if (a === 'hang') return;
      if (a === 'reset') {
        req.socket.resetAndDestroy();
        return;
      }
      if (a === 'drip') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        const timer = setInterval(() => res.write('.'), 50);
        res.on('close', () => clearInterval(timer));
        return;
      }
      const send = () => {
        res.writeHead(a.status, { 'content-type': 'text/plain', ...(a.headers ?? {}) });
        res.end(a.body ?? '');
      };
      if (a.delayMs) setTimeout(send, a.delayMs);
      else send();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  rx.port = (server.address() as AddressInfo).port;
  rx.url = `http://127.0.0.1:${rx.port}`;
  rx.close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  };
  return rx;
}

/** Polls `cond` every 10 ms until it holds; fails after `timeoutMs`. */
export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A clock tests move by hand. */
export class ManualClock {
  constructor(public t = Date.UTC(2030, 0, 1)) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

/** Options every test service shares: local receivers allowed, fast polling. */
export const testOptions = {
  ssrf: { allow: ['127.0.0.0/8', '::1/128'] },
  pollIntervalMs: 10,
  jitter: 0,
} satisfies Partial<WebhookServiceOptions>;

export async function makeService(db: Database, extra: Partial<WebhookServiceOptions> = {}): Promise<WebhookService> {
  return createWebhookService({ db, ...testOptions, ...extra, ssrf: { ...testOptions.ssrf, ...extra.ssrf } });
}

export function enrolled(customerId = 'c1'): { type: string; data: unknown } {
  return { type: 'customer.enrolled', data: { customerId, enrolledAt: '2030-01-01T00:00:00Z' } };
}
