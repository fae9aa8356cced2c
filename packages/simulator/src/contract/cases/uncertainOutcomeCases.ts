import { isConnectorError, resolveResilienceOptions } from '@relaypoint/core';
import type { Fault } from '../../scenario/Fault.js';
import { CONTRACT_RESILIENCE, mergeResilience, settle, type ContractHarness } from '../ContractHarness.js';
import { SINGLE_ATTEMPT } from './singleAttempt.js';
import {
  ADVICE,
  assertAtMostOneIssuance,
  assertAttemptOutcomeUnknown,
  assertResolvedToTruth,
  assertStableReference,
  describeError,
  describeResult,
  describeSettled,
  fail,
} from '../explain.js';

/**
 * The faults after which the provider may or may not have issued. Each case
 * applies its fault to the first attempt of a full call (which must end as
 * what the provider did), then to the only attempt of a second reference
 * (which the plugin itself must report as outcome unknown).
 */
const UNCERTAIN_FAULTS: { label: string; fault: Fault }[] = [
  { label: '5xx after commit', fault: { type: 'status-after-commit', status: 500 } },
  { label: '503 after commit', fault: { type: 'status-after-commit', status: 503 } },
  // A load balancer in front of the provider may answer 408 while the provider goes on with the request.
  { label: '408 from a gateway after commit', fault: { type: 'status-after-commit', status: 408 } },
  // A provider may answer the POST that created a transaction with a redirect to it (POST/redirect/GET).
  { label: '303 redirect after commit', fault: { type: 'status-after-commit', status: 303 } },
  // The status wins over the body: a 5xx may come after the commit whatever refusal code its body carries.
  {
    label: '500 after commit with a refusal code in its body',
    fault: { type: 'status-after-commit', status: 500, code: 'INSUFFICIENT_BALANCE' },
  },
  { label: 'connection dropped after commit', fault: { type: 'drop-after-commit' } },
  { label: 'TCP reset', fault: { type: 'reset' } },
  { label: 'truncated body', fault: { type: 'truncate' } },
  { label: 'malformed 200 body', fault: { type: 'malformed' } },
];

