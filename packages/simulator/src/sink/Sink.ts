import type { SinkVerifyReason } from './verifyStandardWebhook.js';

/** How a sink answers and verifies (`PUT /__sim/sink/:name`, `sinks.configure()`); merged into its current options. */
export interface SinkOptions {
  /** Standard Webhooks secret, `whsec_<base64>`. */
  secret?: string;
  /** Secret of the notes' `X-Signature` (hex HMAC-SHA256 of the body). */
  legacySecret?: string;
  /** Answer `status` to the next `count` deliveries (then back to normal). */
  failNext?: { status: number; count: number; retryAfterSeconds?: number };
  /** `ok` (default), `gone` (410 always), `hang` (never answers), `slow` (answers after `delayMs`). */
  mode?: 'ok' | 'gone' | 'hang' | 'slow';
  /** Delay of `slow`, in ms. Defaults to 2000. */
  delayMs?: number;
  /** Status of a normal answer. Defaults to 204. */
  status?: number;
}

/** One webhook delivery the sink received. */
export interface SinkDelivery {
  seq: number;
  /** ms epoch. */
  time: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** The body as received (UTF-8). */
  body: string;
  /** The body parsed, when it is JSON. */
  json?: unknown;
  /** Standard Webhooks signature valid and timestamp within ±5 min. */
  verified: boolean;
  reason?: SinkVerifyReason;
  /** Only when a legacySecret is set. */
  legacyVerified?: boolean;
  /** What the sink answered (null: it hung). */
  status: number | null;
}

/** A named webhook receiver: its options and what it received (bounded). */
export class Sink {
  options: SinkOptions = {};
  readonly deliveries: SinkDelivery[] = [];
  private seq = 0;

  constructor(
    readonly name: string,
    private readonly capacity: number,
  ) {}

  configure(options: SinkOptions): void {
    this.options = { ...this.options, ...options };
    if (options.failNext) this.options.failNext = { ...options.failNext };
  }

  add(d: Omit<SinkDelivery, 'seq'>): SinkDelivery {
    const delivery = { seq: ++this.seq, ...d };
    this.deliveries.push(delivery);
    if (this.deliveries.length > this.capacity) this.deliveries.shift();
    return delivery;
  }
}
