import { isConnectorError } from '@relaypoint/core';
import type { Fault } from '../../scenario/Fault.js';
import { settle, type ContractHarness, type Settled } from '../ContractHarness.js';
import { describeError, describeResult, fail } from '../explain.js';

/** Size of the chaos run. */
export interface ChaosOptions {
  /** Issuances, each with its own reference. Defaults to 300. */
  issuances?: number;
  /** Issuances in flight at once. Defaults to 20. */
  concurrency?: number;
  /** Probability that an issue request gets a fault (0–1). Defaults to 0.3. */
  probability?: number;
  /** Upper bound of the whole run, ms. Defaults to 45000. */
  maxDurationMs?: number;
}

/** Every fault the simulator can inflict on an issue request, drawn with equal weight. */
export const CHAOS_FAULTS: Fault[] = [
  { type: 'status-before-commit', status: 503 },
  { type: 'status-after-commit', status: 500 },
  { type: 'rate-limit', retryAfterSeconds: 1 },
  { type: 'hang' },
  { type: 'reset' },
  { type: 'truncate' },
  { type: 'malformed' },
  { type: 'drop-after-commit' },
  { type: 'omit-voucher' },
];

/** Smallest share of the chaos issuances that must reach the provider and be issued. */
const MIN_ISSUED_SHARE = 0.5;
/** Smallest share of the expected faulted issuances that must end issued after meeting their fault. */
const MIN_FAULTED_SHARE = 0.25;

/**
 * The chaos case proves nothing when its issuances never reached the
 * provider (refused before sending, a wrong route) or none met a fault on
 * its way to an issuance: fail then, saying why.
 */
async function assertNonVacuous(
  h: ContractHarness,
  refs: string[],
  outcomes: Map<string, Settled>,
  probability: number,
  replay: string,
): Promise<void> {
  const issued = new Set((await h.ledger()).filter((e) => e.status === h.target.successStatus).map((e) => e.reference));
  const faulted = new Set(
    h
      .issueRequests()
      .filter((e) => e.fault !== 'none' && e.reference !== undefined)
      .map((e) => e.reference as string),
  );
  const both = refs.filter((r) => issued.has(r) && faulted.has(r)).length;
  const n = refs.length;
  const needIssued = Math.ceil(n * MIN_ISSUED_SHARE);
  const needBoth = Math.max(1, Math.floor(n * probability * MIN_FAULTED_SHARE));
  if (issued.size >= needIssued && both >= needBoth) return;
  const errors = new Map<string, number>();
  for (const s of outcomes.values()) {
    if (s.ok) continue;
    const key = isConnectorError(s.error) ? `${s.error.code} (outcome ${s.error.outcome})` : describeError(s.error);
    errors.set(key, (errors.get(key) ?? 0) + 1);
  }
  const common = [...errors.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([k, v]) => `${v}× ${k}`)
    .join(', ');
  fail(
    `the chaos run was vacuous (${replay}): of ${n} issuances, ${issued.size} were issued by the provider (at least ${needIssued} needed) and ${both} were issued after meeting a fault (at least ${needBoth} needed), ` +
      `so the faults tested nothing. The calls ended with ${common || 'no error'}; ` +
      (h.issueRequests().length === 0
        ? 'no request reached the issue route at all: see case 0'
        : 'the issuances that did not reach the provider were refused or lost before it: see the cases above'),
  );
}

