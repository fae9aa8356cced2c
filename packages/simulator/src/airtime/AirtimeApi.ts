import { createHmac, timingSafeEqual } from 'node:crypto';
import { fromMinorUnits } from '@relaypoint/core';
import type { Account } from '../config/ResolvedConfig.js';
import { errorAnswer, type Answer } from '../http/Answer.js';
import { parseAmount } from '../http/parseAmount.js';
import { header, queryParam, type RequestContext } from '../http/RequestContext.js';
import { Transaction } from '../ledger/Transaction.js';
import type { SimulatorState } from '../SimulatorState.js';

const E164 = /^\+[1-9]\d{7,14}$/;
const HEX64 = /^[0-9a-fA-F]{64}$/;
const MESSAGES = {
  success: 'Voucher issued',
  pending: 'Accepted; awaiting confirmation from the operator',
  failed: 'Declined by the operator; nothing was debited',
} as const;

type AuthResult = { account: Account } | { answer: Answer };

/**
 * The airtime provider of the notes: `X-API-Key` plus `X-Signature`, the hex
 * HMAC-SHA256 of the raw body with the account secret (checked in constant
 * time over the bytes received). It rejects a repeated reference with 409
 * `DUPLICATE_REFERENCE` before any other business check.
 */
export class AirtimeApi {
  constructor(private readonly state: SimulatorState) {}

  /** Reference of a request, known before it is processed (for the journal and fault rules). */
  referenceOf(ctx: RequestContext, statusId: string | undefined): string | undefined {
    if (ctx.route === 'airtime.issue') {
      const ref = (ctx.json as { reference?: unknown } | undefined)?.reference;
      return typeof ref === 'string' ? ref : undefined;
    }
    if (ctx.route === 'airtime.lookup') return queryParam(ctx.query, 'reference');
    if (statusId !== undefined) return this.state.ledgers.airtime.peekById(statusId)?.reference;
    return undefined;
  }

  private authenticate(ctx: RequestContext, signed: boolean): AuthResult {
    const key = header(ctx.headers, 'x-api-key');
    const account = key === undefined ? undefined : this.state.config.airtime.byKey.get(key);
    if (!account) return { answer: errorAnswer(401, 'INVALID_API_KEY', 'missing or unknown X-API-Key') };
    if (!signed) return { account };
    const sig = header(ctx.headers, 'x-signature');
    if (sig === undefined || !HEX64.test(sig)) return { answer: errorAnswer(401, 'INVALID_SIGNATURE', 'missing or malformed X-Signature (hex HMAC-SHA256 of the body)') };
    const expected = createHmac('sha256', account.secret!).update(ctx.raw).digest();
    if (!timingSafeEqual(expected, Buffer.from(sig, 'hex'))) return { answer: errorAnswer(401, 'INVALID_SIGNATURE', 'X-Signature does not match the body') };
    return { account };
  }

