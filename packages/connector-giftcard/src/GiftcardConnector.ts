import {
  ErrorCodes,
  NotSentError,
  OutcomeUnknownError,
  ProviderRejectedError,
  compareEchoedAmount,
  createHttpClient,
  hasOutcome,
  isConnectorError,
  parseJsonBody,
  responseStatusOf,
  toConnectorError,
  withIdempotentRetry,
  type AmountMatch,
  type CallOptions,
  type Connector,
  type ConnectorContext,
  type HttpClient,
  type HttpResponse,
  type IssueRequest,
  type IssueResult,
  type IssueStatus,
  type Logger,
  type StatusQuery,
  type StatusResult,
  type Voucher,
} from '@relaypoint/core';
import type { GiftcardConnectorConfig } from './config.types.js';
import { GiftcardCatalogue } from './GiftcardCatalogue.js';
import { mapGiftcardError, readErrorEnvelope } from './mapGiftcardError.js';

/** Default HTTP timeout of one request, ms. */
export const DEFAULT_GIFTCARD_TIMEOUT_MS = 10_000;
/** Default catalogue cache lifetime, ms (5 minutes). */
export const DEFAULT_CATALOGUE_TTL_MS = 300_000;

const PROVIDER = 'giftcard';
const STATUS: Record<string, IssueStatus> = { complete: 'succeeded', pending: 'pending', failed: 'failed' };

/** An order as the provider returns it. */
interface WireOrder {
  id: string;
  external_ref: string;
  status: string;
  product_id?: unknown;
  amount?: unknown;
  currency?: unknown;
  card?: { code?: unknown; pin?: unknown; redemption_url?: unknown } | null;
}

function badResponse(what: string): OutcomeUnknownError {
  return new OutcomeUnknownError(
    ErrorCodes.PROVIDER_BAD_RESPONSE,
    `gift-card provider answered 2xx with ${what}; the order may have been committed`,
    { retryable: true },
  );
}

/** Checks the shape of a 2xx order: anything unexpected is an unknown outcome, never a success. */
function readOrder(body: unknown, reference?: string): WireOrder {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badResponse('a body that is not a JSON object');
  const o = body as Record<string, unknown>;
  if (typeof o.id !== 'string' || o.id === '') throw badResponse('no order id');
  if (typeof o.external_ref !== 'string') throw badResponse('no external_ref');
  if (reference !== undefined && o.external_ref !== reference) throw badResponse(`an order for another reference (${o.external_ref})`);
  if (typeof o.status !== 'string' || !(o.status in STATUS)) throw badResponse(`an unexpected status ${JSON.stringify(o.status)}`);
  const card = o.card as WireOrder['card'];
  if (o.status === 'complete' && (card === null || typeof card !== 'object' || typeof card.code !== 'string' || card.code === '')) {
    throw badResponse('status complete but no card code');
  }
  return o as unknown as WireOrder;
}

function toResult(order: WireOrder): IssueResult {
  const status = STATUS[order.status];
  let voucher: Voucher | undefined;
  if (status === 'succeeded' && order.card && typeof order.card.code === 'string') {
    voucher = {
      code: order.card.code,
      ...(typeof order.card.pin === 'string' && order.card.pin !== '' ? { pin: order.card.pin } : {}),
      ...(typeof order.card.redemption_url === 'string' && order.card.redemption_url !== ''
        ? { redemptionUrl: order.card.redemption_url }
        : {}),
    };
  }
  return { status, reference: order.external_ref, transactionId: order.id, ...(voucher ? { voucher } : {}), providerCode: order.status };
}

/** How a field of an order compares with the request: the same, certainly different, or impossible to tell. */
type Match = AmountMatch;

function compareText(wire: unknown, ours: string): Match {
  if (wire === undefined) return 'same';
  if (typeof wire !== 'string') return 'doubtful';
  return wire === ours ? 'same' : 'different';
}

/** The fields of `order` that differ from the request, and those that cannot be compared. */
function compareOrder(order: WireOrder, req: IssueRequest, productId: string): { different: string[]; doubtful: string[] } {
  const checks: [string, Match][] = [
    ['product', compareText(order.product_id, productId)],
    ['currency', compareText(order.currency, req.amount.currency)],
    ['amount', compareEchoedAmount(order.amount, req.amount, 'major')],
  ];
  return {
    different: checks.filter(([, m]) => m === 'different').map(([f]) => f),
    doubtful: checks.filter(([, m]) => m === 'doubtful').map(([f]) => f),
  };
}

/** The external_ref is held by an order for a different item: nothing was (or can be) ordered for this request under it. */
function referenceConflict(reference: string, order: WireOrder, different: string[], httpStatus: number): ProviderRejectedError {
  return new ProviderRejectedError(
    ErrorCodes.PROVIDER_REFERENCE_CONFLICT,
    `external_ref ${reference} already belongs to gift-card order ${order.id} for a different item (${different.join(', ')} differ); nothing new was ordered`,
    { retryable: false, httpStatus },
  );
}