/** Case 12: many issuances under seeded random faults keep every money-safety invariant. */
export function chaosCase(h: ContractHarness, options: ChaosOptions = {}): void {
  const n = options.issuances ?? 300;
  const concurrency = options.concurrency ?? 20;
  const probability = options.probability ?? 0.3;
  const maxDurationMs = options.maxDurationMs ?? 45_000;

  it(`12. chaos: ${n} issuances with ${Math.round(probability * 100)}% seeded faults: at most one issuance per reference, every success in the ledger, every reference in a known state`, async function () {
    this.timeout(maxDurationMs + 30_000);
    const seed = h.options.seed;
    const c = await h.connect({ bulkhead: { maxConcurrent: Math.max(concurrency, 1), maxQueue: n } });
    h.faults([{ name: 'chaos', route: h.issueRoute, probability, fault: CHAOS_FAULTS }]);
    const refs = Array.from({ length: n }, (_, i) => `${h.runTag}chaos-${seed}-${i}`);
    const outcomes = new Map<string, Settled>();
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < refs.length) {
          const ref = refs[next++];
          outcomes.set(ref, await settle(() => c.issue(h.params(ref))));
        }
      }),
    );
    const elapsed = performance.now() - started;
    h.faults([]);

    const replay = `seed ${seed}; replay with RELAYPOINT_CONTRACT_SEED=${seed}`;
    const problems: string[] = [];
    const ledger = await h.ledger();
    const known = new Set(refs);
    const byRef = new Map<string, typeof ledger>();
    for (const e of ledger) {
      if (!known.has(e.reference))
        problems.push(
          `the provider recorded an issuance for reference ${e.reference}, which was never requested: your plugin re-sent without a stable reference`,
        );
      byRef.set(e.reference, [...(byRef.get(e.reference) ?? []), e]);
    }
    const unknown: string[] = [];
    for (const ref of refs) {
      const entries = byRef.get(ref) ?? [];
      const entry = entries[0];
      if (entries.length > 1) problems.push(`${ref}: issued ${entries.length} times by the provider`);
      const s = outcomes.get(ref) as Settled;
      if (s.ok) {
        const r = s.result;
        if (r.status !== 'failed' && !entry)
          problems.push(`${ref}: reported ${describeResult(r)} but the provider has no transaction for it`);
        else if (r.status === 'failed' && entry && entry.status === h.target.successStatus)
          problems.push(`${ref}: reported failed but the provider issued it (${entry.transactionId})`);
        else if (entry && r.transactionId !== entry.transactionId)
          problems.push(`${ref}: reported ${describeResult(r)} but the provider's transaction is ${entry.transactionId}`);
        else if (entry && r.status === 'succeeded' && entry.voucherCode !== undefined && r.voucher?.code !== entry.voucherCode) {
          problems.push(`${ref}: reported voucher ${String(r.voucher?.code)} but the provider issued ${entry.voucherCode}`);
        }
      } else if (!isConnectorError(s.error)) {
        problems.push(`${ref}: threw ${describeError(s.error)}`);
      } else if (s.error.outcome === 'unknown') {
        unknown.push(ref);
      } else if (entry && entry.debited) {
        problems.push(
          `${ref}: reported ${s.error.outcome} (${s.error.code}) but the provider issued it (${entry.transactionId}): an attempt whose outcome was unknown came first, so the issuance may not be reported as ${s.error.outcome}`,
        );
      }
    }
    // An unknown outcome is acceptable only if reconciliation can now tell what happened.
    if (h.plugin.capabilities.statusByReference) {
      for (const ref of unknown) {
        const entry = byRef.get(ref)?.[0];
        try {
          const found = await c.checkStatus({ reference: ref });
          if (entry ? found.status === 'not_found' || found.transactionId !== entry.transactionId : found.status !== 'not_found') {
            problems.push(
              `${ref}: outcome unknown, and reconciling it with checkStatus({ reference }) said ${describeResult(found)} while the provider ${entry ? `has ${entry.transactionId}` : 'has nothing'}`,
            );
          }
        } catch (e) {
          problems.push(`${ref}: outcome unknown, and reconciling it with checkStatus({ reference }) failed with ${describeError(e)}`);
        }
      }
    }
    if (problems.length > 0) {
      fail(
        `${problems.length} problem(s) in ${n} issuances under seeded faults (${replay}):\n  ${problems.slice(0, 15).join('\n  ')}${problems.length > 15 ? `\n  … and ${problems.length - 15} more` : ''}`,
      );
    }
    await assertNonVacuous(h, refs, outcomes, probability, replay);
    if (elapsed > maxDurationMs) {
      fail(
        `the chaos run took ${Math.round(elapsed)} ms (bound ${maxDurationMs} ms, ${replay}): pass options.signal to your HTTP client so hung requests end at the per-attempt timeout`,
      );
    }
  });
}
