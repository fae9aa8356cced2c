import {
  ErrorCodes,
  OutcomeUnknownError,
  ProviderRejectedError,
  compareEchoedAmount,
  createHttpClient,
  hmacBodySigner,
  isConnectorError,
  parseJsonBody,
  responseStatusOf,
  toConnectorError,
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
} from '@relaypoint/core';
import type { AirtimeConnectorConfig } from './config.types.js';
import { AIRTIME_PROVIDER, mapAirtimeError, readErrorEnvelope } from './mapAirtimeError.js';

/** Default HTTP timeout of one request, ms. */
export const DEFAULT_AIRTIME_TIMEOUT_MS = 10_000;

const STATUS: Record<string, IssueStatus> = { success: 'succeeded', pending: 'pending', failed: 'failed' };

/** A transaction as the status endpoints return it (the issue endpoint returns a subset). */
interface WireTransaction {
  transaction_id: string;
  status: string;
  voucher_code?: string | null;
  message?: string;
  reference?: string;
  product_id?: string;
  phone_number?: string;
  amount?: string | number;
  currency?: string;
}

function badResponse(what: string): OutcomeUnknownError {
  return new OutcomeUnknownError(
    ErrorCodes.PROVIDER_BAD_RESPONSE,
    `airtime provider answered 2xx with ${what}; the issuance may have been committed`,
    { retryable: true },
  );
}

/** Checks the shape of a 2xx transaction body: anything unexpected is an unknown outcome, never a success. */
function readTransaction(body: unknown): WireTransaction {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badResponse('a body that is not a JSON object');
  const o = body as Record<string, unknown>;
  if (typeof o.transaction_id !== 'string' || o.transaction_id === '') throw badResponse('no transaction_id');
  if (typeof o.status !== 'string' || !(o.status in STATUS)) throw badResponse(`an unexpected status ${JSON.stringify(o.status)}`);
  if (o.status === 'success' && (typeof o.voucher_code !== 'string' || o.voucher_code === ''))
    throw badResponse('status success but no voucher_code');
  return o as unknown as WireTransaction;
}

function toResult(tx: WireTransaction, reference: string): IssueResult {
  const status = STATUS[tx.status];
  return {
    status,
    reference,
    transactionId: tx.transaction_id,
    ...(status === 'succeeded' && typeof tx.voucher_code === 'string' ? { voucher: { code: tx.voucher_code } } : {}),
    // The wire's `status` is no code: a plain decline ("failed") has none, and the host gives it PROVIDER_DECLINED.
    ...(status !== 'failed' ? { providerCode: tx.status } : {}),
    ...(typeof tx.message === 'string' && tx.message !== '' ? { providerMessage: tx.message.slice(0, 200) } : {}),
  };
}

/** How an echoed field compares with what we sent: the same, certainly different, or impossible to tell. */
type Match = AmountMatch;

/**
 * Compares an echoed phone number with ours by digits only (`+263 77…`,
 * `263-77…` and `+26377…` are the same number). A number that differs only
 * in a leading country or trunk prefix (a national format echo) is
 * `doubtful`, not a conflict.
 */
function comparePhone(wire: string | undefined, ours: string): Match {
  if (wire === undefined) return 'same';
  if (typeof wire !== 'string') return 'doubtful';
  const a = wire.replace(/\D/g, '').replace(/^0+/, '');
  const b = ours.replace(/\D/g, '').replace(/^0+/, '');
  if (a === '') return 'doubtful';
  if (a === b) return 'same';
  const [short, long] = a.length < b.length ? [a, b] : [b, a];
  return short.length >= 6 && long.endsWith(short) ? 'doubtful' : 'different';
}

/** The fields of `tx` that certainly differ from the request, and those that cannot be compared. */
function compareTransaction(tx: WireTransaction, req: IssueRequest, productId: string): { different: string[]; doubtful: string[] } {
  const checks: [string, Match][] = [
    ['product', tx.product_id === undefined || tx.product_id === productId ? 'same' : 'different'],
    ['currency', tx.currency === undefined || tx.currency === req.amount.currency ? 'same' : 'different'],
    ['amount', compareEchoedAmount(tx.amount, req.amount, 'major')],
    ['phone number', comparePhone(tx.phone_number, req.phoneNumber ?? '')],
  ];
  return {
    different: checks.filter(([, m]) => m === 'different').map(([f]) => f),
    doubtful: checks.filter(([, m]) => m === 'doubtful').map(([f]) => f),
  };
}

