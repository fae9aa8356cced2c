/** Resolves after `ms`, or rejects with `signal.reason` as soon as a signal aborts (timer cleared). @internal */
export function abortableSleep(ms: number, signals: (AbortSignal | undefined)[]): Promise<void> {
  const live = signals.filter((s): s is AbortSignal => s !== undefined);
  const aborted = live.find((s) => s.aborted);
  if (aborted) return Promise.reject(aborted.reason);
  return new Promise((resolve, reject) => {
    const done = () => live.forEach((s) => s.removeEventListener('abort', onAbort));
    const timer = setTimeout(() => {
      done();
      resolve();
    }, ms);
    function onAbort(this: AbortSignal) {
      clearTimeout(timer);
      done();
      reject(this.reason);
    }
    live.forEach((s) => s.addEventListener('abort', onAbort, { once: true }));
  });
}
