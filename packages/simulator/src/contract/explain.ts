import { AssertionError } from 'node:assert';
import { inspect } from 'node:util';
import { isConnectorError, type ConnectorCapabilities, type IssueResult, type StatusResult } from '@relaypoint/core';
import type { Fault } from '../scenario/Fault.js';
import type { ContractHarness, Settled } from './ContractHarness.js';

/** Fails the current case with a message written for the plugin author. */
export function fail(message: string): never {
  throw new AssertionError({ message });
}

/** What the plugin returned, in words: `succeeded (transaction T-1, voucher V)` or `error PROVIDER_TIMEOUT (outcome unknown): ...`. */
export function describeSettled(s: Settled): string {
  if (s.ok) return describeResult(s.result);
  return describeError(s.error);
}

/** A result in words. */
export function describeResult(r: IssueResult | StatusResult): string {
  const parts = [r.transactionId ? `transaction ${r.transactionId}` : 'no transaction id'];
  if ('voucher' in r && r.voucher) parts.push(`voucher ${r.voucher.code}`);
  return `${r.status} (${parts.join(', ')})`;
}

/** An error in words, with its code and outcome when it is a Relaypoint error. */
export function describeError(e: unknown): string {
  if (isConnectorError(e)) return `error ${e.code} (outcome ${e.outcome}${e.retryable ? ', retryable' : ''}): ${e.message}`;
  if (e instanceof Error) return `a plain ${e.name} (${e.message}) instead of a ConnectorError with a code and an outcome`;
  return `a thrown ${inspect(e)}`;
}

/** True when the pipeline has a way to learn what happened after an unknown outcome. */
export function canResolveUnknown(caps: ConnectorCapabilities): boolean {
  return caps.duplicateReference !== 'none' || caps.statusByReference;
}

/** Why a fault must be reported the way the contract says, per fault kind. */
export const ADVICE: Record<string, string> = {
  'status-before-commit':
    "a 5xx answer (or a gateway's 408) may come after the provider committed: map it to outcome unknown (OutcomeUnknownError, e.g. PROVIDER_SERVER_ERROR), never to failed, rejected or not_sent",
  'status-after-commit':
    "a 5xx answer (or a gateway's 408) may come after the provider committed: map it to outcome unknown (OutcomeUnknownError, e.g. PROVIDER_SERVER_ERROR), never to failed, rejected or not_sent; " +
    'so may an unexpected 1xx/3xx (a 303 See Other to the POST that created the transaction, say): PROVIDER_BAD_RESPONSE, outcome unknown. ' +
    'The status wins over the body: a 5xx is outcome unknown even when its body carries a refusal code, unless the provider documents that very status and code as answered before anything was recorded',
  'drop-after-commit':
    'a connection lost after the request left must be outcome unknown (toConnectorError gives PROVIDER_CONNECTION_LOST), never failed, rejected or not_sent',
  reset:
    'a connection reset after the request left must be outcome unknown (toConnectorError gives PROVIDER_CONNECTION_LOST), never failed, rejected or not_sent',
  truncate:
    'a body cut short after the request left must be outcome unknown (PROVIDER_CONNECTION_LOST or PROVIDER_BAD_RESPONSE), never a success, a failure, rejected or not_sent',
  malformed:
    'a 2xx body that does not parse must be outcome unknown (parseJsonBody throws PROVIDER_BAD_RESPONSE), never a success, a failure, rejected or not_sent',
  hang: 'pass options.signal to your HTTP client so the per-attempt timeout cancels the request; a timeout after the request left is outcome unknown (PROVIDER_TIMEOUT)',
};

