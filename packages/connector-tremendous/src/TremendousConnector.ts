import {
  ErrorCodes,
  NotSentError,
  OutcomeUnknownError,
  ProviderRejectedError,
  ValidationError,
  createHttpClient,
  isConnectorError,
  parseJsonBody,
  responseStatusOf,
  toConnectorError,
  type CallOptions,
  type Connector,
  type ConnectorContext,
  type HeadersLike,
  type HttpClient,
  type HttpResponse,
  type IssueRequest,
  type IssueResult,
  type Logger,
  type StatusQuery,
  type StatusResult,
} from '@relaypoint/core';
import type { TremendousConnectorConfig } from './config.types.js';
import { mapTremendousError, readTremendousEnvelope } from './mapTremendousError.js';
import { TremendousCatalogue } from './TremendousCatalogue.js';
import { compareOrder, readOrderEnvelope, readTremendousOrder, toIssueResult, type TremendousOrder } from './readTremendousOrder.js';

/** Tremendous's API base URLs per environment (as the official client names them: production, testflight). */
export const TREMENDOUS_ENVIRONMENTS = {
  sandbox: 'https://testflight.tremendous.com/api/v2',
  production: 'https://api.tremendous.com/api/v2',
} as const;
/** Default HTTP timeout of one request, ms. */
export const DEFAULT_TREMENDOUS_TIMEOUT_MS = 10_000;

const PROVIDER = 'tremendous';

/**
 * Tremendous rewards: one single-reward order per issuance with
 * `external_id` = our reference. Tremendous answers a repeated external_id
 * with the original order (and creates nothing), so a re-send after an
 * unknown outcome is safe; a repeat with different parameters is a 409,
 * which the connector checks against the order that holds the external_id.
 */
export class TremendousConnector implements Connector {
  private readonly http: HttpClient;
  private readonly logger: Logger;
  private readonly products: Record<string, string>;
  private readonly fundingSourceId: string;
  private readonly deliveryMethod: 'LINK' | 'EMAIL' | 'PHONE';
  private readonly campaignId: string | undefined;
  private readonly catalogue: TremendousCatalogue;

  constructor(config: TremendousConnectorConfig, ctx: Pick<ConnectorContext, 'logger'> & Partial<Pick<ConnectorContext, 'clock'>>) {
    this.http = createHttpClient({
      baseURL: (config.baseUrl ?? TREMENDOUS_ENVIRONMENTS[config.environment ?? 'sandbox']).replace(/\/+$/, ''),
      timeoutMs: config.timeoutMs ?? DEFAULT_TREMENDOUS_TIMEOUT_MS,
      headers: { Authorization: `Bearer ${config.apiKey}`, 'Content-Type': 'application/json', Accept: 'application/json' },
    });
    this.logger = ctx.logger;
    this.products = { ...(config.products ?? {}) };
    this.fundingSourceId = config.fundingSourceId ?? 'balance';
    this.deliveryMethod = config.deliveryMethod ?? 'LINK';
    this.campaignId = config.campaignId;
    this.catalogue = new TremendousCatalogue({
      fetch: (signal) => this.fetchProducts(signal),
      ttlMs: config.catalogueTtlMs ?? 300_000,
      ...(ctx.clock ? { clock: ctx.clock } : {}),
    });
  }

  async issueVoucher(req: IssueRequest, options: CallOptions = {}): Promise<IssueResult> {
    const json = this.orderJson(req);
    await this.checkCatalogue(req, options);
    const started = Date.now();
    let res: HttpResponse;
    try {
      res = await this.http.post<string>('/orders', json, { signal: options.signal, validateStatus: () => true, maxRedirects: 0 });
    } catch (e) {
      // A 409 whose body was cut short still says the external_id is taken: look at the order that holds it.
      if (responseStatusOf(e) === 409) return this.resolveConflict(req, options);
      throw toConnectorError(e, { sent: true, provider: PROVIDER });
    }
    this.logger.debug(
      { op: 'order', reference: req.reference, httpStatus: res.status, ms: Date.now() - started },
      'tremendous order answered',
    );
    if (res.status >= 200 && res.status < 300) {
      // 200: a new order; 201: the order that already had this external_id (Tremendous creates nothing then).
      const order = readOrderEnvelope(parseJsonBody(res), req.reference);
      this.checkOrder(order, req, res.status === 201 ? 'conflict' : 'unknown');
      return toIssueResult(order, req.reference);
    }
    if (res.status === 409) return this.resolveConflict(req, options);
    throw mapTremendousError({ status: res.status, headers: res.headers as HeadersLike, ...readTremendousEnvelope(res.data) });
  }