/** The reference is held by a different issuance's transaction: nothing was (or can be) issued for this request under it. */
function referenceConflict(
  reference: string,
  tx: WireTransaction,
  different: string[],
  httpStatus: number,
  providerCode?: string,
): ProviderRejectedError {
  return new ProviderRejectedError(
    ErrorCodes.PROVIDER_REFERENCE_CONFLICT,
    `reference ${reference} already belongs to a different airtime transaction (${tx.transaction_id}: ${different.join(', ')} differ); nothing new was issued`,
    { retryable: false, httpStatus, ...(providerCode ? { providerCode } : {}) },
  );
}

/**
 * The airtime provider's connector: `POST {baseUrl}/issue` signed over the
 * exact bytes sent, status by transaction id and by reference. A repeated
 * reference is refused by the provider (`409 DUPLICATE_REFERENCE`); the
 * connector then fetches the original, so a re-send after an unknown outcome
 * returns the voucher already issued instead of a second one or a failure.
 */
export class AirtimeConnector implements Connector {
  private readonly http: HttpClient;
  private readonly products: Record<string, string>;
  private readonly logger: Logger;

  constructor(config: AirtimeConnectorConfig, ctx: Pick<ConnectorContext, 'logger'>) {
    this.http = createHttpClient({
      baseURL: config.baseUrl.replace(/\/+$/, ''),
      timeoutMs: config.timeoutMs ?? DEFAULT_AIRTIME_TIMEOUT_MS,
      headers: { 'X-API-Key': config.apiKey, 'Content-Type': 'application/json', Accept: 'application/json' },
      sign: hmacBodySigner({ secret: config.secret, header: 'X-Signature' }),
    });
    this.products = { ...(config.products ?? {}) };
    this.logger = ctx.logger;
  }

  async issueVoucher(req: IssueRequest, options: CallOptions = {}): Promise<IssueResult> {
    const productId = this.products[req.productId] ?? req.productId;
    const body = {
      product_id: productId,
      phone_number: req.phoneNumber,
      amount: req.amount.decimal,
      currency: req.amount.currency,
      reference: req.reference,
      customer_id: req.customerId,
    };
    const started = Date.now();
    let res: HttpResponse<string>;
    try {
      res = await this.http.post<string>('/issue', body, { signal: options.signal, validateStatus: () => true, maxRedirects: 0 });
    } catch (e) {
      // A 409 whose body was cut short still says the reference exists: resolve it like any other 409.
      if (responseStatusOf(e) === 409) {
        this.logger.debug(
          { op: 'issue', reference: req.reference, httpStatus: 409, ms: Date.now() - started },
          'airtime issue answered 409 with an unreadable body',
        );
        return this.resolveDuplicate(req, productId, options, undefined);
      }
      throw toConnectorError(e, { sent: true, provider: AIRTIME_PROVIDER });
    }
    this.logger.debug(
      { op: 'issue', reference: req.reference, httpStatus: res.status, ms: Date.now() - started },
      'airtime issue answered',
    );
    if (res.status >= 200 && res.status < 300) {
      return toResult(readTransaction(parseJsonBody(res)), req.reference);
    }
    const envelope = readErrorEnvelope(res.data);
    if (res.status === 409) {
      // On this API a 409 means the reference already exists, whatever the body (JSON, a proxy's page, nothing):
      // the voucher may exist, so never a refusal before the original has been looked at.
      return this.resolveDuplicate(req, productId, options, envelope.code);
    }
    throw mapAirtimeError({ status: res.status, headers: res.headers, ...envelope });
  }

