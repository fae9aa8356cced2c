import type { PreviousSecret } from '../store/rows.js';

/** The columns of a claimed `webhook_deliveries` row that sending needs. */
export interface ClaimedRow {
  id: string;
  subscription_id: string;
  event_key: string;
  event_type: string;
  attempts: number;
}

/** What sending needs of a subscription, as read at claim time. */
export interface SubscriptionSnapshot {
  id: string;
  url: string;
  secret: string;
  /** Rotated-out secrets, newest first, parsed once per claim (expired ones are skipped at signing). */
  previous: readonly PreviousSecret[];
  status: string;
  deleted_at: number | null;
}

/** A delivery this process holds under its lease: the row, the event body and the subscription as they were at claim time. */
export interface ClaimedDelivery {
  row: ClaimedRow;
  /** Undefined when the event is gone (never expected; recorded failed). */
  body: string | undefined;
  /** Undefined when the subscription row is gone. */
  subscription: SubscriptionSnapshot | undefined;
}
