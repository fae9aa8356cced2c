import type { Route } from '../scenario/Route.js';

/**
 * Counts requests per route and reference, so a fault can target "attempt 1
 * of reference R". Bounded: past `limit` keys the oldest is forgotten.
 */
export class AttemptCounter {
  private readonly counts = new Map<string, number>();

  constructor(private readonly limit: number) {}

  /** The attempt number of this request (1 for the first request with this route and reference). */
  next(route: Route, reference: string): number {
    const key = `${route}\u0000${reference}`;
    const n = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, n);
    if (n === 1 && this.counts.size > this.limit) this.counts.delete(this.counts.keys().next().value as string);
    return n;
  }

  clear(): void {
    this.counts.clear();
  }
}
