import type { SendResult } from '../HttpSender.js';

/** What recording does with one claimed row (see `OutboxQueue.record`). */
export interface DispatchResult {
  id: string;
  subscriptionId: string;
  status: 'pending' | 'delivered' | 'failed';
  /** For a row going back to `pending`, only what this worker saw: recording holds it when its subscription is not active then. */
  held: 0 | 1;
  /** 1 when an attempt was made (counted, and last_status/last_error overwritten). */
  attempted: 0 | 1;
  nextAttemptAt: number;
  lastStatus: number | null;
  lastError: string | null;
  deliveredAt: number | null;
  /** The attempt made, for the attempt log and endpoint health. */
  attempt?: SendResult;
  /** The endpoint answered 410 Gone: endpoint health disables it. */
  gone?: boolean;
}

/** A claimed row handed back unsent, due `now` (`held` when its subscription is not active). */
export function releasedResult(id: string, subscriptionId: string, now: number, held: 0 | 1): DispatchResult {
  return {
    id,
    subscriptionId,
    status: 'pending',
    held,
    attempted: 0,
    nextAttemptAt: now,
    lastStatus: null,
    lastError: null,
    deliveredAt: null,
  };
}

/** A claimed row of a deleted subscription: kept, visibly finished, never sent. */
export function deletedResult(id: string, subscriptionId: string, now: number): DispatchResult {
  return { ...releasedResult(id, subscriptionId, now, 1), status: 'failed', lastError: 'subscription deleted' };
}
