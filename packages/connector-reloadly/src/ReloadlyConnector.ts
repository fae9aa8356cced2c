import {
  ErrorCodes,
  NotSentError,
  OutcomeUnknownError,
  ProviderRejectedError,
  createHttpClient,
  isConnectorError,
  parseJsonBody,
  toConnectorError,
  type CallOptions,
  type Clock,
  type HeadersLike,
  type HttpClient,
  type HttpResponse,
  type HttpRequestConfig,
  type Connector,
  type ConnectorContext,
  type IssueRequest,
  type IssueResult,
  type Logger,
  type StatusQuery,
  type StatusResult,
} from '@relaypoint/core';
import type { ReloadlyConnectorConfig } from './config.types.js';
import { KNOWN_REFUSALS, TOKEN_CODES, mapReloadlyError, readReloadlyEnvelope } from './mapReloadlyError.js';
import {
  compareTopup,
  readAsyncAccepted,
  readReloadlyTopup,
  toIssueResult,
  type ReloadlyTopup,
  type SentTerms,
} from './readReloadlyTopup.js';
import { ReloadlyOperatorCatalogue } from './ReloadlyOperatorCatalogue.js';
import { ReloadlyTokenSource } from './ReloadlyTokenSource.js';
import { prepareReloadlyTopup, type PreparedTopup } from './prepareReloadlyTopup.js';

/** Reloadly's base URLs and token audiences per environment. */
export const RELOADLY_ENVIRONMENTS = {
  sandbox: { baseUrl: 'https://topups-sandbox.reloadly.com', audience: 'https://topups-sandbox.reloadly.com' },
  live: { baseUrl: 'https://topups.reloadly.com', audience: 'https://topups.reloadly.com' },
} as const;
/** Reloadly's token endpoint (one for both environments; the audience tells them apart). */
export const RELOADLY_AUTH_URL = 'https://auth.reloadly.com/oauth/token';
/** Default HTTP timeout of one request, ms. */
export const DEFAULT_RELOADLY_TIMEOUT_MS = 10_000;

const PROVIDER = 'reloadly';
/** The media type Reloadly's airtime API versions its answers with. */
const ACCEPT = 'application/com.reloadly.topups-v1+json';

type Http = HttpClient;

/**
 * Reloadly airtime top-ups. Authenticates with OAuth2 client credentials
 * (one cached token per instance, renewed shortly before it expires and once
 * more when the API says it expired), sends `customIdentifier` = our
 * reference, and, because Reloadly refuses a reused customIdentifier, looks
 * the original up by customIdentifier whenever a top-up is refused for a
 * reason it cannot classify.
 */
export class ReloadlyConnector implements Connector {
  private readonly http: Http;
  private readonly tokens: ReloadlyTokenSource;
  private readonly logger: Logger;
  private readonly accountCurrency: string;
  private readonly operators: NonNullable<ReloadlyConnectorConfig['operators']>;
  private readonly asyncTopups: boolean;
  private readonly catalogue: ReloadlyOperatorCatalogue;

  constructor(config: ReloadlyConnectorConfig, ctx: Pick<ConnectorContext, 'logger'> & Partial<Pick<ConnectorContext, 'clock'>>) {
    const environment = RELOADLY_ENVIRONMENTS[config.environment ?? 'sandbox'];
    const timeoutMs = config.timeoutMs ?? DEFAULT_RELOADLY_TIMEOUT_MS;
    this.http = createHttpClient({
      baseURL: (config.baseUrl ?? environment.baseUrl).replace(/\/+$/, ''),
      timeoutMs,
      headers: { 'Content-Type': 'application/json', Accept: ACCEPT },
    });
    const clock: Clock | undefined = ctx.clock;
    this.tokens = new ReloadlyTokenSource({
      authUrl: config.authUrl ?? RELOADLY_AUTH_URL,
      clientId: config.clientId,
      clientSecret: config.clientSecret,
      audience: environment.audience,
      refreshMarginMs: config.tokenRefreshMarginMs ?? 60_000,
      timeoutMs,
      logger: ctx.logger,
      ...(clock ? { clock } : {}),
    });
    this.logger = ctx.logger;
    this.accountCurrency = config.accountCurrency ?? 'USD';
    this.operators = { ...(config.operators ?? {}) };
    this.asyncTopups = config.asyncTopups ?? false;
    this.catalogue = new ReloadlyOperatorCatalogue({
      fetch: (operatorId, signal) => this.fetchOperator(operatorId, signal),
      ttlMs: config.operatorCacheTtlMs ?? 3_600_000,
      ...(clock ? { clock } : {}),
    });
  }