  async checkStatus(query: StatusQuery, options: CallOptions = {}): Promise<StatusResult> {
    const order = await this.fetchOrder(query, options);
    if (order === null) {
      return typeof query.transactionId === 'string'
        ? { status: 'not_found', transactionId: query.transactionId }
        : { status: 'not_found', reference: query.reference as string };
    }
    if (query.request) this.checkOrder(order, query.request, 'conflict');
    return toIssueResult(order, order.external_id ?? query.reference ?? '');
  }

  close(): void {
    for (const agent of [this.http.defaults.httpAgent, this.http.defaults.httpsAgent]) {
      (agent as { destroy?: () => void } | undefined)?.destroy?.();
    }
  }

  /**
   * The order body, with the denomination written as a JSON number straight
   * from the exact decimal (`"denomination":25.00`): no float arithmetic.
   * Refuses before sending a delivery method whose recipient field is missing.
   */
  private orderJson(req: IssueRequest): string {
    const email = req.metadata?.recipientEmail;
    if (this.deliveryMethod === 'EMAIL' && !email) {
      throw new ValidationError(
        ErrorCodes.INVALID_PARAMS,
        'metadata.recipientEmail',
        'tremendous EMAIL delivery needs metadata.recipientEmail',
      );
    }
    if (this.deliveryMethod === 'PHONE' && !req.phoneNumber) {
      throw new ValidationError(ErrorCodes.INVALID_PHONE_NUMBER, 'phoneNumber', 'tremendous PHONE delivery needs phoneNumber');
    }
    const recipient = {
      name: req.metadata?.recipientName ?? req.customerId,
      ...(email ? { email } : {}),
      ...(req.phoneNumber ? { phone: req.phoneNumber } : {}),
    };
    const body = {
      external_id: req.reference,
      payment: { funding_source_id: this.fundingSourceId },
      reward: {
        ...(this.campaignId ? { campaign_id: this.campaignId } : {}),
        products: [this.products[req.productId] ?? req.productId],
        value: { denomination: '@denomination', currency_code: req.amount.currency },
        recipient,
        delivery: { method: this.deliveryMethod },
      },
    };
    return JSON.stringify(body).replace('"@denomination"', req.amount.decimal);
  }

  /**
   * The product, currency and amount checked against the catalogue before
   * ordering. A catalogue that cannot be read leaves nothing ordered:
   * `not_sent` (refused credentials stay `rejected`).
   */
  private async checkCatalogue(req: IssueRequest, options: CallOptions): Promise<void> {
    const productId = this.products[req.productId] ?? req.productId;
    try {
      await this.catalogue.check(productId, req.amount, options.signal);
    } catch (e) {
      if (isConnectorError(e) && (e.outcome === 'not_sent' || e.outcome === 'rejected')) throw e;
      throw new NotSentError(
        ErrorCodes.PROVIDER_UNAVAILABLE,
        `tremendous catalogue could not be read (${isConnectorError(e) ? e.code : 'unreadable'}); nothing was ordered`,
        {
          retryable: true,
          ...(isConnectorError(e) ? { cause: { code: e.code, message: e.message } } : {}),
        },
      );
    }
  }

  /** `GET /products`, parsed. */
  private async fetchProducts(signal?: AbortSignal): Promise<unknown> {
    let res: HttpResponse;
    try {
      res = await this.http.get<string>('/products', { signal, validateStatus: () => true, maxRedirects: 0 });
    } catch (e) {
      throw toConnectorError(e, { sent: true, provider: PROVIDER });
    }
    if (res.status < 200 || res.status >= 300)
      throw mapTremendousError({ status: res.status, headers: res.headers as HeadersLike, ...readTremendousEnvelope(res.data) });
    return parseJsonBody(res);
  }

