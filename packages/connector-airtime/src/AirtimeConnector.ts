import type { AxiosInstance, AxiosResponse } from 'axios';
import {
  ErrorCodes,
  OutcomeUnknownError,
  ProviderRejectedError,
  createHttpClient,
  isConnectorError,
  parseJsonBody,
  toConnectorError,
  toMinorUnits,
  type CallOptions,
  type Connector,
  type ConnectorContext,
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
  return new OutcomeUnknownError(ErrorCodes.PROVIDER_BAD_RESPONSE, `airtime provider answered 2xx with ${what}; the issuance may have been committed`, { retryable: true });
}

/** Checks the shape of a 2xx transaction body: anything unexpected is an unknown outcome, never a success. */
function readTransaction(body: unknown): WireTransaction {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badResponse('a body that is not a JSON object');
  const o = body as Record<string, unknown>;
  if (typeof o.transaction_id !== 'string' || o.transaction_id === '') throw badResponse('no transaction_id');
  if (typeof o.status !== 'string' || !(o.status in STATUS)) throw badResponse(`an unexpected status ${JSON.stringify(o.status)}`);
  if (o.status === 'success' && (typeof o.voucher_code !== 'string' || o.voucher_code === '')) throw badResponse('status success but no voucher_code');
  return o as unknown as WireTransaction;
}

function toResult(tx: WireTransaction, reference: string): IssueResult {
  const status = STATUS[tx.status];
  return {
    status,
    reference,
    transactionId: tx.transaction_id,
    ...(status === 'succeeded' && typeof tx.voucher_code === 'string' ? { voucher: { code: tx.voucher_code } } : {}),
    providerCode: tx.status,
    ...(typeof tx.message === 'string' && tx.message !== '' ? { providerMessage: tx.message.slice(0, 200) } : {}),
  };
}

function sameAmount(wire: string | number | undefined, req: IssueRequest): boolean {
  if (wire === undefined) return true;
  try {
    // The provider may echo a JSON number; compare exactly in minor units, never as floats.
    const text = typeof wire === 'number' ? String(wire) : wire;
    return toMinorUnits(text, req.amount.currency) === req.amount.minor;
  } catch {
    return false;
  }
}

/**
 * The airtime provider's connector: `POST {baseUrl}/issue` signed over the
 * exact bytes sent, status by transaction id and by reference. A repeated
 * reference is refused by the provider (`409 DUPLICATE_REFERENCE`); the
 * connector then fetches the original, so a re-send after an unknown outcome
 * returns the voucher already issued instead of a second one or a failure.
 */
export class AirtimeConnector implements Connector {
  private readonly http: AxiosInstance;
  private readonly products: Record<string, string>;
  private readonly logger: Logger;

  constructor(config: AirtimeConnectorConfig, ctx: Pick<ConnectorContext, 'logger'>) {
    this.http = createHttpClient({
      baseURL: config.baseUrl.replace(/\/+$/, ''),
      timeoutMs: config.timeoutMs ?? DEFAULT_AIRTIME_TIMEOUT_MS,
      headers: { 'X-API-Key': config.apiKey, 'Content-Type': 'application/json', Accept: 'application/json' },
      signing: { secret: config.secret, header: 'X-Signature' },
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
    const res = await this.send(() => this.http.post<string>('/issue', body, { signal: options.signal, validateStatus: () => true, maxRedirects: 0 }));
    this.logger.debug({ op: 'issue', reference: req.reference, httpStatus: res.status, ms: Date.now() - started }, 'airtime issue answered');
    if (res.status >= 200 && res.status < 300) {
      return toResult(readTransaction(parseJsonBody(res)), req.reference);
    }
    const envelope = readErrorEnvelope(res.data);
    if (res.status === 409 && envelope.code === 'DUPLICATE_REFERENCE') {
      return this.resolveDuplicate(req, productId, options);
    }
    throw mapAirtimeError({ status: res.status, headers: res.headers, ...envelope });
  }

  async checkStatus(query: StatusQuery, options: CallOptions = {}): Promise<StatusResult> {
    const tx = await this.fetchTransaction(query, options);
    if (tx === null) {
      return typeof query.transactionId === 'string' ? { status: 'not_found', transactionId: query.transactionId } : { status: 'not_found', reference: query.reference as string };
    }
    return toResult(tx, typeof tx.reference === 'string' ? tx.reference : (query.reference ?? ''));
  }

  close(): void {
    for (const agent of [this.http.defaults.httpAgent, this.http.defaults.httpsAgent]) {
      (agent as { destroy?: () => void } | undefined)?.destroy?.();
    }
  }

  /**
   * The provider refused a repeat of a reference it already has: our earlier
   * attempt landed. Return that transaction (never a second voucher, never a
   * failure); if it belongs to a different issuance, say so.
   */
  private async resolveDuplicate(req: IssueRequest, productId: string, options: CallOptions): Promise<IssueResult> {
    let tx: WireTransaction | null;
    try {
      tx = await this.fetchTransaction({ reference: req.reference }, options);
    } catch (e) {
      // The original exists but we could not read it: it may be issued, so unknown.
      throw new OutcomeUnknownError(ErrorCodes.PROVIDER_BAD_RESPONSE, 'airtime provider reported a duplicate reference but the original transaction could not be fetched', {
        retryable: true,
        providerCode: 'DUPLICATE_REFERENCE',
        ...(isConnectorError(e) ? { cause: e } : {}),
      });
    }
    if (tx === null) {
      throw new OutcomeUnknownError(ErrorCodes.PROVIDER_BAD_RESPONSE, 'airtime provider reported a duplicate reference but has no transaction for it', {
        retryable: true,
        providerCode: 'DUPLICATE_REFERENCE',
      });
    }
    const conflict =
      (tx.product_id !== undefined && tx.product_id !== productId) ||
      (tx.phone_number !== undefined && tx.phone_number !== req.phoneNumber) ||
      (tx.currency !== undefined && tx.currency !== req.amount.currency) ||
      !sameAmount(tx.amount, req);
    if (conflict) {
      throw new ProviderRejectedError(ErrorCodes.PROVIDER_REFERENCE_CONFLICT, `reference ${req.reference} already belongs to a different airtime transaction (${tx.transaction_id}); nothing new was issued`, {
        retryable: false,
        httpStatus: 409,
        providerCode: 'DUPLICATE_REFERENCE',
      });
    }
    this.logger.info({ op: 'issue', reference: req.reference, transactionId: tx.transaction_id }, 'airtime duplicate reference resolved to the original transaction');
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

  private async send(call: () => Promise<AxiosResponse<string>>): Promise<AxiosResponse<string>> {
    try {
      return await call();
    } catch (e) {
      throw toConnectorError(e, { sent: true, provider: AIRTIME_PROVIDER });
    }
  }
}