  async checkStatus(query: StatusQuery, options: CallOptions = {}): Promise<StatusResult> {
    const tx = await this.fetchTransaction(query, options);
    if (tx === null) {
      return typeof query.transactionId === 'string'
        ? { status: 'not_found', transactionId: query.transactionId }
        : { status: 'not_found', reference: query.reference as string };
    }
    if (query.request) {
      // The transaction that holds our reference may be another issuance's: only ours is an answer.
      const req = query.request;
      const { different } = compareTransaction(tx, req, this.products[req.productId] ?? req.productId);
      if (different.length > 0) throw referenceConflict(req.reference, tx, different, 200);
    }
    return toResult(tx, typeof tx.reference === 'string' ? tx.reference : (query.reference ?? ''));
  }

  close(): void {
    for (const agent of [this.http.defaults.httpAgent, this.http.defaults.httpsAgent]) {
      (agent as { destroy?: () => void } | undefined)?.destroy?.();
    }
  }

  /**
   * The provider answered 409 to our issue: a transaction with this
   * reference already exists, most likely our earlier attempt. Return that
   * transaction (never a second voucher, never a failure). Only a
   * transaction that certainly belongs to a different issuance is a
   * conflict (`rejected`: nothing new was issued for this request); when the
   * original cannot be read or compared, the outcome is `unknown`.
   */
  private async resolveDuplicate(
    req: IssueRequest,
    productId: string,
    options: CallOptions,
    code: string | undefined,
  ): Promise<IssueResult> {
    const providerCode = code ?? 'HTTP_409';
    const unknown = (why: string, cause?: unknown): OutcomeUnknownError =>
      new OutcomeUnknownError(
        ErrorCodes.PROVIDER_BAD_RESPONSE,
        `airtime provider answered 409 (${code ?? 'unreadable body'}) for reference ${req.reference} but ${why}; it may have been issued`,
        {
          retryable: true,
          httpStatus: 409,
          providerCode,
          ...(isConnectorError(cause) ? { cause } : {}),
        },
      );
    let tx: WireTransaction | null;
    try {
      tx = await this.fetchTransaction({ reference: req.reference }, options);
    } catch (e) {
      // The original exists but we could not read it: it may be issued, so unknown.
      throw unknown('the original transaction could not be fetched', e);
    }
    if (tx === null) throw unknown('the provider has no transaction for it');
    if (tx.reference !== undefined && tx.reference !== req.reference)
      throw unknown(`the lookup returned a transaction for another reference (${String(tx.reference)})`);
    const { different, doubtful } = compareTransaction(tx, req, productId);
    if (different.length > 0) throw referenceConflict(req.reference, tx, different, 409, providerCode);
    if (doubtful.length > 0)
      throw unknown(`the original (${tx.transaction_id}) echoes a ${doubtful.join(' and ')} that cannot be compared with ours`);
    this.logger.info(
      { op: 'issue', reference: req.reference, transactionId: tx.transaction_id },
      'airtime duplicate reference resolved to the original transaction',
    );
    return toResult(tx, req.reference);
  }

  /** One status read: the transaction, or `null` when the provider has none for the query. */
  private async fetchTransaction(query: StatusQuery, options: CallOptions): Promise<WireTransaction | null> {
    const config = { signal: options.signal, validateStatus: () => true, maxRedirects: 0 };
    const res = await this.send(() =>
      typeof query.transactionId === 'string'
        ? this.http.get<string>(`/status/${encodeURIComponent(query.transactionId)}`, config)
        : this.http.get<string>('/transactions', { ...config, params: { reference: query.reference } }),
    );
    if (res.status >= 200 && res.status < 300) return readTransaction(parseJsonBody(res));
    const envelope = readErrorEnvelope(res.data);
    // Only the provider's own "not found" counts: a bare 404 (a wrong baseUrl, a proxy) must not
    // make reconciliation conclude that nothing was issued.
    if (res.status === 404 && envelope.code === 'TRANSACTION_NOT_FOUND') return null;
    throw mapAirtimeError({ status: res.status, headers: res.headers, ...envelope });
  }

  private async send(call: () => Promise<HttpResponse<string>>): Promise<HttpResponse<string>> {
    try {
      return await call();
    } catch (e) {
      throw toConnectorError(e, { sent: true, provider: AIRTIME_PROVIDER });
    }
  }
}
