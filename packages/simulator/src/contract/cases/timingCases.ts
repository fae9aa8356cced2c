import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCodes, isConnectorError } from '@relaypoint/core';
import { settle, type ContractHarness } from '../ContractHarness.js';
import { assertAtMostOneIssuance, describeError, describeResult, describeSettled, fail } from '../explain.js';

/** Slack allowed between the provider's requested wait and the journal's arrival times, ms. */
const RETRY_AFTER_SLACK_MS = 15;
/** How soon a call must return after its signal aborts, ms. */
const ABORT_BOUND_MS = 200;
/** How long a call may take when the breaker is open, ms. */
const FAIL_FAST_BOUND_MS = 100;

/** Cases 7, 10, 11: Retry-After, abort, circuit breaker. */
export function timingCases(h: ContractHarness): void {
  it('7. 429 with Retry-After: the next attempt comes no sooner than the provider asked', async function () {
    this.timeout(15_000);
    const c = await h.connect();
    const ref = h.reference('retry-after');
    h.faults([{ route: h.issueRoute, reference: ref, attempts: [1], fault: { type: 'rate-limit', retryAfterSeconds: 1 } }]);
    const s = await settle(() => c.issue(h.params(ref)));
    const requests = h.issueRequests(ref);
    if (requests.length < 2) {
      fail(
        `after a 429 with Retry-After: 1 the call ended with ${describeSettled(s)} and was never tried again: a 429 is retryable (outcome rejected or not_sent, retryable true, retryAfterMs from the header)`,
      );
    }
    const gap = requests[1].time - requests[0].time;
    if (gap < 1_000 - RETRY_AFTER_SLACK_MS) {
      fail(
        `your plugin's second attempt reached the provider ${Math.round(gap)} ms after a 429 that asked for Retry-After: 1 s: read the Retry-After header into the error's retryAfterMs (retryAfterFromHeaders) so the pipeline waits as asked`,
      );
    }
    if (!s.ok || s.result.status !== 'succeeded')
      fail(`after waiting out the 429 the issuance ended ${describeSettled(s)}: expected a success`);
    await assertAtMostOneIssuance(h, ref);
  });

  it('10. abort through AbortSignal: returns promptly, and a later reconciliation finds the truth', async () => {
    const c = await h.connect();
    const ref = h.reference('abort');
    h.faults([{ route: h.issueRoute, reference: ref, attempts: [1], fault: { type: 'latency', distribution: 'fixed', ms: 250 } }]);
    const controller = new AbortController();
    const call = settle(() => c.issue(h.params(ref), { signal: controller.signal }));
    // Abort once the request is at the provider, so its outcome is genuinely unknown.
    for (let i = 0; i < 100 && h.issueRequests(ref).length === 0; i += 1) await sleep(5);
    const abortedAt = performance.now();
    controller.abort();
    const s = await call;
    const after = performance.now() - abortedAt;
    if (after > ABORT_BOUND_MS)
      fail(
        `the call returned ${Math.round(after)} ms after its signal was aborted (bound ${ABORT_BOUND_MS} ms): pass options.signal to your HTTP client`,
      );
    if (s.ok) {
      // The provider answered before the abort took effect: the result must still be the truth.
      if ((await h.ledger(ref))[0]?.transactionId !== s.result.transactionId)
        fail(`an aborted call returned ${describeResult(s.result)} which the provider has no record of`);
    } else if (!isConnectorError(s.error) || s.error.outcome !== 'unknown') {
      fail(
        `a call aborted after its request reached the provider ended with ${describeError(s.error)}: the request may have been issued, so the outcome is unknown (ABORTED)`,
      );
    }
    // Let the provider finish what it was doing, then ask it.
    await sleep(350 + h.upstreamSlackMs);
    await assertAtMostOneIssuance(h, ref);
    const issued = (await h.ledger(ref))[0];
    const caps = h.plugin.capabilities;
    if (caps.statusByReference) {
      const found = await c.checkStatus({ reference: ref });
      if (issued && (found.status === 'not_found' || found.transactionId !== issued.transactionId)) {
        fail(
          `after the abort the provider has transaction ${issued.transactionId} for reference ${ref}, but checkStatus({ reference }) said ${describeResult(found)}`,
        );
      }
      if (!issued && found.status !== 'not_found')
        fail(`after the abort the provider has nothing for reference ${ref}, but checkStatus({ reference }) said ${describeResult(found)}`);
    }
    if (caps.duplicateReference !== 'none') {
      const again = await settle(() => c.issue(h.params(ref)));
      if (!again.ok || again.result.status !== 'succeeded')
        fail(`re-issuing reference ${ref} after the abort ended ${describeSettled(again)}: expected the (original or new) success`);
      await assertAtMostOneIssuance(h, ref);
      if ((await h.ledger(ref)).length !== 1)
        fail(
          `after the abort and a re-issue the provider has ${(await h.ledger(ref)).length} transactions for reference ${ref}: expected exactly one`,
        );
    }
  });

  it('11. breaker: a provider failing continuously opens the circuit, calls fail fast with a coded error, it recovers after the window', async function () {
    this.timeout(15_000);
    const halfOpenAfterMs = 300;
    const c = await h.connect({
      breaker: { failureThreshold: 3, halfOpenAfterMs },
      retry: { maxAttempts: 2 },
      reconcile: { attempts: 1, delayMs: 0 },
    });
    h.faults(h.target.routes.map(({ route }) => ({ route, fault: { type: 'status-before-commit' as const, status: 503 } })));
    const seen: string[] = [];
    let open: { ms: number; requests: string[]; error: unknown } | undefined;
    for (let i = 0; i < 15 && !open; i += 1) {
      const ref = h.reference('breaker');
      const s = await settle(() => c.issue(h.params(ref)));
      const requests = h
        .providerRequests()
        .filter((e) => e.reference === ref)
        .map((e) => `${e.method} ${e.path}`);
      if (s.ok) fail(`a provider answering 503 to everything produced ${describeResult(s.result)}`);
      seen.push(isConnectorError(s.error) ? s.error.code : 'non-coded error');
      if (isConnectorError(s.error) && s.error.code === ErrorCodes.CIRCUIT_OPEN) open = { ms: s.ms, requests, error: s.error };
    }
    if (!open) {
      fail(
        `15 calls to a provider answering 503 to every request never opened the circuit (errors: ${seen.join(', ')}): report 5xx as ConnectorErrors (outcome unknown) so the breaker counts them`,
      );
    }
    if (open.requests.length > 0)
      fail(`with the circuit open a call still sent ${open.requests.length} request(s) to the provider (${open.requests.join(', ')})`);
    if (open.ms > FAIL_FAST_BOUND_MS) fail(`with the circuit open a call took ${Math.round(open.ms)} ms: it must fail fast`);
    if (!isConnectorError(open.error) || open.error.outcome !== 'not_sent')
      fail(`the circuit-open error has outcome ${isConnectorError(open.error) ? open.error.outcome : '?'}: expected not_sent`);
    if (c.breaker.state !== 'open') fail(`after CIRCUIT_OPEN the breaker state is ${c.breaker.state}`);
    if ((await h.ledger()).length > 0)
      fail(`the provider recorded ${(await h.ledger()).length} transaction(s) while every request was refused before commit`);
    h.faults([]);
    await sleep(halfOpenAfterMs + 50);
    const ref = h.reference('recovered');
    const s = await settle(() => c.issue(h.params(ref)));
    if (!s.ok || s.result.status !== 'succeeded')
      fail(
        `after the provider recovered and the breaker window (${halfOpenAfterMs} ms) passed, the call ended ${describeSettled(s)}: expected a success`,
      );
    if ((c.breaker.state as string) !== 'closed')
      fail(`after a successful trial call the breaker state is ${c.breaker.state}: expected closed`);
    if ((await h.ledger()).length !== 1)
      fail(`after recovery the provider has ${(await h.ledger()).length} transactions: expected exactly one (the recovered call)`);
  });
}
