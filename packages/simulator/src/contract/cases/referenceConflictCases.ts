import { ErrorCodes, fromMinorUnits, isConnectorError, toMoney, validateIssueParams, type IssueParams } from '@relaypoint/core';
import { settle, type ContractHarness } from '../ContractHarness.js';
import { describeError, describeResult, describeSettled, fail } from '../explain.js';
import { notRun } from './notRun.js';

/** One field changed under a used reference. */
interface Variant {
  field: 'amount' | 'product' | 'recipient' | 'currency';
  patch: Partial<IssueParams>;
  label: string;
}

/** The request with only one field changed, for each field the sample and the model allow; reasons for the ones left out. */
function variants(h: ContractHarness, sample: IssueParams): { variants: Variant[]; left: string[] } {
  const out: Variant[] = [];
  const left: string[] = [];
  const money = toMoney(sample.amount, sample.currency);
  const product = h.target.products.find((p) => p.id === sample.productId);
  let amount: string | undefined;
  if (product?.denominations) amount = product.denominations.find((d) => toMoney(d, sample.currency).minor !== money.minor);
  else amount = fromMinorUnits(money.minor * 2n, money.currency);
  if (amount) out.push({ field: 'amount', patch: { amount }, label: `only the amount changed (${money.decimal} → ${amount})` });
  else left.push('amount: the sample product has a single denomination');
  const otherProduct = h.target.products.find((p) => p.id !== sample.productId && p.currency === sample.currency && !p.pending);
  if (otherProduct)
    out.push({
      field: 'product',
      patch: { productId: otherProduct.id },
      label: `only the product changed (${sample.productId} → ${otherProduct.id})`,
    });
  else if (h.target.products.length === 0) left.push(`product: model ${h.target.id} has no products (a product id never reaches it)`);
  else left.push(`product: model ${h.target.id} has no second product in ${sample.currency}`);
  if (sample.phoneNumber) {
    const digits = sample.phoneNumber.slice(1);
    const last = (Number(digits.slice(-1)) + 1) % 10;
    const phoneNumber = `+${digits.slice(0, -1)}${last}`;
    out.push({ field: 'recipient', patch: { phoneNumber }, label: `only the recipient changed (${sample.phoneNumber} → ${phoneNumber})` });
  } else left.push('recipient: the sample issuance has no recipient');
  const currency =
    h.target.otherCurrencies.find((o) => o.currency !== sample.currency)?.currency ?? (sample.currency === 'EUR' ? 'USD' : 'EUR');
  // The same minor units, written with the other currency's decimals.
  const sameAmount = fromMinorUnits(money.minor, currency);
  out.push({
    field: 'currency',
    patch: { currency, amount: sameAmount },
    label: `only the currency changed (${sample.currency} → ${currency})`,
  });
  return { variants: out, left };
}

/** What a call under a used reference with a different request may end with: a reference conflict, or a refusal before any request left. */
function judge(
  h: ContractHarness,
  what: string,
  settled: Awaited<ReturnType<typeof settle>> | { ok: true; result: { status: string } } | { ok: false; error: unknown },
  sentBefore: number,
): void {
  if (settled.ok) {
    const result = settled.result as Parameters<typeof describeResult>[0];
    fail(
      `${what} returned ${describeResult(result)}: the reference already belongs to another request, so this one was not issued under it and cannot be. ` +
        "Compare the transaction you get back (or fetch by reference) with the request — product, recipient, amount, currency — and throw a ProviderRejectedError with code PROVIDER_REFERENCE_CONFLICT when they certainly differ; never return the original as this request's success",
    );
  }
  const e = settled.error;
  if (isConnectorError(e) && e.code === ErrorCodes.PROVIDER_REFERENCE_CONFLICT && e.outcome === 'rejected' && !e.retryable) return;
  // A plugin may refuse the request before sending it (a catalogue check): nothing was sent, nothing was issued.
  if (isConnectorError(e) && e.outcome === 'not_sent' && h.issueRequests().length === sentBefore) return;
  fail(
    `${what} ended with ${describeError(e)}: expected PROVIDER_REFERENCE_CONFLICT (outcome rejected, not retryable), the answer the host records as a conflict`,
  );
}

/** Cases 18, 18b: a used reference with a different request is a reference conflict, through the issue path and the lookup path. */
export function referenceConflictCases(h: ContractHarness): void {
  it('18. a used reference with a different request (only amount, product, recipient or currency changed) is a reference conflict through the issue path; the ledger keeps one entry', async function () {
    const c = await h.connect();
    const sample = h.params('conflict');
    const { variants: list, left } = variants(h, sample);
    for (const v of list) {
      const ref = h.reference('conflict');
      const first = await settle(() => c.issue(h.params(ref)));
      if (!first.ok || first.result.status !== 'succeeded')
        fail(`the first issuance of reference ${ref} did not succeed (${describeSettled(first)}); case 1 covers why`);
      const sentBefore = h.issueRequests().length;
      const again = await settle(() => c.issue(h.params(ref, v.patch)));
      judge(
        h,
        `re-issuing reference ${ref} (issued for ${sample.amount} ${sample.currency}, product ${sample.productId}) with ${v.label}`,
        again,
        sentBefore,
      );
      const entries = await h.ledger(ref);
      if (entries.length !== 1)
        fail(
          `after re-issuing reference ${ref} with ${v.label}, the provider has ${entries.length} transactions for it: expected exactly the original one`,
        );
    }
    if (left.length > 0 && this.test) this.test.title += ` (not tried: ${left.join('; ')})`;
  });

  it('18b. a status lookup by reference for a different request (only amount, product, recipient or currency changed) is a reference conflict; fields the lookup does not echo are no conflict', async function () {
    if (!h.plugin.capabilities.statusByReference) notRun(this, 'the plugin declares no status lookup by reference');
    const c = await h.connect();
    const ref = h.reference('lookup-variant');
    const params = h.params(ref);
    const first = await settle(() => c.issue(params));
    if (!first.ok || first.result.status !== 'succeeded')
      fail(`the issuance of reference ${ref} did not succeed (${describeSettled(first)}); case 1 covers why`);
    const requirePhone = h.plugin.requiresPhone ?? false;
    const { variants: all, left } = variants(h, params);
    const list = all.filter((v) => {
      if ((v.field === 'amount' || v.field === 'currency') && !h.target.echoesAmount) {
        left.push(`${v.field}: the model's lookups echo no amount or currency, so a lookup cannot compare it (no conflict)`);
        return false;
      }
      return true;
    });
    if (list.length === 0) notRun(this, left.join('; '));
    for (const v of list) {
      const request = validateIssueParams(h.params(ref, v.patch), { requirePhone });
      let s: { ok: true; result: { status: string } } | { ok: false; error: unknown };
      try {
        s = { ok: true, result: await c.checkStatus({ reference: ref, request }) };
      } catch (error) {
        s = { ok: false, error };
      }
      judge(
        h,
        `looking up reference ${ref} (issued for ${params.amount} ${params.currency}, product ${params.productId}) for a request with ${v.label}`,
        s,
        Number.NaN,
      );
    }
    if ((await h.ledger(ref)).length !== 1)
      fail(
        `the provider has ${(await h.ledger(ref)).length} transactions for reference ${ref} after one issuance and lookups: expected exactly one`,
      );
    if (left.length > 0 && this.test) this.test.title += ` (not tried: ${left.join('; ')})`;
  });
}
