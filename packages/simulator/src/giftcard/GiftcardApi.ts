import { fromMinorUnits } from '@relaypoint/core';
import type { Account } from '../config/ResolvedConfig.js';
import { errorAnswer, type Answer } from '../http/Answer.js';
import { parseAmount } from '../http/parseAmount.js';
import { header, queryParam, type RequestContext } from '../http/RequestContext.js';
import { Transaction } from '../ledger/Transaction.js';
import type { SimulatorState } from '../SimulatorState.js';

/**
 * The gift-card provider: API key only (`X-API-Key` or `Authorization:
 * Bearer`), a catalogue, and orders keyed by `external_ref` where a repeat
 * returns the original order (like Tango Card and Tremendous) and a repeat
 * with a different body is a 409 `EXTERNAL_REF_CONFLICT`.
 */
export class GiftcardApi {
  private productsBody: object | undefined;

  constructor(private readonly state: SimulatorState) {}

  /** Reference of a request, known before it is processed (for the journal and fault rules). */
  referenceOf(ctx: RequestContext, orderId: string | undefined): string | undefined {
    if (ctx.route === 'giftcard.order') {
      const ref = (ctx.json as { external_ref?: unknown } | undefined)?.external_ref;
      return typeof ref === 'string' ? ref : undefined;
    }
    if (ctx.route === 'giftcard.lookup') return queryParam(ctx.query, 'external_ref');
    if (orderId !== undefined) return this.state.ledgers.giftcard.peekById(orderId)?.reference;
    return undefined;
  }

  private authenticate(ctx: RequestContext): Account | Answer {
    let key = header(ctx.headers, 'x-api-key');
    if (key === undefined) {
      const auth = header(ctx.headers, 'authorization');
      const m = auth === undefined ? null : /^Bearer\s+(.+)$/i.exec(auth);
      if (m) key = m[1].trim();
    }
    const account = key === undefined ? undefined : this.state.config.giftcard.byKey.get(key);
    return account ?? errorAnswer(401, 'INVALID_API_KEY', 'missing or unknown API key (X-API-Key or Authorization: Bearer)');
  }

  /** `GET /giftcard/products`. */
  products(ctx: RequestContext): Answer {
    const auth = this.authenticate(ctx);
    if (!('id' in auth)) return auth;
    this.productsBody ??= { products: [...this.state.config.giftcard.products.values()].map((p) => p.wire) };
    return { status: 200, body: this.productsBody };
  }

  /** `POST /giftcard/orders`. */
  order(ctx: RequestContext): Answer {
    const auth = this.authenticate(ctx);
    if (!('id' in auth)) return auth;
    const account = auth;
    const body = ctx.json;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return errorAnswer(400, 'INVALID_REQUEST', 'the body must be a JSON object');
    const b = body as Record<string, unknown>;
    const { external_ref: ref, product_id: productId, amount, currency, customer_id: customerId, recipient } = b;
    if (typeof ref !== 'string' || ref.length === 0 || ref.length > 100) return errorAnswer(400, 'INVALID_REQUEST', 'external_ref must be a string of 1 to 100 characters');
    if (typeof productId !== 'string' || typeof currency !== 'string' || amount === undefined) return errorAnswer(400, 'INVALID_REQUEST', 'product_id, amount and currency are required');
    if (customerId !== undefined && typeof customerId !== 'string') return errorAnswer(400, 'INVALID_REQUEST', 'customer_id must be a string');
    const section = this.state.config.giftcard;
    const minor = parseAmount(amount, section.currency);
    const fingerprint = JSON.stringify([productId, minor === undefined ? amount : minor.toString(), currency, customerId ?? null, recipient ?? null]);
    const ledger = this.state.ledgers.giftcard;
    const original = ledger.findByReference(account, ref);
    if (original) {
      if (original.order?.fingerprint !== fingerprint) return errorAnswer(409, 'EXTERNAL_REF_CONFLICT', `external_ref "${ref}" belongs to a different order`, { order_id: original.id });
      original.settle(this.state.now());
      return { status: 200, body: orderBody(original) };
    }
    const product = section.products.get(productId);
    if (!product) return errorAnswer(400, 'INVALID_PRODUCT', `unknown product "${productId}"`);
    if (currency !== product.currency) return errorAnswer(400, 'INVALID_CURRENCY', `product ${product.id} is sold in ${product.currency}`);
    const valid = minor !== undefined && (product.denominations ? product.denominations.includes(minor) : minor >= product.min! && minor <= product.max!);
    if (!valid) {
      const allowed = product.denominations
        ? `one of ${product.denominations.map((d) => fromMinorUnits(d, product.currency)).join(', ')}`
        : `between ${fromMinorUnits(product.min!, product.currency)} and ${fromMinorUnits(product.max!, product.currency)}`;
      return errorAnswer(400, 'INVALID_AMOUNT', `amount must be ${allowed} ${product.currency}`);
    }
    if (account.balance < minor!) return errorAnswer(402, 'INSUFFICIENT_BALANCE', 'the account balance is too low');
    const tx = new Transaction({
      provider: 'giftcard', account, reference: ref, productId: product.id, minor: minor!, currency: product.currency, createdAt: this.state.now(), seed: this.state.seed,
      ...(product.pending ? { pending: product.pending } : {}),
      order: { fingerprint, customerId: customerId as string | undefined, recipient },
    });
    account.balance -= minor!;
    ledger.add(tx);
    return { status: 201, body: orderBody(tx) };
  }

  /** `GET /giftcard/orders/:id` and `GET /giftcard/orders?external_ref=R`: one status poll. */
  read(ctx: RequestContext, orderId: string | undefined): Answer {
    const auth = this.authenticate(ctx);
    if (!('id' in auth)) return auth;
    const ledger = this.state.ledgers.giftcard;
    let tx: Transaction | undefined;
    if (orderId !== undefined) tx = ledger.findById(auth, orderId);
    else {
      const ref = queryParam(ctx.query, 'external_ref');
      if (ref === undefined) return errorAnswer(400, 'INVALID_REQUEST', 'the external_ref query parameter is required');
      tx = ledger.findByReference(auth, ref);
    }
    if (!tx) return errorAnswer(404, 'ORDER_NOT_FOUND', 'no order matches');
    tx.poll(this.state.now());
    return { status: 200, body: orderBody(tx) };
  }
}

function orderBody(tx: Transaction): object {
  const code = tx.voucherCode;
  return {
    id: tx.id,
    external_ref: tx.reference,
    product_id: tx.productId,
    amount: fromMinorUnits(tx.minor, tx.currency),
    currency: tx.currency,
    status: tx.status,
    card: code === undefined ? null : { code, pin: tx.pin, redemption_url: `https://giftcards.sim.relaypoint.test/redeem/${code}` },
    customer_id: tx.order?.customerId ?? null,
    recipient: tx.order?.recipient ?? null,
    created_at: new Date(tx.createdAt).toISOString(),
  };
}
