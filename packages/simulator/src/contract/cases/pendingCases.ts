import { pollUntilTerminal, type StatusQuery } from '@relaypoint/core';
import { settle, type ContractHarness } from '../ContractHarness.js';
import { hasRole } from '../ContractTarget.js';
import { notRun } from './notRun.js';
import { assertAtMostOneIssuance, describeError, describeResult, fail } from '../explain.js';

/** Case 8: pending issuances resolve through `checkStatus`. */
export function pendingCases(h: ContractHarness): void {
  const run = (outcome: 'succeeded' | 'failed') =>
    async function (this: Mocha.Context) {
      const products = h.target.pendingProducts;
      if (!products) notRun(this, `the provider (model ${h.target.id}) has no product that stays pending (no async issuance)`);
      h.simulatorOnly(this, 'which products stay pending, and for how many reads');
      const c = await h.connect();
      const ref = h.reference(`pending-${outcome}`);
      const productId = outcome === 'succeeded' ? products.succeeds : products.fails;
      const s = await settle(() => c.issue(h.params(ref, { productId })));
      if (!s.ok) fail(`an issuance of ${productId} (which the provider answers "pending") failed with ${describeError(s.error)}`);
      const entry = (await h.ledger(ref))[0];
      if (!entry) fail(`your plugin reported ${describeResult(s.result)} but the provider has no transaction for reference ${ref}`);
      if (s.result.status !== 'pending')
        fail(
          `the provider answered "pending" for reference ${ref} but your plugin reported ${describeResult(s.result)}: map the provider's pending status to "pending"`,
        );
      if (!s.result.transactionId && !h.plugin.capabilities.statusByReference)
        fail("a pending result must carry the provider's transaction id, or checkStatus could never find it");
      // Resolve by transaction id when we have it for the success case, by reference for the failure case: both paths get exercised.
      const byId = hasRole(h.target, 'status-by-id') && s.result.transactionId !== undefined;
      const query: StatusQuery =
        (outcome === 'failed' && h.plugin.capabilities.statusByReference) || !byId
          ? { reference: ref }
          : { transactionId: s.result.transactionId as string };
      const final = await pollUntilTerminal(c, query, { timeoutMs: 5_000, intervalMs: 20 });
      const now = (await h.ledger(ref))[0];
      if (final.status !== outcome) {
        fail(
          `polling checkStatus(${JSON.stringify(query)}) ended with ${describeResult(final)} while the provider's transaction is ${now.status}: map the provider's final status to "${outcome}"`,
        );
      }
      if (final.transactionId !== now.transactionId)
        fail(`checkStatus returned transaction ${String(final.transactionId)} but the provider's is ${now.transactionId}`);
      if (outcome === 'succeeded' && ('voucher' in final ? final.voucher?.code : undefined) !== now.voucherCode) {
        fail(
          `the resolved issuance reports ${describeResult(final)} but the provider issued voucher ${String(now.voucherCode)}: map the voucher into the status result`,
        );
      }
      if (outcome === 'failed' && now.debited) fail('the provider failed the transaction but still shows it debited');
      await assertAtMostOneIssuance(h, ref);
      if (h.issueRequests(ref).length !== 1)
        fail(
          `resolving a pending issuance sent ${h.issueRequests(ref).length} issue requests: a pending result is resolved with checkStatus, never by re-issuing`,
        );
    };

  it('8. pending → resolved through checkStatus to succeeded', run('succeeded'));
  it('8b. pending → resolved through checkStatus to failed', run('failed'));
}
