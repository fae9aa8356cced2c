import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ErrorCodes,
  fromMinorUnits,
  isConnectorError,
  toMoney,
  validateIssueParams,
  type IssueParams,
  type StatusResult,
} from '@relaypoint/core';
import { settle, type ContractHarness } from '../ContractHarness.js';
import { hasRole } from '../ContractTarget.js';
import { leaks } from './leaks.js';
import { notRun } from './notRun.js';
import { assertAtMostOneIssuance, describeError, describeResult, describeSettled, fail } from '../explain.js';

/** A loopback server that is not the provider: it answers every request with an HTML 404, as a web server or proxy does for a path it does not serve. */
async function startStrayServer(): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let requests = 0;
  const server = createServer((req, res) => {
    requests += 1;
    req.resume();
    res.writeHead(404, { 'content-type': 'text/html' }).end('<html><body><h1>404 Not Found</h1></body></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // the plugin's keep-alive sockets would hold close() open
      }),
  };
}

/**
 * Cases 1, 1b, 1c, 2, 3, 3b, 9: plain issuance, a repeated reference, a
 * status lookup for a different request under a used reference, parameter
 * validation, authentication failures, a wrong base URL, and a business
 * refusal.
 */
export function issuanceCases(h: ContractHarness): void {
  it('1. happy path: issues one voucher, maps its fields, one ledger entry', async () => {
    const c = await h.connect();
    const ref = h.reference('happy');
    const params = h.params(ref);
    const s = await settle(() => c.issue(params));
    if (!s.ok) fail(`a plain issuance of reference ${ref} failed with ${describeError(s.error)}`);
    const r = s.result;
    await assertAtMostOneIssuance(h, ref);
    const entries = await h.ledger(ref);
    if (entries.length !== 1)
      fail(`the provider recorded ${entries.length} transactions for reference ${ref} after one issuance: expected exactly one`);
    const e = entries[0];
    if (r.status !== 'succeeded')
      fail(
        `the provider issued reference ${ref} (status ${e.status}) but your plugin reported ${describeResult(r)}: map the provider's success status to "succeeded"`,
      );
    if (r.reference !== ref)
      fail(
        `your plugin returned reference ${String(r.reference)} for an issuance of reference ${ref}: echo params.reference in the result`,
      );
    if (r.transactionId !== e.transactionId)
      fail(
        `your plugin reported transaction ${String(r.transactionId)} but the provider's transaction id is ${e.transactionId}: map it into transactionId`,
      );
    if (r.voucher?.code !== e.voucherCode)
      fail(
        `your plugin reported voucher ${String(r.voucher?.code)} but the provider issued ${String(e.voucherCode)}: map the voucher or card code into voucher.code`,
      );
    const money = toMoney(params.amount, params.currency);
    if (e.amount !== money.decimal || e.currency !== money.currency) {
      fail(
        `the provider recorded ${e.amount} ${e.currency} for an issuance of ${money.decimal} ${money.currency}: send the exact amount and currency (request.amount.decimal or .minor per your amountUnit)`,
      );
    }
    const sent = h.issueRequests(ref).length;
    if (sent !== 1) fail(`one successful issuance sent ${sent} issue requests to the provider: a call that succeeded must not be repeated`);
  });

  it('1b. a repeated reference returns the original issuance and issues nothing new', async function () {
    const c = await h.connect();
    const ref = h.reference('repeat');
    const first = await settle(() => c.issue(h.params(ref)));
    if (!first.ok) fail(`the first issuance of reference ${ref} failed with ${describeError(first.error)}`);
    const second = await settle(() => c.issue(h.params(ref)));
    await assertAtMostOneIssuance(h, ref);
    if ((await h.ledger(ref)).length !== 1)
      fail(`the provider recorded ${(await h.ledger(ref)).length} transactions after issuing reference ${ref} twice: expected exactly one`);
    const caps = h.plugin.capabilities;
    if (caps.duplicateReference === 'none') return; // the provider cannot tell a repeat; the host never re-sends for such plugins.
    if (!second.ok || second.result.status !== first.result.status || second.result.transactionId !== first.result.transactionId) {
      fail(
        `issuing reference ${ref} a second time returned ${describeSettled(second)} instead of the original ${describeResult(first.result)}: ` +
          `your plugin declares duplicateReference "${caps.duplicateReference}", so a repeat must come back as the original transaction ` +
          (caps.duplicateReference === 'reject-duplicate'
            ? "(on the provider's duplicate refusal, fetch the original by reference and return it)"
            : ''),
      );
    }
    if (second.result.voucher?.code !== first.result.voucher?.code) {
      fail(
        `the repeat of reference ${ref} returned voucher ${String(second.result.voucher?.code)} but the original is ${String(first.result.voucher?.code)}`,
      );
    }
    if ((await h.countOf(ref)) === undefined) {
      notRun(
        this,
        'the probe gives no count of transactions per reference, so "issues nothing new" cannot be checked (the original was returned)',
      );
    }
  });

  it("1c. a status lookup by reference never takes a different request's transaction as this one's", async function () {
    // Reconciliation asks by reference with the request it is settling. A transaction found under the reference
    // that certainly belongs to another request (a reference reused by mistake, another system sharing the
    // account) is not this issuance's: taking it would record someone else's voucher as issued for it.
    if (!h.plugin.capabilities.statusByReference) notRun(this, 'the plugin declares no status lookup by reference');
    if (!h.target.echoesAmount)
      notRun(
        this,
        `the provider's lookups (model ${h.target.id}) echo no amount, so a lookup cannot compare it: a different amount is no conflict there`,
      );
    const c = await h.connect();
    const ref = h.reference('lookup-conflict');
    const params = h.params(ref);
    const first = await settle(() => c.issue(params));
    if (!first.ok || first.result.status !== 'succeeded')
      fail(`the issuance of reference ${ref} did not succeed (${describeSettled(first)}); case 1 covers why`);
    const requirePhone = h.plugin.requiresPhone ?? false;
    const lookup = async (
      request: ReturnType<typeof validateIssueParams>,
    ): Promise<{ ok: true; result: StatusResult } | { ok: false; error: unknown }> => {
      try {
        return { ok: true, result: await c.checkStatus({ reference: ref, request }) };
      } catch (error) {
        return { ok: false, error };
      }
    };
    const ours = validateIssueParams(params, { requirePhone });
    const same = await lookup(ours);
    if (!same.ok || same.result.status !== 'succeeded' || same.result.transactionId !== first.result.transactionId) {
      fail(
        `looking up reference ${ref} with the request it was issued for returned ${same.ok ? describeResult(same.result) : describeError(same.error)} ` +
          `instead of the issued transaction ${String(first.result.transactionId)}`,
      );
    }
    const otherAmount = fromMinorUnits(ours.amount.minor * 2n, ours.amount.currency);
    const other = validateIssueParams(h.params(ref, { amount: otherAmount }), { requirePhone });
    const s = await lookup(other);
    if (s.ok) {
      fail(
        `looking up reference ${ref} for a request of ${otherAmount} ${other.amount.currency} returned ${describeResult(s.result)}, ` +
          `but the transaction holding that reference was issued for ${ours.amount.decimal} ${ours.amount.currency}: reconciliation would record ` +
          `another request's voucher as this one's. Compare the transaction you find with query.request (product, recipient, amount) and ` +
          `throw a ProviderRejectedError with code PROVIDER_REFERENCE_CONFLICT when they certainly differ`,
      );
    }
    if (!isConnectorError(s.error) || s.error.code !== ErrorCodes.PROVIDER_REFERENCE_CONFLICT) {
      fail(
        `looking up reference ${ref} for a request of ${otherAmount} ${other.amount.currency} (the transaction holding it is for ${ours.amount.decimal}) ` +
          `threw ${describeError(s.error)}: throw a ProviderRejectedError with code PROVIDER_REFERENCE_CONFLICT, the answer reconciliation settles on`,
      );
    }
    if ((await h.ledger(ref)).length !== 1)
      fail(
        `the provider recorded ${(await h.ledger(ref)).length} transactions for reference ${ref} after one issuance and two lookups: expected exactly one`,
      );
  });

  it('2. bad parameters (phone, amount, currency) are refused before any request reaches the provider', async () => {
    const c = await h.connect();
    const bad: { label: string; patch: Partial<IssueParams>; code: string }[] = [
      { label: 'phone number 0771234567 (not E.164)', patch: { phoneNumber: '0771234567' }, code: ErrorCodes.INVALID_PHONE_NUMBER },
      { label: 'phone number +1 (too short)', patch: { phoneNumber: '+1' }, code: ErrorCodes.INVALID_PHONE_NUMBER },
      { label: 'amount 5.00001 (too many decimals)', patch: { amount: '5.00001' }, code: ErrorCodes.INVALID_AMOUNT },
      { label: 'amount -5.00', patch: { amount: '-5.00' }, code: ErrorCodes.INVALID_AMOUNT },
      { label: 'amount 5e2 (an exponent)', patch: { amount: '5e2' }, code: ErrorCodes.INVALID_AMOUNT },
      { label: 'amount 0', patch: { amount: '0' }, code: ErrorCodes.INVALID_AMOUNT },
      { label: 'currency XYZ', patch: { currency: 'XYZ' }, code: ErrorCodes.INVALID_CURRENCY },
      { label: 'currency usd (lower case)', patch: { currency: 'usd' }, code: ErrorCodes.INVALID_CURRENCY },
    ];
    if (h.plugin.requiresPhone || h.target.id === 'airtime') {
      bad.push({ label: 'no phone number', patch: { phoneNumber: undefined }, code: ErrorCodes.INVALID_PHONE_NUMBER });
    }
    for (const b of bad) {
      const ref = h.reference('badparams');
      const params = { ...h.params(ref), ...b.patch };
      if ('phoneNumber' in b.patch && b.patch.phoneNumber === undefined) delete params.phoneNumber;
      const s = await settle(() => c.issue(params));
      const reached = h.providerRequests();
      if (reached.length > 0) {
        const hint =
          b.label === 'no phone number' ? ' (declare requiresPhone: true in your plugin definition so the pipeline refuses it)' : '';
        fail(
          `an issuance with ${b.label} reached the provider (${reached.length} request(s): ${reached.map((e) => `${e.method} ${e.path}`).join(', ')}): invalid parameters must be refused before any request${hint}`,
        );
      }
      if (s.ok) fail(`an issuance with ${b.label} returned ${describeResult(s.result)}: it must be refused with ${b.code}`);
      if (!isConnectorError(s.error) || s.error.code !== b.code || s.error.outcome !== 'not_sent') {
        fail(`an issuance with ${b.label} was refused with ${describeError(s.error)}: expected ${b.code} with outcome not_sent`);
      }
    }
    if ((await h.ledger()).length > 0) fail(`the provider recorded ${(await h.ledger()).length} transaction(s) for invalid parameters`);
  });

  it('2b. a product or amount the catalogue does not offer is refused before any order is sent', async function () {
    if (!h.target.hasCatalogue) notRun(this, `the provider (model ${h.target.id}) has no catalogue of products to check against`);
    const c = await h.connect();
    const cases: { label: string; patch: Partial<IssueParams> }[] = [];
    const fixed = h.target.products.find((p) => p.denominations && p.denominations.length > 0);
    if (fixed?.denominations) {
      const first = toMoney(fixed.denominations[0], fixed.currency);
      const amount = fromMinorUnits(first.minor + 1n, fixed.currency);
      cases.push({
        label: `amount ${amount} for a product sold in fixed denominations (${fixed.denominations.join(', ')})`,
        patch: { productId: fixed.id, amount, currency: fixed.currency },
      });
    }
    const ranged = h.target.products.find((p) => p.max !== undefined);
    if (ranged?.max !== undefined) {
      const amount = fromMinorUnits(toMoney(ranged.max, ranged.currency).minor + 100n, ranged.currency);
      cases.push({
        label: `amount ${amount} above the range of ${ranged.id} (${ranged.min ?? '0'}–${ranged.max})`,
        patch: { productId: ranged.id, amount, currency: ranged.currency },
      });
    }
    const missing = `${h.params('x').productId}-NOT-A-PRODUCT`;
    cases.push({ label: `a product the catalogue does not list (${missing})`, patch: { productId: missing } });
    for (const k of cases) {
      const ref = h.reference('catalogue');
      const s = await settle(() => c.issue(h.params(ref, k.patch)));
      const orders = h.issueRequests();
      if (orders.length > 0)
        fail(`an issuance with ${k.label} sent an order to the provider: check product and amount against the catalogue before ordering`);
      if (s.ok) fail(`an issuance with ${k.label} returned ${describeResult(s.result)}: it must be refused`);
      if (!isConnectorError(s.error) || s.error.outcome === 'unknown' || s.error.retryable) {
        fail(
          `an issuance with ${k.label} was refused with ${describeError(s.error)}: expected a non-retryable refusal (e.g. PROVIDER_INVALID_PRODUCT) with outcome not_sent`,
        );
      }
    }
  });

  it('3. authentication failure: coded, not retried, nothing issued, no secret in the error, its cause or the log', async () => {
    const good = h.config();
    const secrets = h.secrets(good);
    if (secrets.length === 0) {
      fail(
        'the plugin\'s configSchema marks no field secret ("x-secret": true or writeOnly: true), but the provider needs credentials: mark them so hosts redact them',
      );
    }
    for (const secret of secrets) {
      h.resetProvider();
      const config = h.configWithWrongSecret(secret.path);
      const wrong = h.secrets(config).find((x) => x.path === secret.path)?.value ?? '';
      const before = h.logger.lines.length;
      const c = await h.connect(undefined, config);
      const ref = h.reference('auth');
      const s = await settle(() => c.issue(h.params(ref)));
      if (s.ok)
        fail(
          `with a wrong ${secret.path} the issuance returned ${describeResult(s.result)}: the provider refused the credentials, so it must fail`,
        );
      const e = s.error;
      const codes: string[] = [ErrorCodes.PROVIDER_AUTH_FAILED, ErrorCodes.PROVIDER_SIGNATURE_REJECTED];
      if (!isConnectorError(e) || !codes.includes(e.code))
        fail(`with a wrong ${secret.path} the call failed with ${describeError(e)}: expected ${codes.join(' or ')}`);
      if (e.retryable)
        fail(`with a wrong ${secret.path} the error ${e.code} is marked retryable: bad credentials do not get better by retrying`);
      if (e.outcome !== 'rejected')
        fail(
          `with a wrong ${secret.path} the error ${e.code} has outcome ${e.outcome}: the provider refused it, so the outcome is rejected`,
        );
      const sent = h.issueRequests().length;
      if (sent > 1)
        fail(`with a wrong ${secret.path} your plugin sent ${sent} issue requests: a refusal for bad credentials must not be retried`);
      if ((await h.ledger()).length > 0) fail(`with a wrong ${secret.path} the provider recorded a transaction`);
      const lines = h.logger.lines.slice(before).map((l) => l.line);
      for (const value of [wrong, ...secrets.map((x) => x.value)]) {
        const where = leaks(value, e, lines);
        if (where.length)
          fail(
            `the value of ${secret.path} (or another secret) appears in ${where.join(' and ')}: never put credentials, headers or the request config in errors, causes or logs (use toConnectorError, which keeps a sanitised cause)`,
          );
      }
    }
  });

  it("3b. a wrong base URL (a server without the provider's routes answers a bare 404): issue fails coded, a lookup never reads as not found", async () => {
    // A 404 page from a web server or proxy says nothing about the provider's transactions. Read as "not found",
    // reconciliation would conclude that nothing was issued; read as success, a customer would be told of a
    // voucher that does not exist.
    const stray = await startStrayServer();
    try {
      const c = await h.connect(undefined, h.configAt(`${stray.url}${h.pathPrefix}`));
      const ref = h.reference('wrong-url');
      const s = await settle(() => c.issue(h.params(ref)));
      if (s.ok)
        fail(
          `with a base URL whose server answers every request with a bare 404 page, issuing reference ${ref} returned ${describeResult(s.result)}: a 4xx is never a success`,
        );
      if (!isConnectorError(s.error))
        fail(
          `with a base URL whose server answers a bare 404 page, the issuance threw ${describeError(s.error)}: throw a coded ConnectorError (toConnectorError or the provider error mapping)`,
        );
      if (stray.requests() === 0)
        fail(
          `the issuance of reference ${ref} never reached the configured base URL ${stray.url}${h.pathPrefix}: build every request URL from config.baseUrl`,
        );
      const queries: { label: string; query: { reference: string } | { transactionId: string } }[] = [];
      if (hasRole(h.target, 'status-by-id')) queries.push({ label: 'by transaction id', query: { transactionId: 'TX-wrong-url' } });
      if (h.plugin.capabilities.statusByReference) queries.push({ label: 'by reference', query: { reference: ref } });
      for (const q of queries) {
        let found: StatusResult | undefined;
        try {
          found = await c.checkStatus(q.query);
        } catch (error) {
          if (!isConnectorError(error))
            fail(`a status lookup ${q.label} against a bare 404 page threw ${describeError(error)}: throw a coded ConnectorError`);
          if (error.code === ErrorCodes.PROVIDER_NOT_FOUND) {
            fail(
              `a status lookup ${q.label} against a server without the provider's routes threw PROVIDER_NOT_FOUND: only the provider's own "no such transaction" answer means not found`,
            );
          }
          continue;
        }
        fail(
          `a status lookup ${q.label} against a server that answers every request with a bare 404 page returned ${describeResult(found)}: ` +
            (found.status === 'not_found'
              ? `reconciliation would conclude that nothing was issued. Say not_found only on the provider's own "no such transaction" answer (its error code), and throw for any other 404`
              : 'a 4xx is never a transaction state'),
        );
      }
      if ((await h.ledger()).length > 0)
        fail(
          `the simulator recorded ${(await h.ledger()).length} transaction(s) while the plugin was configured with another server's URL`,
        );
    } finally {
      await stray.close();
    }
  });

  it('9. insufficient balance: rejected, nothing issued, no retry storm', async function () {
    if (!h.target.reportsInsufficientBalance) notRun(this, `the provider (model ${h.target.id}) has no insufficient-balance answer`);
    h.simulatorOnly(this, 'the account balance (this case empties it to get the insufficient-balance answer)');
    const c = await h.connect();
    const currency = h.params('balance').currency;
    h.sim.setBalance(h.target.id, fromMinorUnits(0n, currency), currency);
    const ref = h.reference('balance');
    const s = await settle(() => c.issue(h.params(ref)));
    if (s.ok) fail(`with a zero balance the issuance returned ${describeResult(s.result)}: the provider refused it`);
    const e = s.error;
    if (!isConnectorError(e) || e.code !== ErrorCodes.PROVIDER_INSUFFICIENT_BALANCE || e.outcome !== 'rejected') {
      fail(`with a zero balance the call failed with ${describeError(e)}: expected PROVIDER_INSUFFICIENT_BALANCE with outcome rejected`);
    }
    if (e.retryable)
      fail('PROVIDER_INSUFFICIENT_BALANCE is marked retryable: a business refusal is final, retrying it only hammers the provider');
    const sent = h.issueRequests().length;
    if (sent !== 1)
      fail(
        `after the provider said the balance is too low your plugin sent ${sent} issue requests in total: a business refusal must not be retried`,
      );
    if ((await h.ledger()).some((x) => x.debited)) fail('the provider debited a transaction it refused for insufficient balance');
  });
}
