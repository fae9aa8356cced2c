import type { Route } from '../scenario/Route.js';
import type { JournalEntry } from './JournalEntry.js';
import { maskHeader } from './maskHeader.js';

/**
 * The hot path writes one of these per request and nothing more: headers stay
 * as Node's raw array and are copied and masked only when someone reads.
 */
export class JournalRecord {
  status: number | null = null;
  fault = 'none';
  reference: string | undefined = undefined;
  attempt: number | undefined = undefined;
  constructor(
    readonly seq: number,
    readonly time: number,
    readonly method: string,
    readonly path: string,
    readonly route: Route,
    readonly rawHeaders: string[],
    readonly body: unknown,
  ) {}

  toEntry(): JournalEntry {
    const headers: Record<string, string> = {};
    for (let i = 0; i + 1 < this.rawHeaders.length; i += 2) {
      const name = this.rawHeaders[i].toLowerCase();
      headers[name] = maskHeader(name, this.rawHeaders[i + 1]);
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
      ...(this.body !== undefined ? { body: this.body } : {}),
      fault: this.fault,
      status: this.status,
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

  constructor(readonly capacity: number) {
    this.ring = new Array<JournalRecord | undefined>(capacity);
  }

  record(method: string, path: string, route: Route, rawHeaders: string[], body: unknown): JournalRecord {
    const rec = new JournalRecord(++this.seq, this.origin + performance.now(), method, path, route, rawHeaders, body);
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
      out.push(rec.toEntry());
    }
    return out;
  }

  /** Forgets every entry; sequence numbers keep growing so entries are never confused across a clear. */
  clear(): void {
    this.ring.fill(undefined);
  }
}
