import {
  ConnectorError,
  ErrorCodes,
  OutcomeUnknownError,
  ProviderRejectedError,
  retryAfterFromHeaders,
  type HeadersLike,
} from '@relaypoint/core';

/** A non-2xx answer of the airtime API, as the connector sees it. */
export interface AirtimeErrorAnswer {
  /** HTTP status. */
  status: number;
  /** Response headers (for Retry-After). */
  headers: HeadersLike;
  /** The provider's `code`, when the body was a JSON error envelope. */
  code?: string;
  /** The provider's `message`. */
  message?: string;
}

const PROVIDER = 'airtime';

/** Reads `{code, message}` from an error body; `{}` when the body is not that envelope (a proxy's HTML page, say). */
export function readErrorEnvelope(body: unknown): { code?: string; message?: string; transactionId?: string } {
  let value = body;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return {};
    }
  }
  if (value === null || typeof value !== 'object') return {};
  const o = value as Record<string, unknown>;
  return {
    ...(typeof o.code === 'string' ? { code: o.code } : {}),
    ...(typeof o.message === 'string' ? { message: o.message.slice(0, 200) } : {}),
    ...(typeof o.transaction_id === 'string' ? { transactionId: o.transaction_id } : {}),
  };
}

/**
 * 5xx answers the airtime API documents as given before anything is
 * recorded, by code, with the one status it documents for each
 * (`503 OPERATOR_UNAVAILABLE`: "nothing recorded"). Every other 5xx may have
 * committed, whatever its body says.
 */
const BEFORE_COMMIT_5XX: Readonly<Record<string, number>> = { OPERATOR_UNAVAILABLE: 503 };

/**
 * Maps a non-2xx answer of the airtime API to the core taxonomy. The outcome
 * is what decides whether the host may re-send, so every branch states it:
 * an answer the provider documents as "nothing done" is `rejected`; any 5xx
 * the provider does not document that way may have committed, so `unknown`
 * even when its body carries a refusal code (the status wins over the body);
 * an unexpected 1xx/3xx (a redirect after a POST, say) is not a refusal
 * either, so `unknown`. `DUPLICATE_REFERENCE` is not mapped here: the
 * connector resolves any 409 on issue by fetching the original.
 */