/** Cases 4, 5, 6: 5xx before commit, every uncertain fault, and a hang. */
export function uncertainOutcomeCases(h: ContractHarness): void {
  const limits = () => resolveResilienceOptions(mergeResilience(CONTRACT_RESILIENCE, h.options.resilience));

  it('4. 5xx before commit: retried with the same reference, exactly one issuance', async () => {
    const c = await h.connect();
    const ref = h.reference('5xx-before');
    h.faults([
      { route: h.issueRoute, reference: ref, attempts: [1], fault: { type: 'status-before-commit', status: 500 } },
      { route: h.issueRoute, reference: ref, attempts: [2], fault: { type: 'status-before-commit', status: 503 } },
    ]);
    const s = await settle(() => c.issue(h.params(ref)));
    await assertAtMostOneIssuance(h, ref);
    assertStableReference(h, ref);
    const sent = h.issueRequests(ref).length;
    if (h.plugin.capabilities.duplicateReference === 'none') {
      // The provider cannot tell a repeat: a 5xx must never be re-sent, only reconciled.
      if (sent > 1)
        fail(
          `your plugin declares duplicateReference "none" but the pipeline re-sent after a 5xx (${sent} issue requests): a 5xx must be outcome unknown`,
        );
      if (s.ok || !isConnectorError(s.error) || s.error.outcome !== 'unknown')
        fail(`after a 5xx your plugin reported ${describeSettled(s)}: a 5xx must be outcome unknown`);
      return;
    }
    if (s.ok && s.result.status !== 'succeeded') {
      fail(
        `after a 5xx answer (nothing was issued this time) your plugin reported ${describeResult(s.result)}: ${ADVICE['status-before-commit']}`,
      );
    }
    if (!s.ok) {
      fail(
        `after two 5xx answers (the third attempt would succeed) the call failed with ${describeError(s.error)} after ${sent} issue request(s): ` +
          `a 5xx is outcome unknown and retryable, and with duplicateReference "${h.plugin.capabilities.duplicateReference}" the pipeline re-sends with the same reference`,
      );
    }
    if (sent !== 3) fail(`expected 3 issue requests (two 5xx, then success) but the provider saw ${sent}`);
    if (s.result.status !== 'succeeded' || (await h.ledger(ref)).length !== 1)
      fail(
        `after two 5xx answers the issuance ended ${describeSettled(s)} with ${(await h.ledger(ref)).length} ledger entries: expected one success`,
      );
    if (s.result.transactionId !== (await h.ledger(ref))[0].transactionId)
      fail(
        `the result names transaction ${String(s.result.transactionId)} but the provider issued ${(await h.ledger(ref))[0].transactionId}`,
      );
  });

  for (const { label, fault } of UNCERTAIN_FAULTS) {
    it(`5. ${label} (${fault.type}) on the first attempt: never reported failed, resolved to exactly one issuance; on its own, that attempt is outcome unknown (never rejected or not_sent)`, async () => {
      const c = await h.connect();
      const ref = h.reference(fault.type);
      h.faults([{ route: h.issueRoute, reference: ref, attempts: [1], fault }]);
      const s = await settle(() => c.issue(h.params(ref)));
      await assertResolvedToTruth(h, ref, s, fault.type);
      // The end result above can be right whatever the faulty attempt said (a re-send may get the original back), so look at that attempt alone.
      const one = await h.connect(SINGLE_ATTEMPT);
      const alone = h.reference(`${fault.type}-attempt`);
      h.faults([{ route: h.issueRoute, reference: alone, attempts: [1], fault }]);
      await assertAttemptOutcomeUnknown(h, alone, await settle(() => one.issue(h.params(alone))), fault);
    });
  }

  it('6. hang: the per-attempt timeout fires, the outcome is unknown, it is resolved to exactly one issuance', async () => {
    const { timeoutMs, retry } = limits();
    const c = await h.connect();
    const ref = h.reference('hang');
    h.faults([{ route: h.issueRoute, reference: ref, attempts: [1], fault: { type: 'hang' } }]);
    const s = await settle(() => c.issue(h.params(ref)));
    const bound = timeoutMs * retry.maxAttempts + 3_000;
    if (s.ms > bound)
      fail(
        `the call took ${Math.round(s.ms)} ms with a per-attempt timeout of ${timeoutMs} ms: pass options.signal to your HTTP client so a hung request is cancelled`,
      );
    await assertResolvedToTruth(h, ref, s, 'hang');
    const first = h.issueRequests(ref)[0];
    if (first && first.status !== null) fail(`the first attempt was expected to hang but the provider answered ${first.status}`);
  });

  it('6b. a provider that never answers: the call ends within its time bound as outcome unknown, never failed', async () => {
    const { timeoutMs, retry, reconcile } = limits();
    const c = await h.connect();
    const ref = h.reference('hang-all');
    h.faults([{ route: h.issueRoute, reference: ref, fault: { type: 'hang' } }]);
    const s = await settle(() => c.issue(h.params(ref)));
    let reconcileMs = 0;
    for (let i = 0, d = reconcile.delayMs; i < reconcile.attempts; i += 1, d *= 2) reconcileMs += d + timeoutMs;
    const bound = (timeoutMs + retry.maxDelayMs) * retry.maxAttempts + reconcileMs + 3_000;
    if (s.ms > bound)
      fail(
        `the call took ${Math.round(s.ms)} ms (bound ${bound} ms) with a per-attempt timeout of ${timeoutMs} ms: pass options.signal to your HTTP client so hung requests are cancelled`,
      );
    if (s.ok) fail(`a provider that never answered produced ${describeSettled(s)}: nothing is known, so the outcome must be unknown`);
    if (!isConnectorError(s.error) || s.error.outcome !== 'unknown')
      fail(
        `a provider that never answered produced ${describeError(s.error)}: a timeout after the request left is outcome unknown (never failed or rejected)`,
      );
    await assertAtMostOneIssuance(h, ref);
    if (h.plugin.capabilities.statusByReference) {
      h.faults([]);
      const found = await c.checkStatus({ reference: ref });
      const issued = (await h.ledger(ref)).length > 0;
      if (issued !== (found.status !== 'not_found')) {
        fail(
          `after the hangs, checkStatus({ reference: "${ref}" }) said ${found.status} but the provider ${issued ? 'has' : 'has no'} transaction for it`,
        );
      }
    }
  });
}
