import type { ModelAnswer } from '../model/ProviderModel.js';

/** A `{code, message, ...extra}` JSON error answer, the shape both built-in APIs use. */
export function errorBody(
  status: number,
  code: string,
  message: string,
  extra?: Record<string, unknown>,
  headers?: Record<string, string>,
): ModelAnswer {
  return { status, body: { code, message, ...extra }, ...(headers ? { headers } : {}) };
}

/** A `Retry-After` header from seconds, when given. */
export function retryAfter(seconds: number | undefined): Record<string, string> | undefined {
  return seconds === undefined ? undefined : { 'retry-after': String(seconds) };
}
