/** What a provider handler answers: the simulator's dispatch writes it (or a fault replaces it). */
export interface Answer {
  status: number;
  body: object;
  headers?: Record<string, string>;
}

/** A provider error answer `{code, message, ...extra}`. */
export function errorAnswer(status: number, code: string, message: string, extra?: Record<string, unknown>, headers?: Record<string, string>): Answer {
  return { status, body: { code, message, ...extra }, ...(headers ? { headers } : {}) };
}
