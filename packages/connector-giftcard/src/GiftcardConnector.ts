import type { AxiosInstance, AxiosResponse } from 'axios';
import {
  ErrorCodes,
  NotSentError,
  OutcomeUnknownError,
  createHttpClient,
  hasOutcome,
  isConnectorError,
  parseJsonBody,
  toConnectorError,
  withIdempotentRetry,
  type CallOptions,
  type Connector,
  type ConnectorContext,
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
  card?: { code?: unknown; pin?: unknown; redemption_url?: unknown } | null;
}

function badResponse(what: string): OutcomeUnknownError {
  return new OutcomeUnknownError(ErrorCodes.PROVIDER_BAD_RESPONSE, `gift-card provider answered 2xx with ${what}; the order may have been committed`, { retryable: true });
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
      ...(typeof order.card.redemption_url === 'string' && order.card.redemption_url !== '' ? { redemptionUrl: order.card.redemption_url } : {}),
    };
  }
  return { status, reference: order.external_ref, transactionId: order.id, ...(voucher ? { voucher } : {}), providerCode: order.status };
}

/**
 * The gift-card provider's connector. Checks product and amount against the
 * provider's catalogue (cached) before ordering, orders with
 * `external_ref` = our reference (a repeat returns the original order, so a
 * re-send never orders twice), and maps the card's code, PIN and URL.
 */
export class GiftcardConnector implements Connector {
  private readonly http: AxiosInstance;
  private readonly catalogueHttp: AxiosInstance;
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
    const res = await this.send(() => this.http.post<string>('/orders', body, { signal: options.signal, validateStatus: () => true, maxRedirects: 0 }));
    this.logger.debug({ op: 'order', reference: req.reference, httpStatus: res.status, ms: Date.now() - started }, 'gift-card order answered');
    if (res.status >= 200 && res.status < 300) {
      // 201: a new order; 200: the provider already had this external_ref and returned the original.
      return toResult(readOrder(parseJsonBody(res), req.reference));
    }
    const envelope = readErrorEnvelope(res.data);
    if (res.status === 400 && (envelope.code === 'INVALID_PRODUCT' || envelope.code === 'INVALID_AMOUNT' || envelope.code === 'INVALID_CURRENCY')) {
      // Our cache allowed what the provider refused: it is stale.
      this.catalogue.invalidate();
    }
    throw mapGiftcardError({ status: res.status, headers: res.headers, ...envelope });
  }

  async checkStatus(query: StatusQuery, options: CallOptions = {}): Promise<StatusResult> {
    const config = { signal: options.signal, validateStatus: () => true, maxRedirects: 0 };
    const byId = typeof query.transactionId === 'string';
    const res = await this.send(() =>
      byId
        ? this.http.get<string>(`/orders/${encodeURIComponent(query.transactionId as string)}`, config)
        : this.http.get<string>('/orders', { ...config, params: { external_ref: query.reference } }),
    );
    if (res.status >= 200 && res.status < 300) return toResult(readOrder(parseJsonBody(res), byId ? undefined : query.reference));
    const envelope = readErrorEnvelope(res.data);
    // Only the provider's own "not found" counts: a bare 404 must not make reconciliation conclude nothing was ordered.
    if (res.status === 404 && envelope.code === 'ORDER_NOT_FOUND') {
      return byId ? { status: 'not_found', transactionId: query.transactionId as string } : { status: 'not_found', reference: query.reference as string };
    }
    throw mapGiftcardError({ status: res.status, headers: res.headers, ...envelope });
  }

  close(): void {
    for (const http of [this.http, this.catalogueHttp]) {
      for (const agent of [http.defaults.httpAgent, http.defaults.httpsAgent]) {
        (agent as { destroy?: () => void } | undefined)?.destroy?.();
      }
    }
  }

  /** Refuses locally what the provider would refuse; any failure here happens before the order, so it is never `unknown`. */
  private async checkCatalogue(productId: string, req: IssueRequest, options: CallOptions): Promise<void> {
    try {
      await this.catalogue.validate(productId, req.amount, options.signal);
    } catch (e) {
      if (hasOutcome(e, 'not_sent') || hasOutcome(e, 'rejected')) throw e;
      if (options.signal?.aborted) {
        throw new NotSentError(ErrorCodes.ABORTED, 'gift-card issuance aborted while reading the catalogue; no order was sent', { retryable: false });
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

  private async send(call: () => Promise<AxiosResponse<string>>): Promise<AxiosResponse<string>> {
    try {
      return await call();
    } catch (e) {
      throw toConnectorError(e, { sent: true, provider: PROVIDER });
    }
  }
}
