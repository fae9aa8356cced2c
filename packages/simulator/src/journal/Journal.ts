import type { Route } from '../scenario/Route.js';
import type { JournalEntry } from './JournalEntry.js';
import { maskHeader, SECRET_HEADERS } from './maskHeader.js';

/** Longest body the journal keeps, in bytes; a longer one is kept cut, as text. */
export const JOURNAL_BODY_LIMIT = 16 * 1024;

/**
 * The hot path writes one of these per request and nothing more. It stays
 * compact because the journal holds thousands: headers are one string
 * (`name\nvalue\n…`, masked only when read) and the body is its text,
 * parsed only when read.
 */
export class JournalRecord {
  status: number | null = null;
  /** ms from the request's first byte to the end of the answer; null until {@link answered} (and for good when never answered). */
  latencyMs: number | null = null;
  fault = 'none';
  reference: string | undefined = undefined;
  attempt: number | undefined = undefined;
  constructor(
    readonly seq: number,
    readonly time: number,
    readonly method: string,
    readonly path: string,
    readonly route: Route,
    /** Raw header names and values joined by `\n` (neither can hold a newline). */
    private readonly headerText: string,
    /** The body as received (utf8), cut at {@link JOURNAL_BODY_LIMIT}; undefined when there was none. */
    private readonly bodyText: string | undefined,
    private readonly bodyCut: boolean,
  ) {}

  /** The answer's end was written with `status`: records it and the latency since the first byte ({@link time}). */
  answered(status: number): void {
    this.status = status;
    this.latencyMs = performance.timeOrigin + performance.now() - this.time;
  }

  toEntry(secretHeaders: ReadonlySet<string> = SECRET_HEADERS): JournalEntry {
    const headers: Record<string, string> = {};
    const raw = this.headerText === '' ? [] : this.headerText.split('\n');
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i].toLowerCase();
      headers[name] = maskHeader(name, raw[i + 1], secretHeaders);
    }
    let body: unknown = this.bodyText;
    if (this.bodyText !== undefined && !this.bodyCut) {
      try {
        body = JSON.parse(this.bodyText);
      } catch {
        // Not JSON: the entry shows the text as sent.
      }
    }
    return {
      seq: this.seq,
      time: this.time,
      method: this.method,
      path: this.path,
      route: this.route,
      ...(this.reference !== undefined ? { reference: this.reference } : {}),
      ...(this.attempt !== undefined ? { attempt: this.attempt } : {}),
      headers,
      ...(body !== undefined ? { body } : {}),
      ...(this.bodyCut ? { bodyTruncated: true } : {}),
      fault: this.fault,
      status: this.status,
      latencyMs: this.latencyMs === null ? null : Math.round(this.latencyMs * 10) / 10,
    };
  }
}

/** Filter of {@link Journal.entries}. */
export interface JournalFilter {
  /** Matches the path without its query string, or the full path and query. */
  path?: string;
  reference?: string;
  route?: Route;
}

/** The request journal: a ring buffer of the last `capacity` requests. */
export class Journal {
  private readonly ring: (JournalRecord | undefined)[];
  private seq = 0;
  private readonly origin = performance.timeOrigin;

  private secretHeaders: ReadonlySet<string> = SECRET_HEADERS;

  /** Also masks these headers (the credential headers a model's authentication reads). */
  maskHeaders(names: readonly string[]): void {
    this.secretHeaders = new Set([...this.secretHeaders, ...names.map((n) => n.toLowerCase())]);
  }

  constructor(readonly capacity: number) {
    this.ring = new Array<JournalRecord | undefined>(capacity);
  }

  /**
   * Records a request. `body` is its bytes or its text (`raw` kept as sent,
   * up to {@link JOURNAL_BODY_LIMIT}); pass `text` when the caller already
   * decoded the bytes, so they are not decoded twice. `startedAt` is the
   * `performance.now()` reading at the request's first byte (defaults to
   * now): the entry's `time`, and where its latency counts from.
   */
  record(
    method: string,
    path: string,
    route: Route,
    rawHeaders: string[],
    raw: Buffer | undefined,
    text?: string,
    startedAt: number = performance.now(),
  ): JournalRecord {
    let bodyText: string | undefined;
    let cut = false;
    if (raw !== undefined && raw.length > 0) {
      cut = raw.length > JOURNAL_BODY_LIMIT;
      // A cut body is decoded afresh from its first bytes: a slice of the whole text would keep the whole text alive.
      bodyText = cut ? raw.toString('utf8', 0, JOURNAL_BODY_LIMIT) : (text ?? raw.toString('utf8'));
    }
    const rec = new JournalRecord(++this.seq, this.origin + startedAt, method, path, route, rawHeaders.join('\n'), bodyText, cut);
    if (this.capacity > 0) this.ring[this.seq % this.capacity] = rec;
    return rec;
  }

  /** Entries oldest first. */
  entries(filter: JournalFilter = {}): JournalEntry[] {
    const out: JournalEntry[] = [];
    const first = Math.max(1, this.seq - this.capacity + 1);
    for (let s = first; s <= this.seq; s++) {
      const rec = this.ring[s % this.capacity];
      if (!rec || rec.seq !== s) continue;
      if (filter.route !== undefined && rec.route !== filter.route) continue;
      if (filter.reference !== undefined && rec.reference !== filter.reference) continue;
      if (filter.path !== undefined && rec.path !== filter.path && rec.path.split('?')[0] !== filter.path) continue;
      out.push(rec.toEntry(this.secretHeaders));
    }
    return out;
  }

  /** Forgets every entry; sequence numbers keep growing so entries are never confused across a clear. */
  clear(): void {
    this.ring.fill(undefined);
  }
}