/**
 * The gift-card provider's connector. Checks product and amount against the
 * provider's catalogue (cached) before ordering, orders with
 * `external_ref` = our reference (a repeat returns the original order, so a
 * re-send never orders twice), and maps the card's code, PIN and URL.
 */
export class GiftcardConnector implements Connector {
  private readonly http: HttpClient;
  private readonly catalogueHttp: HttpClient;
  private readonly catalogue: GiftcardCatalogue;
  private readonly products: Record<string, string>;
  private readonly logger: Logger;

  constructor(config: GiftcardConnectorConfig, ctx: Pick<ConnectorContext, 'logger'> & Partial<Pick<ConnectorContext, 'clock'>>) {
    const client = {
      baseURL: config.baseUrl.replace(/\/+$/, ''),
      timeoutMs: config.timeoutMs ?? DEFAULT_GIFTCARD_TIMEOUT_MS,
      headers: { 'X-API-Key': config.apiKey, 'Content-Type': 'application/json', Accept: 'application/json' },
    };
    this.http = createHttpClient(client);
    // The catalogue is a read: safe to retry on its own, and its failure never reaches an order.
    this.catalogueHttp = withIdempotentRetry(createHttpClient(client), { retries: 2 });
    this.catalogue = new GiftcardCatalogue({
      fetch: () => this.fetchCatalogue(),
      ttlMs: config.catalogueTtlMs ?? DEFAULT_CATALOGUE_TTL_MS,
      defaultCurrency: config.defaultCurrency ?? 'USD',
      ...(ctx.clock ? { clock: ctx.clock } : {}),
    });
    this.products = { ...(config.products ?? {}) };
    this.logger = ctx.logger;
  }

  async issueVoucher(req: IssueRequest, options: CallOptions = {}): Promise<IssueResult> {
    const productId = this.products[req.productId] ?? req.productId;
    await this.checkCatalogue(productId, req, options);
    const body = {
      product_id: productId,
      amount: req.amount.decimal,
      currency: req.amount.currency,
      external_ref: req.reference,
      customer_id: req.customerId,
    };
    const started = Date.now();
    let res: HttpResponse<string>;
    try {
      res = await this.http.post<string>('/orders', body, { signal: options.signal, validateStatus: () => true, maxRedirects: 0 });
    } catch (e) {
      // A 409 whose body was cut short: an order with this external_ref exists; look at it rather than guess.
      if (responseStatusOf(e) === 409) {
        this.logger.debug(
          { op: 'order', reference: req.reference, httpStatus: 409, ms: Date.now() - started },
          'gift-card order answered 409 with an unreadable body',
        );
        return this.resolveExisting(req, productId, options, undefined);
      }
      throw toConnectorError(e, { sent: true, provider: PROVIDER });
    }
    this.logger.debug(
      { op: 'order', reference: req.reference, httpStatus: res.status, ms: Date.now() - started },
      'gift-card order answered',
    );
    if (res.status >= 200 && res.status < 300) {
      // 201: a new order; 200: the provider already had this external_ref and returned the original,
      // which it does "even for a different item": check it is the order this request asked for.
      const order = readOrder(parseJsonBody(res), req.reference);
      this.checkOrderMatches(order, req, productId, res.status === 200 ? 'original' : 'created', res.status);
      return toResult(order);
    }
    const envelope = readErrorEnvelope(res.data);
    if (res.status === 409 && envelope.code !== 'EXTERNAL_REF_CONFLICT') {
      // A 409 without the documented conflict code (a proxy's page, an unreadable body): an order with this
      // external_ref may exist, so look at it; never a refusal before that.
      return this.resolveExisting(req, productId, options, envelope.code);
    }
    if (
      res.status === 400 &&
      (envelope.code === 'INVALID_PRODUCT' || envelope.code === 'INVALID_AMOUNT' || envelope.code === 'INVALID_CURRENCY')
    ) {
      // Our cache allowed what the provider refused: it is stale.
      this.catalogue.invalidate();
    }
    throw mapGiftcardError({ status: res.status, headers: res.headers, ...envelope });
  }

  async checkStatus(query: StatusQuery, options: CallOptions = {}): Promise<StatusResult> {
    const order = await this.fetchOrder(query, options);
    if (order === null) {
      return typeof query.transactionId === 'string'
        ? { status: 'not_found', transactionId: query.transactionId }
        : { status: 'not_found', reference: query.reference as string };
    }
    if (query.request) {
      // The provider keeps one order per external_ref, "even for a different item": only ours is an answer. A field
      // that cannot be compared does not make it another's (the lookup is taken, as before requests were passed).
      const req = query.request;
      const { different } = compareOrder(order, req, this.products[req.productId] ?? req.productId);
      if (different.length > 0) throw referenceConflict(req.reference, order, different, 200);
    }
    return toResult(order);
  }

  close(): void {
    for (const http of [this.http, this.catalogueHttp]) {
      for (const agent of [http.defaults.httpAgent, http.defaults.httpsAgent]) {
        (agent as { destroy?: () => void } | undefined)?.destroy?.();
      }
    }
  }