  /** `POST /airtime/issue`. */
  issue(ctx: RequestContext): Answer {
    const auth = this.authenticate(ctx, true);
    if ('answer' in auth) return auth.answer;
    const { account } = auth;
    const body = ctx.json;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return errorAnswer(400, 'INVALID_REQUEST', 'the body must be a JSON object');
    const b = body as Record<string, unknown>;
    const { reference, product_id: productId, phone_number: phone, amount, currency } = b;
    if (typeof reference !== 'string' || reference.length === 0 || reference.length > 100) return errorAnswer(400, 'INVALID_REQUEST', 'reference must be a string of 1 to 100 characters');
    const ledger = this.state.ledgers.airtime;
    const original = ledger.findByReference(account, reference);
    if (original) return errorAnswer(409, 'DUPLICATE_REFERENCE', `reference "${reference}" was already used`, { transaction_id: original.id });
    if (typeof productId !== 'string' || typeof phone !== 'string' || amount === undefined) return errorAnswer(400, 'INVALID_REQUEST', 'product_id, phone_number and amount are required');
    const section = this.state.config.airtime;
    const product = section.products.get(productId);
    if (!product) return errorAnswer(400, 'INVALID_PRODUCT', `unknown product "${productId}"`);
    if (!E164.test(phone) || phone.endsWith('0002')) return errorAnswer(400, 'INVALID_PHONE_NUMBER', `phone number "${phone}" is not valid for this operator`);
    if (currency !== undefined && currency !== section.currency) return errorAnswer(400, 'INVALID_CURRENCY', `this account is in ${section.currency}`);
    const minor = parseAmount(amount, section.currency);
    if (minor === undefined || minor < product.min || minor > product.max) {
      return errorAnswer(400, 'INVALID_AMOUNT', `amount must be between ${fromMinorUnits(product.min, section.currency)} and ${fromMinorUnits(product.max, section.currency)} ${section.currency}`);
    }
    if (this.state.scenario.operatorDown || phone.endsWith('0004')) return errorAnswer(503, 'OPERATOR_UNAVAILABLE', 'the operator is unavailable; try again later');
    const now = this.state.now();
    const window = this.state.recentRechargeWindowMs;
    const phoneKey = `${account.id}\u0000${phone}`;
    if (window > 0) {
      const last = this.state.recentPhones.get(phoneKey);
      if (last !== undefined && now - last < window) {
        // Real providers say when the number can be recharged again; clients (the airtime plugin) read it as retryAfterMs.
        const retryAfter = String(Math.max(1, Math.ceil((window - (now - last)) / 1000)));
        return errorAnswer(429, 'PHONE_RECENTLY_RECHARGED', `${phone} was recharged less than ${window} ms ago`, undefined, { 'retry-after': retryAfter });
      }
    }
    const declined = phone.endsWith('0006');
    if (!declined && account.balance < minor) return errorAnswer(402, 'INSUFFICIENT_BALANCE', 'the account balance is too low');
    const tx = new Transaction({
      provider: 'airtime', account, reference, productId: product.id, minor, currency: section.currency, createdAt: now, seed: this.state.seed,
      ...(product.pending && !declined ? { pending: product.pending } : {}),
      declined, phoneNumber: phone,
    });
    if (tx.debited) account.balance -= minor;
    ledger.add(tx);
    if (window > 0 && !declined) this.state.recentPhones.set(phoneKey, now);
    const status = tx.status as 'success' | 'pending' | 'failed';
    return { status: 200, body: { voucher_code: tx.voucherCode ?? null, transaction_id: tx.id, status, message: MESSAGES[status] } };
  }

  /** `GET /airtime/status/:id` and `GET /airtime/transactions?reference=R`: one status poll. */
  read(ctx: RequestContext, statusId: string | undefined): Answer {
    const auth = this.authenticate(ctx, false);
    if ('answer' in auth) return auth.answer;
    const ledger = this.state.ledgers.airtime;
    let tx: Transaction | undefined;
    if (statusId !== undefined) tx = ledger.findById(auth.account, statusId);
    else {
      const ref = queryParam(ctx.query, 'reference');
      if (ref === undefined) return errorAnswer(400, 'INVALID_REQUEST', 'the reference query parameter is required');
      tx = ledger.findByReference(auth.account, ref);
    }
    if (!tx) return errorAnswer(404, 'TRANSACTION_NOT_FOUND', 'no transaction matches');
    tx.poll(this.state.now());
    const status = tx.status as 'success' | 'pending' | 'failed';
    return {
      status: 200,
      body: {
        transaction_id: tx.id, reference: tx.reference, status, voucher_code: tx.voucherCode ?? null, product_id: tx.productId,
        phone_number: tx.phoneNumber, amount: fromMinorUnits(tx.minor, tx.currency), currency: tx.currency, message: MESSAGES[status],
        created_at: new Date(tx.createdAt).toISOString(),
      },
    };
  }
}
