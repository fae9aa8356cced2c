import type { SubscriptionSnapshot } from './ClaimedDelivery.js';

/** A subscription whose queued claims must go back to the store. */
export interface StaleSubscription {
  id: string;
  deleted: boolean;
}

type Current = Pick<SubscriptionSnapshot, 'url' | 'secret' | 'status' | 'deleted_at'>;

/**
 * The subscriptions whose claims queued here were read before a change made
 * elsewhere: deleted, disabled or paused, their URL or secret changed. A
 * status this process set itself (it paused or disabled the endpoint, see
 * `stoppedHere`) is not a change: those claims are held when their turn comes.
 *
 * @param queued per subscription id, the snapshots its queued claims were read with
 * @param current the same subscriptions as the store has them now (absent: gone)
 */
export function staleSubscriptions(
  queued: ReadonlyMap<string, readonly (SubscriptionSnapshot | undefined)[]>,
  current: ReadonlyMap<string, Current>,
  stoppedHere: ReadonlySet<string>,
): StaleSubscription[] {
  const stale: StaleSubscription[] = [];
  for (const [id, snapshots] of queued) {
    const now = current.get(id);
    const was = snapshots.filter((snapshot): snapshot is SubscriptionSnapshot => snapshot !== undefined && snapshot.deleted_at === null);
    if (!was.length) continue; // claimed for a subscription already gone: recorded failed when its turn comes
    if (!now || now.deleted_at !== null) {
      stale.push({ id, deleted: true });
      continue;
    }
    const ownStop = stoppedHere.has(id) && now.status !== 'active';
    if (
      was.some((snapshot) => snapshot.url !== now.url || snapshot.secret !== now.secret || (snapshot.status !== now.status && !ownStop))
    ) {
      stale.push({ id, deleted: false });
    }
  }
  return stale;
}
