import { inspect } from 'node:util';
import { toMoney } from '@relaypoint/core';
import type { Issuance } from './ContractHarness.js';
import type { ContractProbe, ProbeRecord } from './ContractProbe.js';
import { fail } from './explain.js';

/** Probe calls in flight at once (a sandbox has rate limits). */
const PROBE_CONCURRENCY = 8;
const STATUSES = new Set(['succeeded', 'pending', 'failed']);

/** What one probe answer says, or why it cannot be read (the author's probe is wrong, not the plugin). */
function check(record: ProbeRecord): string | undefined {
  if (typeof record !== 'object' || record === null) return `returned ${inspect(record)} instead of a record or undefined`;
  if (!STATUSES.has(record.status)) return `returned status ${inspect(record.status)}: expected "succeeded", "pending" or "failed"`;
  if (typeof record.transactionId !== 'string' || record.transactionId === '')
    return "returned no transactionId (the provider's id of the transaction)";
  if (typeof record.currency !== 'string' || typeof record.amount !== 'string')
    return `returned amount ${inspect(record.amount)} ${inspect(record.currency)}: expected a decimal string and an ISO 4217 code (fromMinorUnits converts integer minor units)`;
  if (record.count !== undefined && (!Number.isSafeInteger(record.count) || record.count < 1))
    return `returned count ${inspect(record.count)} with a record: expected a positive integer, or no count`;
  return undefined;
}

/** A probe record in the ledger's terms: the amount with its currency's decimals, the status in the model's words. */
function toIssuance(reference: string, record: ProbeRecord, successStatus: string): Issuance {
  let amount = record.amount;
  try {
    amount = toMoney(record.amount, record.currency).decimal;
  } catch {
    // An amount the currency cannot hold is compared as written, so the mismatch shows in the failure message.
  }
  return {
    reference,
    transactionId: record.transactionId,
    status: record.status === 'succeeded' ? successStatus : record.status,
    amount,
    currency: record.currency,
    debited: record.status !== 'failed',
    ...(record.productId !== undefined ? { productId: record.productId } : {}),
    ...(record.recipient !== undefined ? { recipient: record.recipient } : {}),
    ...(record.voucherCode !== undefined ? { voucherCode: record.voucherCode } : {}),
  };
}

/**
 * Asks the author's probe about each reference (a few at once) and returns
 * what the provider holds, in the order given, leaving out references it
 * holds nothing for. A probe that throws or answers out of shape fails the
 * case naming the probe, so a broken probe is never taken for a broken plugin.
 */
export async function probeIssuances(
  probe: ContractProbe,
  references: readonly string[],
  successStatus: string,
): Promise<{ issuance: Issuance; count: number | undefined }[]> {
  const answers: (ProbeRecord | undefined)[] = new Array(references.length);
  let next = 0;
  let problem: string | undefined;
  const worker = async (): Promise<void> => {
    while (next < references.length && problem === undefined) {
      const i = next++;
      const reference = references[i];
      try {
        answers[i] = await probe(reference);
      } catch (error) {
        problem = `the probe (proxy.probe) threw for reference ${reference}: ${error instanceof Error ? error.message : inspect(error)}. The suite cannot judge the plugin without it: check the probe's URL and credentials`;
        return;
      }
      const answer = answers[i];
      const wrong = answer === undefined ? undefined : check(answer);
      if (wrong) problem = `the probe (proxy.probe) for reference ${reference} ${wrong}`;
    }
  };
  await Promise.all(Array.from({ length: Math.min(PROBE_CONCURRENCY, references.length) }, worker));
  if (problem !== undefined) fail(problem);
  return references.flatMap((reference, i) => {
    const answer = answers[i];
    return answer === undefined ? [] : [{ issuance: toIssuance(reference, answer, successStatus), count: answer.count }];
  });
}
