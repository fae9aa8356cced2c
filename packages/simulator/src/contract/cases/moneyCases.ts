import { currencyExponent, fromMinorUnits, isConnectorError, toMoney, type IssueParams } from '@relaypoint/core';
import type { Fault } from '../../scenario/Fault.js';
import { settle, type ContractHarness } from '../ContractHarness.js';
import type { TargetProduct } from '../ContractTarget.js';
import { describeError, describeResult, describeSettled, fail } from '../explain.js';
import { notRun } from './notRun.js';
import { SINGLE_ATTEMPT } from './singleAttempt.js';

/** Amounts float arithmetic gets wrong (`0.29 * 100`, `19.99 * 100`) and one beyond 2^53 cents' comfort, per currency exponent. */
const MATRIX: Record<number, string[]> = {
  0: ['29', '1999', '1000001'],
  2: ['0.29', '19.99', '1000000.01'],
  3: ['0.295', '19.999', '1000000.001'],
};

/** Whether a product's catalogue entry admits `amount` (decimal string in its currency). */
function admits(product: TargetProduct, amount: string): boolean {
  const minor = toMoney(amount, product.currency).minor;
  if (product.denominations) return product.denominations.some((d) => toMoney(d, product.currency).minor === minor);
  if (product.min !== undefined && minor < toMoney(product.min, product.currency).minor) return false;
  if (product.max !== undefined && minor > toMoney(product.max, product.currency).minor) return false;
  return true;
}

/** Parameters for `amount` in the currency of `base`: its product when it admits the amount, else another of the model's products in that currency that does; a reason when none does. */
function paramsFor(
  h: ContractHarness,
  base: Omit<IssueParams, 'reference'>,
  amount: string,
): Omit<IssueParams, 'reference'> | { skip: string } {
  const products = h.target.products.filter((p) => p.currency === base.currency && !p.pending);
  if (products.length === 0) return { ...base, amount };
  const own = products.find((p) => p.id === base.productId);
  const fit = own && admits(own, amount) ? own : products.find((p) => admits(p, amount));
  if (!fit)
    return {
      skip: `${amount} ${base.currency}: no product of model ${h.target.id} admits it (${products.map((p) => `${p.id} ${p.denominations?.join('/') ?? `${p.min ?? '0'}–${p.max ?? '∞'}`}`).join(', ')})`,
    };
  return { ...base, productId: fit.id, amount };
}

/** The request's issue bodies as the provider received them, for a failure message. */
function sentBodies(h: ContractHarness, reference: string): string {
  return h
    .issueRequests(reference)
    .map((e) => JSON.stringify(e.body))
    .join('; ');
}

/** A body number with a fraction of a minor unit (`1998.9999999999998`) is the mark of binary float arithmetic. */
const FLOAT_MARK = /\d\.\d*(?:0000\d|9999\d)/;

const FLOAT_ADVICE =
  'that is binary float arithmetic (parseFloat(amount) * 100, Number(amount), Math.round/trunc of a product): use request.amount.minor (integer minor units, a bigint) or request.amount.decimal as they are';