  async issueVoucher(req: IssueRequest, options: CallOptions = {}): Promise<IssueResult> {
    const topup = prepareReloadlyTopup(req, this.operators, this.accountCurrency);
    await this.checkOperator(topup, req, options);
    const path = this.asyncTopups ? '/topups-async' : '/topups';
    const started = Date.now();
    const res = await this.authorised((config) => this.http.post<string>(path, topup.json, config), options);
    this.logger.debug(
      { op: 'topup', reference: req.reference, httpStatus: res.status, ms: Date.now() - started },
      'reloadly top-up answered',
    );
    if (res.status >= 200 && res.status < 300) {
      const body = parseJsonBody(res);
      if (this.asyncTopups)
        return { status: 'pending', reference: req.reference, transactionId: readAsyncAccepted(body), providerCode: 'PROCESSING' };
      const found = readReloadlyTopup(body, req.reference);
      this.checkTerms(found, req, topup.sent, 'unknown');
      return this.withVoucher(found, req.reference, options);
    }
    const envelope = readReloadlyEnvelope(res.data);
    if (res.status >= 400 && res.status < 500 && res.status !== 429 && !KNOWN_REFUSALS.has(envelope.errorCode ?? '')) {
      // Reloadly refuses a reused customIdentifier without naming the code in its documentation, and a
      // PHONE_RECENTLY_RECHARGED may be the answer to our own earlier attempt: look before calling it a refusal.
      return this.resolveRefusal(
        req,
        topup.sent,
        mapReloadlyError({ status: res.status, headers: res.headers as HeadersLike, ...envelope }),
        options,
      );
    }
    throw mapReloadlyError({ status: res.status, headers: res.headers as HeadersLike, ...envelope });
  }

  async checkStatus(query: StatusQuery, options: CallOptions = {}): Promise<StatusResult> {
    const found = await this.fetchTopup(query, options);
    if (found === null) {
      return typeof query.transactionId === 'string'
        ? { status: 'not_found', transactionId: query.transactionId }
        : { status: 'not_found', reference: query.reference as string };
    }
    const reference = typeof found.customIdentifier === 'string' ? found.customIdentifier : (query.reference ?? '');
    if (query.request)
      this.checkTerms(found, query.request, prepareReloadlyTopup(query.request, this.operators, this.accountCurrency).sent, 'conflict');
    return this.withVoucher(found, reference, options);
  }

  close(): void {
    for (const agent of [this.http.defaults.httpAgent, this.http.defaults.httpsAgent]) {
      (agent as { destroy?: () => void } | undefined)?.destroy?.();
    }
    this.tokens.close();
  }

  /**
   * The operator's currency and amount limits, checked before sending. A
   * failure to read the operator leaves nothing sent: it is `not_sent`
   * (refused credentials stay `rejected`).
   */
  private async checkOperator(topup: PreparedTopup, req: IssueRequest, options: CallOptions): Promise<void> {
    try {
      await this.catalogue.check(topup.sent.operatorId, req.amount, topup.useLocalAmount, options.signal);
    } catch (e) {
      if (isConnectorError(e) && (e.outcome === 'not_sent' || e.outcome === 'rejected')) throw e;
      throw new NotSentError(
        ErrorCodes.PROVIDER_UNAVAILABLE,
        `reloadly operator ${topup.sent.operatorId} could not be read (${isConnectorError(e) ? e.code : 'error'}); no top-up was sent`,
        {
          retryable: true,
          ...(isConnectorError(e) ? { cause: { code: e.code, message: e.message } } : {}),
        },
      );
    }
  }

  /** One operator: its body, `null` when Reloadly answers its own 404. */
  private async fetchOperator(operatorId: number, signal?: AbortSignal): Promise<unknown> {
    const res = await this.authorised((config) => this.http.get<string>(`/operators/${operatorId}`, config), signal ? { signal } : {});
    if (res.status >= 200 && res.status < 300) return parseJsonBody(res);
    const envelope = readReloadlyEnvelope(res.data);
    if (res.status === 404 && envelope.isEnvelope) return null;
    throw mapReloadlyError({ status: res.status, headers: res.headers as HeadersLike, ...envelope });
  }

