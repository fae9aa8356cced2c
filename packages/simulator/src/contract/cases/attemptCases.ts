import { setTimeout as sleep } from 'node:timers/promises';
import { isConnectorError, type JsonSchema } from '@relaypoint/core';
import type { Fault } from '../../scenario/Fault.js';
import { settle, type ContractHarness } from '../ContractHarness.js';
import { describeError, describeSettled, fail } from '../explain.js';
import { notRun } from './notRun.js';
import { SINGLE_ATTEMPT } from './singleAttempt.js';

/** The pipeline's per-attempt timeout in the cancellation case, ms. */
const CUT_AFTER_MS = 300;
/** How long the provider works on the cancelled request before it would commit, ms. */
const PROVIDER_WORK_MS = 700;
/** The plugin's own HTTP timeout the suite configures, ms. */
const OWN_TIMEOUT_MS = 150;
/** The provider's delay in the own-timeout case: longer than the plugin's timeout, shorter than the pipeline's. */
const OWN_TIMEOUT_LATENCY_MS = 1_000;
/** The pipeline's per-attempt timeout in the own-timeout case, ms. */
const OWN_TIMEOUT_PIPELINE_MS = 3_000;

/** The top-level config field holding the plugin's HTTP timeout in ms (`timeoutMs`, `httpTimeoutMs`), if the schema has one. */
export function timeoutField(schema: JsonSchema): string | undefined {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  return Object.keys(properties).find((name) => {
    const type = properties[name]?.type;
    return /timeout(ms|millis)?$/i.test(name) && /ms|millis/i.test(name) && (type === 'integer' || type === 'number');
  });
}

/** Cases 19–21: one attempt is one request, a cancelled attempt stops its request, the plugin's own timeout is outcome unknown. */
export function attemptCases(h: ContractHarness): void {
  const faults: { label: string; fault: Fault }[] = [
    { label: 'a 503', fault: { type: 'status-before-commit', status: 503 } },
    { label: 'a connection reset', fault: { type: 'reset' } },
  ];

  it('19. one attempt is one request: a single attempt reaches the issue route exactly once, whatever it meets (no retries of its own under the pipeline)', async () => {
    for (const { label, fault } of faults) {
      const c = await h.connect(SINGLE_ATTEMPT);
      const ref = h.reference('one-attempt');
      h.faults([{ route: h.issueRoute, reference: ref, attempts: [1], fault }]);
      const s = await settle(() => c.issue(h.params(ref)));
      const sent = h.issueRequests(ref).length;
      if (sent !== 1) {
        fail(
          `a single attempt (the pipeline set to 1 attempt, no reconciliation) met ${label} on its first request and reached the issue route ${sent} times for reference ${ref} (it ended with ${describeSettled(s)}): ` +
            'your plugin retries on its own (axios-retry, a loop) under the pipeline, which already retries with backoff, Retry-After, the breaker and reconciliation. One attempt must be one request: report the failure with its outcome and let the pipeline decide',
        );
      }
    }
  });

  it('20. a cancelled attempt stops its request: an attempt cut by the per-attempt timeout while the provider works is never issued later', async function () {
    this.timeout(10_000);
    const c = await h.connect({ ...SINGLE_ATTEMPT, timeoutMs: CUT_AFTER_MS });
    const ref = h.reference('cancelled');
    // A latency fault (unlike late-commit) drops the request when its client goes away, as a provider does for a closed connection.
    h.faults([
      { route: h.issueRoute, reference: ref, attempts: [1], fault: { type: 'latency', distribution: 'fixed', ms: PROVIDER_WORK_MS } },
    ]);
    const s = await settle(() => c.issue(h.params(ref)));
    await sleep(PROVIDER_WORK_MS + 200 - Math.min(s.ms, PROVIDER_WORK_MS) + h.upstreamSlackMs);
    const entry = (await h.ledger(ref))[0];
    if (entry) {
      fail(
        `the pipeline's per-attempt timeout (${CUT_AFTER_MS} ms) cut the attempt for reference ${ref} (it ended with ${describeSettled(s)}), ` +
          `but its request stayed open and the provider issued it ${PROVIDER_WORK_MS} ms after it arrived (transaction ${entry.transactionId}): ` +
          'pass options.signal to your HTTP client (axios: { signal: options.signal }) so a cancelled attempt closes its request',
      );
    }
  });

  it("21. the plugin's own HTTP timeout, firing before the pipeline's, is outcome unknown (never rejected or not_sent)", async function () {
    this.timeout(10_000);
    const field = timeoutField(h.plugin.configSchema);
    if (!field)
      notRun(
        this,
        "the config schema has no HTTP timeout field in ms (such as timeoutMs), so the suite cannot make the plugin's own timeout fire first",
      );
    const config = { ...(h.config() as Record<string, unknown>), [field]: OWN_TIMEOUT_MS };
    const c = await h.connect({ ...SINGLE_ATTEMPT, timeoutMs: OWN_TIMEOUT_PIPELINE_MS }, config as never);
    const ref = h.reference('own-timeout');
    h.faults([
      { route: h.issueRoute, reference: ref, attempts: [1], fault: { type: 'latency', distribution: 'fixed', ms: OWN_TIMEOUT_LATENCY_MS } },
    ]);
    const s = await settle(() => c.issue(h.params(ref)));
    const premise = `with config.${field} = ${OWN_TIMEOUT_MS} ms, the pipeline's per-attempt timeout at ${OWN_TIMEOUT_PIPELINE_MS} ms and the provider answering after ${OWN_TIMEOUT_LATENCY_MS} ms`;
    if (s.ms >= OWN_TIMEOUT_LATENCY_MS) {
      fail(
        `${premise}, the call took ${Math.round(s.ms)} ms and ended with ${describeSettled(s)}: your plugin's own timeout never fired; pass config.${field} to your HTTP client (axios: { timeout })`,
      );
    }
    if (s.ok)
      fail(
        `${premise}, your plugin's own timeout fired after the request left, and it reported ${describeSettled(s)}: nothing is known, so the outcome is unknown`,
      );
    if (!isConnectorError(s.error) || s.error.outcome !== 'unknown') {
      fail(
        `${premise}, your plugin's own timeout fired after the request left, and it reported ${describeError(s.error)}: a timeout after the request left is outcome unknown (PROVIDER_TIMEOUT), never rejected or not_sent. ` +
          "axios reports it as ECONNABORTED/ETIMEDOUT: map it with toConnectorError(error, { sent: true }) rather than your provider's refusal table",
      );
    }
  });
}
