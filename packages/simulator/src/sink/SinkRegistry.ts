import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConfigError, ErrorCodes, validateAgainstSchema } from '@relaypoint/core';
import type { SimulatorState } from '../SimulatorState.js';
import { validationSchema } from '../validation/validationSchema.js';
import { Sink, type SinkDelivery, type SinkOptions } from './Sink.js';
import { sinkOptionsSchema } from './sinkOptionsSchema.js';

const sinkSchema = validationSchema(sinkOptionsSchema);
import { verifyLegacySignature, verifyStandardWebhook } from './verifyStandardWebhook.js';

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** The webhook receiver sinks, by name. */
export class SinkRegistry {
  private readonly sinks = new Map<string, Sink>();

  constructor(
    private readonly state: SimulatorState,
    private readonly capacity: number,
  ) {}

  private get(name: string): Sink {
    let sink = this.sinks.get(name);
    if (!sink) {
      sink = new Sink(name, this.capacity);
      this.sinks.set(name, sink);
    }
    return sink;
  }

  /**
   * Merges `options` into the sink's. Checked against the sink options'
   * schema first, for the library call as for `PUT /__sim/sink/:name`: a
   * `ConfigError` lists `path: message` lines, and nothing changes.
   */
  configure(name: string, options: SinkOptions): void {
    const invalid = validateAgainstSchema(sinkSchema, options ?? {});
    if (invalid.length) throw new ConfigError(ErrorCodes.CONFIG_INVALID, invalid);
    this.get(name).configure(options);
  }

  deliveries(name: string): SinkDelivery[] {
    return [...(this.sinks.get(name)?.deliveries ?? [])];
  }

  options(name: string): SinkOptions {
    return { ...(this.sinks.get(name)?.options ?? {}) };
  }

  /** Forgets one sink, or all of them. */
  clear(name?: string): void {
    if (name === undefined) this.sinks.clear();
    else this.sinks.delete(name);
  }

  /** Records a delivery, verifies it, and answers as the sink's options say. */
  receive(name: string, req: IncomingMessage, res: ServerResponse, raw: Buffer): void {
    const sink = this.get(name);
    const opts = sink.options;
    const now = Date.now();
    const text = raw.toString('utf8');
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    const check = verifyStandardWebhook(
      opts.secret,
      {
        id: first(req.headers['webhook-id']),
        timestamp: first(req.headers['webhook-timestamp']),
        signature: first(req.headers['webhook-signature']),
      },
      raw,
      now,
    );
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    const rec = this.state.journal.record(
      req.method ?? 'POST',
      (req as { originalUrl?: string }).originalUrl ?? req.url ?? '',
      'sink',
      req.rawHeaders,
      raw,
      text,
    );
    const delivery = sink.add({
      time: now,
      headers,
      body: text,
      ...(json !== undefined ? { json } : {}),
      verified: check.verified,
      ...(check.verified ? {} : { reason: check.reason }),
      ...(opts.legacySecret ? { legacyVerified: verifyLegacySignature(opts.legacySecret, first(req.headers['x-signature']), raw) } : {}),
      status: null,
    });
    const answer = (status: number, extra: Record<string, string> = {}): void => {
      delivery.status = status;
      const body = JSON.stringify({ received: delivery.seq, verified: delivery.verified });
      res.writeHead(status, { 'content-type': 'application/json', ...extra });
      res.end(status === 204 ? undefined : body);
      rec.answered(status);
    };
    if (opts.failNext && opts.failNext.count > 0) {
      opts.failNext.count -= 1;
      rec.fault = 'sink-fail';
      answer(
        opts.failNext.status,
        opts.failNext.retryAfterSeconds !== undefined ? { 'retry-after': String(opts.failNext.retryAfterSeconds) } : {},
      );
      return;
    }
    switch (opts.mode ?? 'ok') {
      case 'gone':
        rec.fault = 'sink-gone';
        answer(410);
        return;
      case 'hang': {
        rec.fault = 'hang';
        const cancel = (): void => {
          this.state.parked.delete(cancel);
          req.socket.destroy();
        };
        this.state.parked.add(cancel);
        res.once('close', () => this.state.parked.delete(cancel));
        return;
      }
      case 'slow':
        rec.fault = 'latency';
        this.state.park(opts.delayMs ?? 2000, req.socket, () => answer(opts.status ?? 204), res);
        return;
      default:
        answer(opts.status ?? 204);
    }
  }
}