  /**
   * A `SUCCESSFUL` answer without the operator's reference or PIN (an answer
   * cut short of it, say) is read once more by id. When the second read has
   * none either, the top-up is a success without a voucher: Reloadly's own
   * examples show successful plain-airtime top-ups with
   * `operatorTransactionId: null` and no `pinDetail`. A second read that
   * fails leaves the outcome `unknown` (the reconciliation reads again).
   */
  private async withVoucher(found: ReloadlyTopup, reference: string, options: CallOptions): Promise<IssueResult> {
    const result = toIssueResult(found, reference);
    if (result.status !== 'succeeded' || result.voucher) return result;
    let again: ReloadlyTopup | null;
    try {
      again = await this.fetchTopup({ transactionId: found.transactionId }, options);
    } catch (e) {
      throw new OutcomeUnknownError(
        ErrorCodes.PROVIDER_BAD_RESPONSE,
        `reloadly reported top-up ${found.transactionId} SUCCESSFUL without its operator reference, and reading it again failed`,
        {
          retryable: true,
          providerCode: found.status,
          ...(isConnectorError(e) ? { cause: { code: e.code, message: e.message } } : {}),
        },
      );
    }
    if (again === null || again.transactionId !== found.transactionId) {
      throw new OutcomeUnknownError(
        ErrorCodes.PROVIDER_BAD_RESPONSE,
        `reloadly reported top-up ${found.transactionId} SUCCESSFUL but does not find it by id`,
        { retryable: true, providerCode: found.status },
      );
    }
    return toIssueResult(again, reference);
  }

  /**
   * Sends with the current token; when Reloadly answers that the token
   * expired (401 `TOKEN_EXPIRED`, `INVALID_TOKEN`, or a bare 401), renews it
   * and sends once more. A 401 means the request was not processed; the
   * second send carries the same customIdentifier, which Reloadly would
   * refuse if it had been.
   */
  private async authorised(call: (config: HttpRequestConfig) => Promise<HttpResponse>, options: CallOptions): Promise<HttpResponse> {
    let refreshed = false;
    for (;;) {
      const token = await this.tokens.token(options.signal);
      const config = { signal: options.signal, validateStatus: () => true, maxRedirects: 0, headers: { Authorization: `Bearer ${token}` } };
      let res: HttpResponse;
      try {
        res = await call(config);
      } catch (e) {
        throw toConnectorError(e, { sent: true, provider: PROVIDER });
      }
      if (res.status !== 401 || refreshed) return res;
      const envelope = readReloadlyEnvelope(res.data);
      if (envelope.errorCode !== undefined && !TOKEN_CODES.has(envelope.errorCode)) return res;
      this.logger.info(
        { op: 'token', httpStatus: 401, ...(envelope.errorCode ? { providerCode: envelope.errorCode } : {}) },
        'reloadly refused the access token; renewing it once',
      );
      this.tokens.invalidate(token);
      refreshed = true;
    }
  }

  /**
   * A top-up was refused with a code Reloadly does not document as "nothing
   * done" (the reused-customIdentifier answer among them). The transaction
   * under our customIdentifier decides: ours → it is the answer; another
   * issuance's → `PROVIDER_REFERENCE_CONFLICT`; none → a documented refusal
   * (`PHONE_RECENTLY_RECHARGED`) stands, anything else is `unknown` (it cannot
   * be classified); unreadable → `unknown`.
   */
  private async resolveRefusal(
    req: IssueRequest,
    sent: SentTerms,
    refusal: ReturnType<typeof mapReloadlyError>,
    options: CallOptions,
  ): Promise<IssueResult> {
    let found: ReloadlyTopup | null;
    try {
      found = await this.fetchTopup({ reference: req.reference }, options);
    } catch (e) {
      throw new OutcomeUnknownError(
        ErrorCodes.PROVIDER_BAD_RESPONSE,
        `reloadly refused the top-up (${refusal.providerCode ?? refusal.httpStatus}) but the transaction under customIdentifier ${req.reference} could not be looked up; it may exist`,
        {
          retryable: true,
          ...(refusal.httpStatus !== undefined ? { httpStatus: refusal.httpStatus } : {}),
          ...(refusal.providerCode !== undefined ? { providerCode: refusal.providerCode } : {}),
          ...(isConnectorError(e) ? { cause: { code: e.code, message: e.message } } : {}),
        },
      );
    }
    if (found === null) {
      // A documented refusal stands. An answer Reloadly does not document as "nothing done" cannot be classified: it
      // may be the refusal of a re-send whose original the report does not list yet, so it is unknown, never failed.
      if (refusal.providerCode !== undefined && KNOWN_REFUSALS.has(refusal.providerCode)) throw refusal;
      if (refusal.providerCode === 'PHONE_RECENTLY_RECHARGED') throw refusal;
      throw new OutcomeUnknownError(
        ErrorCodes.PROVIDER_BAD_RESPONSE,
        `reloadly refused the top-up with an answer it does not document as "nothing done" (HTTP ${String(refusal.httpStatus)}${refusal.providerCode ? ` ${refusal.providerCode}` : ''}) and lists no transaction under customIdentifier ${req.reference} yet; it may be the refusal of a re-send`,
        {
          retryable: true,
          ...(refusal.httpStatus !== undefined ? { httpStatus: refusal.httpStatus } : {}),
          ...(refusal.providerCode !== undefined ? { providerCode: refusal.providerCode } : {}),
        },
      );
    }
    this.checkTerms(found, req, sent, 'conflict');
    this.logger.info(
      { op: 'topup', reference: req.reference, transactionId: found.transactionId },
      'reloadly refusal resolved to the transaction already under this customIdentifier',
    );
    return toIssueResult(found, req.reference);
  }