export function mapAirtimeError(answer: AirtimeErrorAnswer): ConnectorError {
  const { status, code } = answer;
  const said = answer.message ? `: ${answer.message}` : '';
  const base = { httpStatus: status, ...(code !== undefined ? { providerCode: code } : {}) };
  if (status < 400 || status > 599) {
    return new OutcomeUnknownError(
      ErrorCodes.PROVIDER_BAD_RESPONSE,
      `airtime provider answered an unexpected HTTP ${status}${code ? ` ${code}` : ''}; the issuance may have been committed`,
      { ...base, retryable: true },
    );
  }
  if (status >= 500 && (code === undefined || BEFORE_COMMIT_5XX[code] !== status)) {
    return new OutcomeUnknownError(
      ErrorCodes.PROVIDER_SERVER_ERROR,
      `airtime provider answered ${status}${code ? ` ${code}` : ''}; the issuance may have been committed`,
      { ...base, retryable: true },
    );
  }
  switch (code) {
    case 'INVALID_API_KEY':
      return new ProviderRejectedError(
        ErrorCodes.PROVIDER_AUTH_FAILED,
        `airtime provider refused the API key (${status} ${code}); fix apiKey in the connector config`,
        { ...base, retryable: false },
      );
    case 'INVALID_SIGNATURE':
      return new ProviderRejectedError(
        ErrorCodes.PROVIDER_SIGNATURE_REJECTED,
        `airtime provider refused the request signature (${status} ${code}); fix secret in the connector config`,
        { ...base, retryable: false },
      );
    case 'INVALID_REQUEST':
      return new ProviderRejectedError(
        ErrorCodes.PROVIDER_BAD_REQUEST,
        `airtime provider refused the request as malformed (${status} ${code})${said}`,
        { ...base, retryable: false },
      );
    case 'INVALID_PRODUCT':
    case 'INVALID_AMOUNT':
    case 'INVALID_CURRENCY':
      return new ProviderRejectedError(
        ErrorCodes.PROVIDER_INVALID_PRODUCT,
        `airtime provider refused the product, amount or currency (${status} ${code})${said}`,
        { ...base, retryable: false },
      );
    case 'INVALID_PHONE_NUMBER':
      return new ProviderRejectedError(
        ErrorCodes.PROVIDER_INVALID_RECIPIENT,
        `airtime provider refused the phone number (${status} ${code})${said}`,
        { ...base, retryable: false },
      );
    case 'INSUFFICIENT_BALANCE':
      return new ProviderRejectedError(
        ErrorCodes.PROVIDER_INSUFFICIENT_BALANCE,
        `airtime provider account balance is too low (${status} ${code})`,
        { ...base, retryable: false },
      );
    case 'OPERATOR_UNAVAILABLE': {
      // Documented as answered before anything is recorded: nothing issued, worth trying again later.
      const after = retryAfterFromHeaders(answer.headers);
      return new ProviderRejectedError(
        ErrorCodes.PROVIDER_UNAVAILABLE,
        `airtime operator is unavailable (${status} ${code}); nothing was issued`,
        {
          ...base,
          retryable: true,
          ...(after !== undefined ? { retryAfterMs: after } : {}),
        },
      );
    }
    case 'PHONE_RECENTLY_RECHARGED': {
      const after = retryAfterFromHeaders(answer.headers);
      return new ProviderRejectedError(
        ErrorCodes.PROVIDER_RATE_LIMITED,
        `airtime provider refused a second recharge of this phone so soon (${status} ${code}); retry later`,
        {
          ...base,
          retryable: true,
          ...(after !== undefined ? { retryAfterMs: after } : {}),
        },
      );
    }
    default:
      break;
  }
  if (status === 429) {
    const after = retryAfterFromHeaders(answer.headers);
    return new ProviderRejectedError(
      ErrorCodes.PROVIDER_RATE_LIMITED,
      `airtime provider asked us to slow down (429${code ? ` ${code}` : ''})`,
      {
        ...base,
        retryable: true,
        ...(after !== undefined ? { retryAfterMs: after } : {}),
      },
    );
  }
  if (status === 401 || status === 403) {
    return new ProviderRejectedError(
      ErrorCodes.PROVIDER_AUTH_FAILED,
      `airtime provider refused our credentials (${status}${code ? ` ${code}` : ''})`,
      { ...base, retryable: false },
    );
  }
  if (status === 408) {
    // Not "nothing was processed": a gateway or load balancer in front of the provider may answer 408 for an
    // upstream that had the whole request and is still working on it. Treated like a timeout (core does the
    // same): the reference is looked up before anything is re-sent or called failed.
    return new OutcomeUnknownError(
      ErrorCodes.PROVIDER_TIMEOUT,
      `airtime provider answered 408 (request timeout); the issuance may have been committed`,
      { ...base, retryable: true },
    );
  }
  if ((status === 404 || status === 405) && code === undefined) {
    // No envelope of the provider's own: a server (or a proxy) without that route answered, so the usual
    // cause is the connector's URL. Issue and status lookups share this mapping, so the message claims
    // nothing about the transaction; what a refused issue means is the outcome's to say.
    return new ProviderRejectedError(
      ErrorCodes.PROVIDER_BAD_REQUEST,
      `airtime provider URL answered a bare ${status} with no error of the provider's own, as a server without that route does; check baseUrl in the connector config`,
      { ...base, retryable: false },
    );
  }
  return new ProviderRejectedError(
    ErrorCodes.PROVIDER_BAD_REQUEST,
    `airtime provider refused the request (${status}${code ? ` ${code}` : ''})${said}`,
    { ...base, retryable: false },
  );
}

/** The provider name used in transport error messages. */
export const AIRTIME_PROVIDER = PROVIDER;
