import type { CallOptions, Connector, IssueRequest, IssueResult, StatusQuery, StatusResult } from '../../src/index.js';

/** What one call of the fake does: answer, throw, or hang until its signal aborts. */
export type Step<T> = { result: T } | { error: Error } | 'hang' | { deferred: Promise<T> };

/** A fake in-memory connector that plays scripted steps and records every call. */
export class FakeConnector implements Connector {
  readonly issues: { reference: string; signal?: AbortSignal }[] = [];
  readonly lookups: StatusQuery[] = [];
  constructor(
    private readonly issueSteps: Step<IssueResult>[],
    private readonly statusSteps: Step<StatusResult>[] = [],
  ) {}

  private play<T>(steps: Step<T>[], signal?: AbortSignal): Promise<T> {
    const step = steps.length > 1 ? steps.shift()! : steps[0];
    if (step === undefined) return Promise.reject(new Error('no scripted step'));
    if (step === 'hang') {
      return new Promise((_resolve, reject) =>
        signal?.addEventListener('abort', () => reject(Object.assign(new Error('canceled'), { code: 'ERR_CANCELED' })), { once: true }),
      );
    }
    if ('deferred' in step) return step.deferred;
    return 'error' in step ? Promise.reject(step.error) : Promise.resolve(step.result);
  }

  issueVoucher(params: IssueRequest, options?: CallOptions): Promise<IssueResult> {
    this.issues.push({ reference: params.reference, signal: options?.signal });
    return this.play(this.issueSteps, options?.signal);
  }

  checkStatus(query: StatusQuery, options?: CallOptions): Promise<StatusResult> {
    this.lookups.push(query);
    return this.play(this.statusSteps, options?.signal);
  }
}

/** Lets promise continuations and unmocked immediates run. */
export async function flush(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

/** Tracks whether a promise has settled, without letting a rejection go unhandled. */
export function track<T>(p: Promise<T>): { settled: () => boolean; value: () => T | undefined; error: () => unknown; promise: Promise<T> } {
  let done = false;
  let value: T | undefined;
  let error: unknown;
  const promise = p.then(
    (v) => {
      done = true;
      value = v;
      return v;
    },
    (e: unknown) => {
      done = true;
      error = e;
      throw e;
    },
  );
  promise.catch(() => {});
  return { settled: () => done, value: () => value, error: () => error, promise };
}
