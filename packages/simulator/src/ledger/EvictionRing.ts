/**
 * A fixed-capacity FIFO for "forget the oldest" bookkeeping: `push` returns
 * the item it pushed out once full, in O(1). Evicting through a Map's first
 * key instead costs O(deleted entries) per call in V8 (deleted slots stay in
 * the table until it is rehashed): measured 27 µs against 0.5 µs per insert
 * at 100,000 entries. With an infinite capacity nothing is stored.
 */
export class EvictionRing<T> {
  private readonly items: T[] = [];
  private head = 0;

  constructor(private readonly capacity: number) {}

  /** Remembers `item`; returns the oldest item when it had to be forgotten to make room. */
  push(item: T): T | undefined {
    if (!Number.isFinite(this.capacity)) return undefined;
    if (this.items.length < this.capacity) {
      this.items.push(item);
      return undefined;
    }
    const out = this.items[this.head];
    this.items[this.head] = item;
    this.head = (this.head + 1) % this.capacity;
    return out;
  }

  clear(): void {
    this.items.length = 0;
    this.head = 0;
  }
}