/** Fails when the provider recorded issuances for references other than `reference`, or more than one for it. */
export async function assertAtMostOneIssuance(h: ContractHarness, reference: string): Promise<void> {
  const all = await h.ledger();
  const foreign = all.filter((e) => e.reference !== reference);
  if (foreign.length > 0) {
    const refs = [...new Set(foreign.map((e) => e.reference))].join(', ');
    fail(
      `one issuance of reference ${reference} reached the provider under other reference(s) too (${refs}), and it recorded ${all.length} issuance(s) for it: ` +
        'your plugin re-sent a request whose outcome was unknown without a stable reference. Send params.reference unchanged on every attempt: it is the idempotency key',
    );
  }
  const mine = all.filter((e) => e.reference === reference);
  if (mine.length > 1) {
    fail(
      `reference ${reference} was issued ${mine.length} times by the provider: your plugin re-sent a request whose outcome was unknown without a stable reference`,
    );
  }
}

/** Fails when an issue request for `reference` carried another reference (or none). */
export function assertStableReference(h: ContractHarness, reference: string): void {
  const requests = h.issueRequests();
  const other = requests.filter((e) => e.reference !== reference);
  if (other.length > 0) {
    const seen = [...new Set(other.map((e) => e.reference ?? '(none)'))].join(', ');
    fail(
      `your plugin sent ${requests.length} issue request(s) for reference ${reference}, and ${other.length} of them carried another reference (${seen}): ` +
        'send params.reference unchanged on every attempt; it is the idempotency key the provider deduplicates on',
    );
  }
}

/**
 * After a fault on the first attempt, the call must end as what the provider
 * really did: the issued voucher when it issued (found by a re-send with the
 * same reference or by a status lookup), never `failed`/`rejected` for an
 * issuance that happened, and never a success the provider has no record of.
 */
export async function assertResolvedToTruth(h: ContractHarness, reference: string, settled: Settled, fault: string): Promise<void> {
  await assertAtMostOneIssuance(h, reference);
  assertStableReference(h, reference);
  const caps = h.plugin.capabilities;
  const entry = (await h.ledger(reference))[0];
  const advice = ADVICE[fault] ?? 'an answer that does not prove nothing was issued must be outcome unknown';
  const after = `after a "${fault}" fault on the first attempt`;
  if (entry) {
    const issued = `reference ${reference} was issued by the provider (transaction ${entry.transactionId}, status ${entry.status})`;
    if (!settled.ok) {
      if (!isConnectorError(settled.error)) fail(`${issued} but your plugin threw ${describeError(settled.error)} ${after}`);
      if (settled.error.outcome !== 'unknown')
        fail(`${issued} but your plugin reported it as ${settled.error.outcome} (${settled.error.code}) ${after}: ${advice}`);
      if (canResolveUnknown(caps)) {
        fail(
          `${issued} but the call ended with ${describeError(settled.error)} ${after}, although your plugin declares duplicateReference "${caps.duplicateReference}" ` +
            `and statusByReference ${caps.statusByReference}: a re-send with the same reference must return the original, and checkStatus({ reference }) must find it`,
        );
      }
      return;
    }
    const r = settled.result;
    if (r.status === 'failed' && entry.status === h.target.successStatus)
      fail(`${issued} but your plugin reported failed ${after}: ${advice}`);
    if (r.transactionId !== entry.transactionId) {
      fail(
        `${issued} but your plugin reported ${describeResult(r)} ${after}: it must return the provider's transaction, so report ${fault === 'malformed' ? 'an unparsable body' : 'this answer'} as outcome unknown and let the pipeline resolve it (${advice})`,
      );
    }
    if (r.status === 'succeeded' && entry.voucherCode !== undefined && r.voucher?.code !== entry.voucherCode) {
      fail(`${issued} with voucher ${entry.voucherCode} but your plugin reported ${describeResult(r)} ${after}: ${advice}`);
    }
    if (r.reference !== reference)
      fail(`your plugin returned reference ${r.reference} for reference ${reference}: echo params.reference in the result`);
    return;
  }
  // Nothing was issued (the fault hit before the commit).
  if (settled.ok) {
    fail(
      `your plugin reported ${describeResult(settled.result)} for reference ${reference} ${after}, but the provider has no transaction for it: ${advice}`,
    );
  }
  if (!isConnectorError(settled.error)) fail(`your plugin threw ${describeError(settled.error)} ${after}`);
  if (settled.error.outcome !== 'unknown') {
    fail(
      `your plugin reported ${settled.error.outcome} (${settled.error.code}) ${after}; the provider happened to issue nothing this time, ` +
        `but the same answer after a commit would hide an issued voucher: ${advice}`,
    );
  }
  if (caps.duplicateReference !== 'none') {
    fail(
      `the provider has nothing for reference ${reference} ${after}, and the call gave up with ${describeError(settled.error)}: ` +
        `your plugin declares duplicateReference "${caps.duplicateReference}", so the pipeline re-sends with the same reference; the re-send must reach the provider and issue once`,
    );
  }
}