  /**
   * An order's reward value that certainly differs from the request belongs
   * to another issuance: for an order found under our external_id that is a
   * reference conflict (nothing was ordered for this request); for the answer
   * to a new order it is an unknown outcome. A value that cannot be read is
   * unknown either way.
   */
  private checkOrder(order: TremendousOrder, req: IssueRequest, onDifferent: 'conflict' | 'unknown'): void {
    const { different, doubtful } = compareOrder(order, req);
    if (different.length > 0 && onDifferent === 'conflict') {
      throw new ProviderRejectedError(
        ErrorCodes.PROVIDER_REFERENCE_CONFLICT,
        `external_id ${req.reference} already belongs to Tremendous order ${order.id} for a different reward (${different.join(', ')} differ); nothing new was ordered`,
        { retryable: false, providerCode: order.status },
      );
    }
    if (different.length > 0 || doubtful.length > 0) {
      throw new OutcomeUnknownError(
        ErrorCodes.PROVIDER_BAD_RESPONSE,
        `tremendous order ${order.id} for external_id ${req.reference} has a reward ${[...different, ...doubtful].join(' and ')} that does not match the request`,
        {
          retryable: true,
          providerCode: order.status,
        },
      );
    }
  }

  /**
   * Tremendous answered 409: the external_id is taken by an order with other
   * parameters. The order decides: ours (same value) → it is the answer;
   * another reward → `PROVIDER_REFERENCE_CONFLICT`; unreadable → `unknown`.
   */
  private async resolveConflict(req: IssueRequest, options: CallOptions): Promise<IssueResult> {
    let order: TremendousOrder | null;
    try {
      order = await this.fetchOrder({ reference: req.reference }, options);
    } catch (e) {
      throw new OutcomeUnknownError(
        ErrorCodes.PROVIDER_BAD_RESPONSE,
        `tremendous answered 409 for external_id ${req.reference} but the order holding it could not be read; it may be ours`,
        {
          retryable: true,
          httpStatus: 409,
          ...(isConnectorError(e) ? { cause: { code: e.code, message: e.message } } : {}),
        },
      );
    }
    if (order === null) {
      throw new OutcomeUnknownError(
        ErrorCodes.PROVIDER_BAD_RESPONSE,
        `tremendous answered 409 for external_id ${req.reference} but lists no order under it`,
        { retryable: true, httpStatus: 409 },
      );
    }
    this.checkOrder(order, req, 'conflict');
    this.logger.info(
      { op: 'order', reference: req.reference, transactionId: order.id },
      'tremendous 409 resolved to the order already under this external_id',
    );
    return toIssueResult(order, req.reference);
  }

  /** One lookup: `GET /orders/{id}`, or `GET /orders?external_id=`; `null` when Tremendous has none. */
  private async fetchOrder(query: StatusQuery, options: CallOptions): Promise<TremendousOrder | null> {
    const config = { signal: options.signal, validateStatus: () => true, maxRedirects: 0 };
    let res: HttpResponse;
    try {
      res =
        typeof query.transactionId === 'string'
          ? await this.http.get<string>(`/orders/${encodeURIComponent(query.transactionId)}`, config)
          : await this.http.get<string>('/orders', { ...config, params: { external_id: query.reference } });
    } catch (e) {
      throw toConnectorError(e, { sent: true, provider: PROVIDER });
    }
    const envelope = res.status >= 200 && res.status < 300 ? undefined : readTremendousEnvelope(res.data);
    if (envelope) {
      // Only Tremendous's own "not found" counts; a bare 404 (wrong baseUrl, a proxy) must not read as "nothing ordered".
      if (res.status === 404 && envelope.isEnvelope && typeof query.transactionId === 'string') return null;
      throw mapTremendousError({ status: res.status, headers: res.headers as HeadersLike, ...envelope });
    }
    const body = parseJsonBody(res);
    if (typeof query.transactionId === 'string') return readOrderEnvelope(body);
    const orders = body !== null && typeof body === 'object' ? (body as { orders?: unknown }).orders : undefined;
    if (!Array.isArray(orders))
      throw new OutcomeUnknownError(ErrorCodes.PROVIDER_BAD_RESPONSE, 'tremendous order list has no orders array', { retryable: true });
    const ours = orders.filter(
      (o: unknown) => o !== null && typeof o === 'object' && (o as { external_id?: unknown }).external_id === query.reference,
    );
    if (ours.length === 0) return null;
    if (ours.length > 1)
      throw new OutcomeUnknownError(
        ErrorCodes.PROVIDER_BAD_RESPONSE,
        `tremendous lists ${ours.length} orders under external_id ${String(query.reference)}`,
        { retryable: true },
      );
    return readTremendousOrder(ours[0], query.reference);
  }
}
