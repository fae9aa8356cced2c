import type { ModelAnswer } from '../model/ProviderModel.js';

/** An answer the simulator itself writes (faults, unknown routes, oversized bodies): `{code, message, ...extra}`. */
export function errorAnswer(
  status: number,
  code: string,
  message: string,
  extra?: Record<string, unknown>,
  headers?: Record<string, string>,
): ModelAnswer {
  return { status, body: { code, message, ...extra }, ...(headers ? { headers } : {}) };
}
