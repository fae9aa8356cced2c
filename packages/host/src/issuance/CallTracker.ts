import { setMaxListeners } from 'node:events';

/**
 * What one process knows about the work it is doing on the journal: the
 * promises a shutdown waits for, the rows whose provider call it is making
 * (their leases are renewed until the call is recorded), and the requests
 * waiting on rows it may change (woken as soon as a change is committed).
 */
export class CallTracker {
  /**
   * Aborted when shutdown gives up on the provider calls still in flight. One for every call, not one per
   * call: each AbortSignal Node makes survives the young-generation collections (see createResilientConnector).
   */
  private readonly shutdown = new AbortController();
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Issuances whose provider call this process is making, by id. */
  readonly calling = new Set<string>();
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor() {
    // Every provider call in flight listens on it; a busy host has far more than Node's default of 10.
    setMaxListeners(0, this.shutdown.signal);
  }

  /** The signal every provider call listens on. */
  get signal(): AbortSignal {
    return this.shutdown.signal;
  }

  /** Work a shutdown waits for. */
  get size(): number {
    return this.inFlight.size;
  }

  /** Registers `work` for {@link settled}; returns it. */
  track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    const done = () => this.inFlight.delete(work);
    work.then(done, done);
    return work;
  }

  /** Resolves when everything tracked now (and `extra`) has settled. */
  settled(extra: Array<Promise<unknown>> = []): Promise<unknown> {
    return Promise.allSettled([...this.inFlight, ...extra]);
  }

  /** Aborts every provider call still in flight (they are recorded `unknown` and reconciled). */
  abort(): void {
    this.shutdown.abort();
  }

  /** Runs a provider call for row `id`, its lease renewed meanwhile. */
  async calls<T>(id: string, call: () => Promise<T>): Promise<T> {
    this.calling.add(id);
    try {
      return await call();
    } finally {
      this.calling.delete(id);
    }
  }

  /** Resolves true when this process records a change of the row, or false after `ms`. */
  changeOf(id: string, ms: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      let set = this.waiters.get(id);
      if (!set) this.waiters.set(id, (set = new Set()));
      const waiting = set;
      const settle = (woken: boolean) => {
        clearTimeout(timer);
        waiting.delete(wake);
        if (waiting.size === 0 && this.waiters.get(id) === waiting) this.waiters.delete(id);
        resolve(woken);
      };
      const wake = () => settle(true);
      const timer = setTimeout(() => settle(false), ms);
      waiting.add(wake);
    });
  }

  /** Wakes the requests waiting on a row this process has just changed (committed). */
  changed(id: string): void {
    const set = this.waiters.get(id);
    if (set) for (const wake of [...set]) wake();
  }

  /** Wakes every waiting request (at shutdown: they answer with what the store holds). */
  wakeAll(): void {
    for (const set of [...this.waiters.values()]) for (const wake of [...set]) wake();
  }
}
