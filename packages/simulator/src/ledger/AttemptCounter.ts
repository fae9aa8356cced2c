import type { Route } from '../scenario/Route.js';
import { EvictionRing } from './EvictionRing.js';

/**
 * Counts requests per route and reference, so a fault can target "attempt 1
 * of reference R". Bounded: past `limit` references on a route, that route's
 * oldest is forgotten.
 */
export class AttemptCounter {
  // One map per route keyed by the reference string itself: no `route + reference` key string per request.
  private readonly counts = new Map<Route, Map<string, number>>();
  private readonly order = new Map<Route, EvictionRing<string>>();

  constructor(private readonly limit: number) {}

  /** The attempt number of this request (1 for the first request with this route and reference). */
  next(route: Route, reference: string): number {
    let refs = this.counts.get(route);
    if (!refs) this.counts.set(route, (refs = new Map()));
    const n = (refs.get(reference) ?? 0) + 1;
    refs.set(reference, n);
    if (n === 1) {
      let ring = this.order.get(route);
      if (!ring) this.order.set(route, (ring = new EvictionRing(this.limit)));
      const old = ring.push(reference);
      if (old !== undefined) refs.delete(old);
    }
    return n;
  }

  clear(): void {
    this.counts.clear();
    this.order.clear();
  }
}