/** A fault in the words of a failure message: `a 500 after the provider committed`. */
export function describeFault(fault: Fault): string {
  switch (fault.type) {
    case 'status-after-commit':
      return `a ${fault.status} after the provider committed`;
    case 'status-before-commit':
      return `a ${fault.status} answer`;
    case 'drop-after-commit':
      return 'a connection dropped after the provider committed';
    case 'reset':
      return 'a connection reset after the request left';
    case 'truncate':
      return 'a success body cut short after the provider committed';
    case 'malformed':
      return 'a 200 whose body does not parse';
    case 'hang':
      return 'a timeout after the request left';
    default:
      return `a "${fault.type}" fault`;
  }
}

/**
 * One attempt of an issuance (through the pipeline with `maxAttempts: 1` and
 * no reconciliation) met a fault after which the provider may have issued:
 * the plugin itself must report it as outcome `unknown`, whatever its
 * `duplicateReference` capability. A re-send that gets the original back
 * hides a `not_sent` or `rejected` label from the end result, but the host
 * acts on each attempt's outcome: it may re-send a `not_sent` call to a
 * provider that does not deduplicate, and it records a terminal failure when
 * the next attempt is refused (a 429 with a long Retry-After, an open
 * circuit) and no earlier attempt was `unknown`, for a voucher that exists.
 * A result is accepted only when it is exactly what the provider recorded.
 */
export async function assertAttemptOutcomeUnknown(h: ContractHarness, reference: string, settled: Settled, fault: Fault): Promise<void> {
  const caps = h.plugin.capabilities;
  const entry = (await h.ledger(reference))[0];
  const what = describeFault(fault);
  const advice = ADVICE[fault.type] ?? 'an answer that does not prove nothing was issued must be outcome unknown';
  const may = entry
    ? `the voucher may exist (this time the provider did issue reference ${reference}: transaction ${entry.transactionId}, status ${entry.status})`
    : `the voucher may exist (this time the provider issued nothing for reference ${reference}, but your plugin cannot tell that from what it received)`;
  const single = 'but on a single attempt (no retry, no reconciliation) your plugin reported';
  if (settled.ok) {
    const r = settled.result;
    const truthful =
      entry !== undefined &&
      r.transactionId === entry.transactionId &&
      r.status !== 'failed' &&
      r.reference === reference &&
      !(r.status === 'succeeded' && entry.voucherCode !== undefined && r.voucher?.code !== entry.voucherCode);
    if (truthful) return;
    fail(`${what} must be outcome unknown: ${may}, ${single} ${describeResult(r)}, which is not what the provider recorded; ${advice}`);
  }
  const e = settled.error;
  if (!isConnectorError(e)) fail(`${what} must be outcome unknown: ${may}, ${single} ${describeError(e)}`);
  if (e.outcome === 'unknown') return;
  const meaning = e.outcome === 'not_sent' ? 'nothing reached the provider' : 'the provider refused it and issued nothing';
  fail(
    `${what} must be outcome unknown: ${may}, ${single} ${describeError(e)}; ${advice}. ` +
      `Your duplicateReference "${caps.duplicateReference}" does not change this: a re-send that gets the original back only hides the label from the end result. ` +
      `Outcome ${e.outcome} tells the host ${meaning}, so if the next attempt is refused (e.g. a 429 with a long Retry-After) it records a terminal failure for a voucher that exists, ` +
      'and with a provider that does not deduplicate a re-send issues it twice',
  );
}
