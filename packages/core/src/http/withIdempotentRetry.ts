import type { AxiosError, AxiosInstance } from 'axios';
import axiosRetry, { exponentialDelay, isNetworkError } from 'axios-retry';

/** Options of {@link withIdempotentRetry}. */
export interface IdempotentRetryOptions {
  /** Retries after the first attempt. Defaults to 2. */
  retries?: number;
  /** Base delay of the exponential backoff, ms. Defaults to 100. */
  delayMs?: number;
}

const SAFE_METHODS = new Set(['get', 'head']);

/** True when axios-retry may retry: a GET or HEAD that failed on the network, timed out, or got a 5xx. */
export function isIdempotentRetryable(error: AxiosError): boolean {
  const method = (error.config?.method ?? 'get').toLowerCase();
  if (!SAFE_METHODS.has(method)) return false;
  if (error.code === 'ERR_CANCELED') return false;
  if (error.response) return error.response.status >= 500;
  return isNetworkError(error) || error.code === 'ECONNABORTED' || error.code === 'ETIMEDOUT' || error.code === 'ECONNRESET';
}

/**
 * Adds axios-retry to `instance` for reads only (status lookups, catalogue
 * fetches): GET and HEAD on network errors, timeouts and 5xx, with
 * exponential backoff. A POST is never retried here: whether an issuance may
 * be re-sent is the resilience pipeline's decision. Returns `instance`.
 */
export function withIdempotentRetry(instance: AxiosInstance, options: IdempotentRetryOptions = {}): AxiosInstance {
  const delayMs = options.delayMs ?? 100;
  axiosRetry(instance, {
    retries: options.retries ?? 2,
    retryCondition: isIdempotentRetryable,
    retryDelay: (n, e) => exponentialDelay(n, e, delayMs),
    shouldResetTimeout: true,
  });
  return instance;
}