/** Cases 14, 16, 17: the amount matrix, a second currency, a success without its voucher. */
export function moneyCases(h: ContractHarness): void {
  /** Issues `params` and checks the provider recorded exactly its amount and currency. */
  const issueExactly = async (label: string, params: IssueParams): Promise<void> => {
    const c = await h.connect();
    const ref = params.reference;
    const s = await settle(() => c.issue(params));
    const money = toMoney(params.amount, params.currency);
    const entry = (await h.ledger(ref))[0];
    const bodies = sentBodies(h, ref);
    if (!entry) {
      const floaty = FLOAT_MARK.test(bodies);
      fail(
        `${label}: an issuance of ${money.decimal} ${money.currency} (product ${params.productId}, which admits it) was not issued: your plugin reported ${describeSettled(s)}; it sent ${bodies || 'no issue request'}` +
          (floaty ? `. The amount on the wire carries a fraction of a minor unit: ${FLOAT_ADVICE}` : ''),
      );
    }
    if (entry.amount !== money.decimal || entry.currency !== money.currency) {
      const off = toMoney(entry.amount, entry.currency).minor - money.minor;
      fail(
        `${label}: the provider recorded ${entry.amount} ${entry.currency} for an issuance of ${money.decimal} ${money.currency}` +
          (entry.currency === money.currency ? ` (${off} minor unit(s) off); ${FLOAT_ADVICE}` : ": send the request's currency") +
          `. Your plugin sent ${bodies}`,
      );
    }
    if (!s.ok || s.result.status !== 'succeeded')
      fail(
        `${label}: the provider issued ${money.decimal} ${money.currency} for reference ${ref} but your plugin reported ${describeSettled(s)}`,
      );
    if ((await h.ledger(ref)).length !== 1)
      fail(
        `${label}: the provider has ${(await h.ledger(ref)).length} transactions for reference ${ref} after one issuance: expected exactly one`,
      );
  };

  it('14. amounts: 0.29, 19.99 and 1000000.01 (and 0- and 3-decimal currencies the model takes) reach the ledger in exactly the requested minor units', async function () {
    this.timeout(20_000);
    const bases = [h.params('matrix'), ...h.target.otherCurrencies];
    const proxied = h.mode === 'proxy';
    // The matrix's largest amounts are beyond a sandbox account's usual balance: the case is about exact amounts, not balances.
    if (!proxied)
      for (const currency of new Set(bases.map((b) => b.currency)))
        h.sim.setBalance(h.target.id, fromMinorUnits(10n ** 15n, currency), currency);
    const skipped: string[] = [];
    let ran = 0;
    for (const base of bases) {
      const amounts = MATRIX[currencyExponent(base.currency)] ?? [];
      for (const [i, amount] of amounts.entries()) {
        if (proxied && i === amounts.length - 1) {
          skipped.push(`${amount} ${base.currency}: proxy mode cannot set the balance it needs (only the simulator can)`);
          continue;
        }
        const params = paramsFor(h, base, amount);
        if ('skip' in params) {
          skipped.push(params.skip);
          continue;
        }
        ran += 1;
        await issueExactly(`amount ${amount} ${base.currency}`, { ...params, reference: h.reference('amount') });
      }
    }
    if (ran === 0) notRun(this, `no amount of the matrix fits the model's products: ${skipped.join('; ')}`);
    if (skipped.length > 0 && this.test) this.test.title += ` (not tried: ${skipped.join('; ')})`;
  });

  it('16. more than one currency: an issuance in a second currency lands in the ledger in that currency and amount', async function () {
    const others = h.target.otherCurrencies;
    if (others.length === 0) notRun(this, `model ${h.target.id} lists no issuance in another currency (examples.otherCurrencies)`);
    for (const other of others)
      await issueExactly(`a second currency (${other.currency})`, { ...other, reference: h.reference('currency') });
  });

  it("17. a success without its voucher (omit-voucher): outcome unknown or the ledger's voucher, never succeeded without one", async function () {
    const fault: Fault = { type: 'omit-voucher' };
    for (const single of [true, false]) {
      const c = await h.connect(single ? SINGLE_ATTEMPT : undefined);
      const ref = h.reference('no-voucher');
      h.faults([{ route: h.issueRoute, reference: ref, attempts: [1], fault }]);
      const s = await settle(() => c.issue(h.params(ref)));
      const entry = (await h.ledger(ref))[0];
      const premise = `the provider issued reference ${ref}${entry?.voucherCode ? ` (voucher ${entry.voucherCode})` : ''} but answered a well-formed success without the voucher${single ? ' (a single attempt)' : ''}`;
      if (s.ok) {
        if (s.result.status === 'succeeded' && !s.result.voucher?.code)
          fail(
            `${premise}, and your plugin reported ${describeResult(s.result)}: a success without its voucher is outcome unknown (PROVIDER_BAD_RESPONSE), or fetch the voucher`,
          );
        if (s.result.status === 'succeeded' && entry?.voucherCode !== undefined && s.result.voucher?.code !== entry.voucherCode)
          fail(`${premise}, and your plugin reported ${describeResult(s.result)}: that is not the provider's voucher`);
        if (s.result.status === 'failed') fail(`${premise}, and your plugin reported failed: the provider issued it`);
      } else if (!isConnectorError(s.error) || s.error.outcome !== 'unknown') {
        fail(
          `${premise}, and your plugin reported ${describeError(s.error)}: the provider committed, so only outcome unknown (or the ledger's voucher) is true`,
        );
      }
    }
  });
}