  /**
   * A transaction that certainly differs from the request is another
   * issuance's: after a lookup that is a reference conflict (nothing was
   * issued for this request); in the answer to our own top-up it is an
   * unknown outcome. A field that cannot be compared (an amount echoed only
   * in other currencies) contradicts nothing: operator and recipient still do.
   */
  private checkTerms(found: ReloadlyTopup, req: IssueRequest, sent: SentTerms, onDifferent: 'conflict' | 'unknown'): void {
    const { different } = compareTopup(found, req, sent);
    if (different.length === 0) return;
    if (onDifferent === 'conflict') {
      throw new ProviderRejectedError(
        ErrorCodes.PROVIDER_REFERENCE_CONFLICT,
        `customIdentifier ${req.reference} already belongs to Reloadly transaction ${found.transactionId} for a different top-up (${different.join(', ')} differ); nothing new was sent`,
        { retryable: false, providerCode: found.status },
      );
    }
    throw new OutcomeUnknownError(
      ErrorCodes.PROVIDER_BAD_RESPONSE,
      `reloadly answered our top-up ${req.reference} with transaction ${found.transactionId} whose ${different.join(' and ')} differ from the request`,
      { retryable: true, providerCode: found.status },
    );
  }

  /** One lookup: by id (`GET /topups/{id}/status`) or by customIdentifier (the transactions report); `null` when Reloadly has none. */
  private async fetchTopup(query: StatusQuery, options: CallOptions): Promise<ReloadlyTopup | null> {
    if (typeof query.transactionId === 'string') {
      const res = await this.authorised(
        (config) => this.http.get<string>(`/topups/${encodeURIComponent(query.transactionId as string)}/status`, config),
        options,
      );
      if (res.status >= 200 && res.status < 300) return readReloadlyTopup(parseJsonBody(res));
      const envelope = readReloadlyEnvelope(res.data);
      // Only Reloadly's own "not found" counts; a bare 404 (wrong baseUrl, a proxy) must not read as "nothing issued".
      if (res.status === 404 && envelope.isEnvelope) return null;
      throw mapReloadlyError({ status: res.status, headers: res.headers as HeadersLike, ...envelope });
    }
    const reference = query.reference as string;
    const res = await this.authorised(
      (config) =>
        this.http.get<string>('/topups/reports/transactions', { ...config, params: { customIdentifier: reference, page: 1, size: 10 } }),
      options,
    );
    if (res.status < 200 || res.status >= 300)
      throw mapReloadlyError({ status: res.status, headers: res.headers as HeadersLike, ...readReloadlyEnvelope(res.data) });
    const body = parseJsonBody(res);
    const content = body !== null && typeof body === 'object' ? (body as { content?: unknown }).content : undefined;
    if (!Array.isArray(content))
      throw new OutcomeUnknownError(ErrorCodes.PROVIDER_BAD_RESPONSE, 'reloadly transactions report has no content array', {
        retryable: true,
      });
    // The report is a search: only an exact customIdentifier is ours.
    const ours = content.filter(
      (t: unknown) => t !== null && typeof t === 'object' && (t as { customIdentifier?: unknown }).customIdentifier === reference,
    );
    if (ours.length === 0) return null;
    if (ours.length > 1)
      throw new OutcomeUnknownError(
        ErrorCodes.PROVIDER_BAD_RESPONSE,
        `reloadly lists ${ours.length} transactions under customIdentifier ${reference}`,
        { retryable: true },
      );
    return readReloadlyTopup(ours[0], reference);
  }
}
