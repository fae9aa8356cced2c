import {
  ConnectorError,
  ErrorCodes,
  OutcomeUnknownError,
  ProviderRejectedError,
  retryAfterFromHeaders,
  type HeadersLike,
} from '@relaypoint/core';

/** A non-2xx answer of the gift-card API, as the connector sees it. */
export interface GiftcardErrorAnswer {
  /** HTTP status. */
  status: number;
  /** Response headers (for Retry-After). */
  headers: HeadersLike;
  /** The provider's `code`, when the body was a JSON error envelope. */
  code?: string;
  /** The provider's `message`. */
  message?: string;
}

/** Reads `{code, message}` from an error body; `{}` when the body is not that envelope. */
export function readErrorEnvelope(body: unknown): { code?: string; message?: string } {
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
  };
}

/**
 * Maps a non-2xx answer of the gift-card API to the core taxonomy. Business
 * refusals are `rejected` (nothing ordered); a 5xx may have committed, so it
 * is `unknown` whatever code its body carries (the API documents no 5xx as
 * "nothing done"; the status wins over the body), and the host re-sends with
 * the same `external_ref` (the provider returns the original) or reconciles.
 * An unexpected 1xx/3xx (a redirect after a POST, say) is not a refusal
 * either, so `unknown`.
 */
export function mapGiftcardError(answer: GiftcardErrorAnswer): ConnectorError {
  const { status, code } = answer;
  const said = answer.message ? `: ${answer.message}` : '';
  const tag = `${status}${code ? ` ${code}` : ''}`;
  const base = { httpStatus: status, ...(code !== undefined ? { providerCode: code } : {}) };
  if (status < 400 || status > 599) {
    return new OutcomeUnknownError(
      ErrorCodes.PROVIDER_BAD_RESPONSE,
      `gift-card provider answered an unexpected HTTP ${tag}; the order may have been committed`,
      { ...base, retryable: true },
    );
  }
  if (status >= 500) {
    return new OutcomeUnknownError(
      ErrorCodes.PROVIDER_SERVER_ERROR,
      `gift-card provider answered ${tag}; the order may have been committed`,
      { ...base, retryable: true },
    );
  }
  switch (code) {
    case 'INVALID_API_KEY':
      return new ProviderRejectedError(
        ErrorCodes.PROVIDER_AUTH_FAILED,
        `gift-card provider refused the API key (${tag}); fix apiKey in the connector config`,
        { ...base, retryable: false },
      );
    case 'INVALID_REQUEST':
      return new ProviderRejectedError(
        ErrorCodes.PROVIDER_BAD_REQUEST,
        `gift-card provider refused the request as malformed (${tag})${said}`,
        { ...base, retryable: false },
      );
    case 'EXTERNAL_REF_CONFLICT':
      return new ProviderRejectedError(
        ErrorCodes.PROVIDER_REFERENCE_CONFLICT,
        `gift-card provider already has an order with this reference and a different body (${tag}); nothing new was ordered`,
        { ...base, retryable: false },
      );
    case 'INVALID_PRODUCT':
    case 'INVALID_AMOUNT':
    case 'INVALID_CURRENCY':
      return new ProviderRejectedError(
        ErrorCodes.PROVIDER_INVALID_PRODUCT,
        `gift-card provider refused the product, amount or currency (${tag})${said}`,
        { ...base, retryable: false },
      );
    case 'INSUFFICIENT_BALANCE':
      return new ProviderRejectedError(ErrorCodes.PROVIDER_INSUFFICIENT_BALANCE, `gift-card provider account balance is too low (${tag})`, {
        ...base,
        retryable: false,
      });
    default:
      break;
  }
  if (status === 429) {
    const after = retryAfterFromHeaders(answer.headers);
    return new ProviderRejectedError(ErrorCodes.PROVIDER_RATE_LIMITED, `gift-card provider asked us to slow down (${tag})`, {
      ...base,
      retryable: true,
      ...(after !== undefined ? { retryAfterMs: after } : {}),
    });
  }
  if (status === 401 || status === 403) {
    return new ProviderRejectedError(ErrorCodes.PROVIDER_AUTH_FAILED, `gift-card provider refused our credentials (${tag})`, {
      ...base,
      retryable: false,
    });
  }
  if (status === 408) {
    // Not "nothing was processed": a gateway or load balancer in front of the provider may answer 408 for an
    // upstream that had the whole request and is still working on it. Treated like a timeout (core does the
    // same): the reference is looked up before anything is re-sent or called failed.
    return new OutcomeUnknownError(
      ErrorCodes.PROVIDER_TIMEOUT,
      `gift-card provider answered 408 (request timeout); the order may have been committed`,
      { ...base, retryable: true },
    );
  }
  if ((status === 404 || status === 405) && code === undefined) {
    // No envelope of the provider's own: a server (or a proxy) without that route answered, so the usual
    // cause is the connector's URL. Issue and status lookups share this mapping, so the message claims
    // nothing about the transaction; what a refused issue means is the outcome's to say.
    return new ProviderRejectedError(
      ErrorCodes.PROVIDER_BAD_REQUEST,
      `gift-card provider URL answered a bare ${status} with no error of the provider's own, as a server without that route does; check baseUrl in the connector config`,
      { ...base, retryable: false },
    );
  }
  return new ProviderRejectedError(ErrorCodes.PROVIDER_BAD_REQUEST, `gift-card provider refused the request (${tag})${said}`, {
    ...base,
    retryable: false,
  });
}
