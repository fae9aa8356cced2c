/** What a measured call ended with, and how long it took (ms, from `performance.now()`). */
export type Measured<T> = { ok: true; result: T; ms: number } | { ok: false; error: unknown; ms: number };

/**
 * Runs `call` and records whether it resolved or threw, and how long it
 * took in ms: for asserting a plugin's timeout ("gave up within 1 s") or that
 * a failure was fast, without a try/catch in every test. Never throws.
 */
export async function measure<T>(call: () => Promise<T> | T): Promise<Measured<T>> {
  const started = performance.now();
  try {
    const result = await call();
    return { ok: true, result, ms: performance.now() - started };
  } catch (error) {
    return { ok: false, error, ms: performance.now() - started };
  }
}
