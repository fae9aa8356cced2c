import type { ResilienceOptions } from '@relaypoint/core';

/** No retry and no reconciliation: the error a call ends with is the outcome the plugin gave its one attempt. */
export const SINGLE_ATTEMPT: ResilienceOptions = { retry: { maxAttempts: 1 }, reconcile: { attempts: 0, delayMs: 0 } };
