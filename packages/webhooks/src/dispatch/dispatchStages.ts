import type { Logger } from '@relaypoint/core';
import type { SendResult } from '../HttpSender.js';
import { buildHeaders } from '../signing.js';
import type { ErrorKind, WebhookMetrics } from '../types.js';
import type { ClaimedDelivery } from './ClaimedDelivery.js';
import { deletedResult, releasedResult, type DispatchResult } from './DispatchResult.js';
import { nextAttempt, type RetryPolicy } from './nextAttempt.js';

/*
 * One delivery's way through this process, as stages:
 * prepare (sign, or hand back unsent) → send (HttpSender) → completed
 * (successful | failed) → handle (the row's next state, by `nextAttempt`).
 */

const NO_SECRETS: readonly string[] = Object.freeze([]);

/** A claimed delivery ready to send, or handed back without a request. */
export type PreparedDispatch =
  { kind: 'send'; url: string; headers: Record<string, string>; body: string } | { kind: 'skip'; result: DispatchResult };

/**
 * Signs a claimed delivery with the subscription as it was at claim time. A
 * deleted subscription's delivery is recorded failed; one whose subscription
 * is not active (or that this process has just paused or disabled) goes back
 * to the queue, held.
 */
export function prepareDispatch(claimed: ClaimedDelivery, now: number, stoppedHere: ReadonlySet<string>): PreparedDispatch {
  const { row, subscription, body } = claimed;
  if (!subscription || subscription.deleted_at !== null || body === undefined) {
    return { kind: 'skip', result: deletedResult(row.id, row.subscription_id, now) };
  }
  if (subscription.status !== 'active' || stoppedHere.has(subscription.id)) {
    return { kind: 'skip', result: releasedResult(row.id, row.subscription_id, now, 1) };
  }
  const previousSecrets = subscription.previous.length
    ? subscription.previous.filter((p) => p.expiresAt > now).map((p) => p.secret)
    : NO_SECRETS;
  const headers = buildHeaders({
    msgId: row.id,
    eventType: row.event_type,
    body,
    timestampSec: Math.floor(now / 1000),
    secret: subscription.secret,
    previousSecrets,
  });
  return { kind: 'send', url: subscription.url, headers, body };
}

/** An attempt's answer: a 2xx, or anything else. */
export type CompletedDispatch = { kind: 'successful'; answer: SendResult } | { kind: 'failed'; answer: SendResult };

/** Sorts an attempt's answer into {@link CompletedDispatch}. */
export function completeDispatch(answer: SendResult): CompletedDispatch {
  return answer.errorKind ? { kind: 'failed', answer } : { kind: 'successful', answer };
}

/** Where attempts are reported. Hooks must not throw; one that does is ignored. */
export interface DispatchObserver {
  metrics?: WebhookMetrics;
  logger?: Logger;
}

/** Turns a completed attempt into the row's next state: delivered, due again later, disabled (410) or failed. */
export function handleCompleted(
  claimed: ClaimedDelivery,
  completed: CompletedDispatch,
  now: number,
  policy: RetryPolicy,
  observer: DispatchObserver,
): DispatchResult {
  const { row } = claimed;
  const { answer } = completed;
  const metrics = observer.metrics;
  notify(
    metrics?.onAttempt,
    metrics,
    answer.errorKind && answer.errorKind !== 'http_status' ? answer.errorKind : (answer.statusCode ?? 0),
    answer.latencyMs,
  );
  const base = {
    id: row.id,
    subscriptionId: row.subscription_id,
    attempted: 1 as const,
    lastStatus: answer.statusCode ?? null,
    attempt: answer,
  };
  if (completed.kind === 'successful') {
    notify(metrics?.onDelivered, metrics, answer.latencyMs);
    return { ...base, status: 'delivered', held: 0, nextAttemptAt: now, lastError: null, deliveredAt: answer.at };
  }
  const lastError =
    answer.errorKind === 'http_status'
      ? `http_status: ${answer.statusCode}`
      : `${answer.errorKind}: ${answer.errorMessage ?? ''}`.slice(0, 500);
  const next = nextAttempt(row, answer, now, policy);
  if (next.kind === 'disabled') {
    // This delivery stays queued (visible, sent again if the subscription is re-enabled).
    return { ...base, status: 'pending', held: 1, nextAttemptAt: now, lastError, deliveredAt: null, gone: true };
  }
  if (answer.blockedDetail !== undefined) {
    // The tenant sees a generic refusal; which internal address the name resolved to is for operators only.
    observer.logger?.warn(
      { deliveryId: row.id, subscriptionId: row.subscription_id, detail: answer.blockedDetail },
      'webhook delivery blocked by the SSRF guard',
    );
  }
  if (next.kind === 'retry') {
    notify(metrics?.onRetried, metrics);
    return { ...base, status: 'pending', held: 0, nextAttemptAt: next.at, lastError, deliveredAt: null };
  }
  notify(metrics?.onFailed, metrics, answer.errorKind as ErrorKind);
  return { ...base, status: 'failed', held: 0, nextAttemptAt: now, lastError, deliveredAt: null };
}

/** Calls a metrics hook, if set; a throwing hook must never break delivery. */
export function notify<Args extends unknown[]>(hook: ((...args: Args) => void) | undefined, target: unknown, ...args: Args): void {
  if (!hook) return;
  try {
    hook.apply(target, args);
  } catch {
    // ignored, see above
  }
}