  /**
   * The provider answered our order with a 409 it did not explain: an order
   * with this external_ref may exist. Read it by reference: the order this
   * request asked for is returned as the result; an order for a different
   * item is a conflict (`rejected`: nothing new was ordered for this
   * request); anything that cannot settle it is `unknown`, never `rejected`.
   */
  private async resolveExisting(
    req: IssueRequest,
    productId: string,
    options: CallOptions,
    code: string | undefined,
  ): Promise<IssueResult> {
    const unknown = (why: string, cause?: unknown): OutcomeUnknownError =>
      new OutcomeUnknownError(
        ErrorCodes.PROVIDER_BAD_RESPONSE,
        `gift-card provider answered 409 (${code ?? 'unreadable body'}) for external_ref ${req.reference} but ${why}; the order may exist`,
        {
          retryable: true,
          httpStatus: 409,
          providerCode: code ?? 'HTTP_409',
          ...(isConnectorError(cause) ? { cause } : {}),
        },
      );
    let order: WireOrder | null;
    try {
      order = await this.fetchOrder({ reference: req.reference }, options);
    } catch (e) {
      throw unknown('the order could not be read back', e);
    }
    if (order === null) throw unknown('the provider has no order for it');
    this.checkOrderMatches(order, req, productId, 'original', 409);
    this.logger.info({ op: 'order', reference: req.reference, transactionId: order.id }, 'gift-card 409 resolved to the original order');
    return toResult(order);
  }

  /**
   * Throws unless `order` is the one `req` asked for (product, amount,
   * currency). An original returned for a repeated reference that belongs to
   * another item is a reference conflict (`rejected`: nothing new was ordered
   * for this request). A new order (201) that does not match, or fields that
   * cannot be compared, are `unknown`: something may have been ordered.
   */
  private checkOrderMatches(
    order: WireOrder,
    req: IssueRequest,
    productId: string,
    kind: 'original' | 'created',
    httpStatus: number,
  ): void {
    const { different, doubtful } = compareOrder(order, req, productId);
    if (different.length > 0 && kind === 'original') throw referenceConflict(req.reference, order, different, httpStatus);
    if (different.length > 0 || doubtful.length > 0) {
      throw new OutcomeUnknownError(
        ErrorCodes.PROVIDER_BAD_RESPONSE,
        `gift-card provider answered ${httpStatus} with order ${order.id} whose ${[...different, ...doubtful].join(', ')} ${different.length > 0 ? 'differ from' : 'cannot be compared with'} the request; the order may have been committed`,
        { retryable: true, httpStatus },
      );
    }
  }

  /** One order read: the order, or `null` when the provider has none for the query. */
  private async fetchOrder(query: StatusQuery, options: CallOptions): Promise<WireOrder | null> {
    const config = { signal: options.signal, validateStatus: () => true, maxRedirects: 0 };
    const byId = typeof query.transactionId === 'string';
    const res = await this.send(() =>
      byId
        ? this.http.get<string>(`/orders/${encodeURIComponent(query.transactionId as string)}`, config)
        : this.http.get<string>('/orders', { ...config, params: { external_ref: query.reference } }),
    );
    if (res.status >= 200 && res.status < 300) return readOrder(parseJsonBody(res), byId ? undefined : query.reference);
    const envelope = readErrorEnvelope(res.data);
    // Only the provider's own "not found" counts: a bare 404 must not make reconciliation conclude nothing was ordered.
    if (res.status === 404 && envelope.code === 'ORDER_NOT_FOUND') return null;
    throw mapGiftcardError({ status: res.status, headers: res.headers, ...envelope });
  }

  /** Refuses locally what the provider would refuse; any failure here happens before the order, so it is never `unknown`. */
  private async checkCatalogue(productId: string, req: IssueRequest, options: CallOptions): Promise<void> {
    try {
      await this.catalogue.validate(productId, req.amount, options.signal);
    } catch (e) {
      if (hasOutcome(e, 'not_sent') || hasOutcome(e, 'rejected')) throw e;
      if (options.signal?.aborted) {
        throw new NotSentError(ErrorCodes.ABORTED, 'gift-card issuance aborted while reading the catalogue; no order was sent', {
          retryable: false,
        });
      }
      throw new NotSentError(ErrorCodes.PROVIDER_UNAVAILABLE, 'gift-card catalogue could not be fetched; no order was sent', {
        retryable: true,
        ...(isConnectorError(e) ? { cause: e } : {}),
      });
    }
  }

  private async fetchCatalogue(): Promise<unknown> {
    const res = await this.send(() => this.catalogueHttp.get<string>('/products', { validateStatus: () => true, maxRedirects: 0 }));
    if (res.status >= 200 && res.status < 300) return parseJsonBody(res);
    throw mapGiftcardError({ status: res.status, headers: res.headers, ...readErrorEnvelope(res.data) });
  }

  private async send(call: () => Promise<HttpResponse<string>>): Promise<HttpResponse<string>> {
    try {
      return await call();
    } catch (e) {
      throw toConnectorError(e, { sent: true, provider: PROVIDER });
    }
  }
}
