import {
  ErrorCodes,
  OutcomeUnknownError,
  ProviderRejectedError,
  retryAfterFromHeaders,
  type ConnectorError,
  type HeadersLike,
} from '@relaypoint/core';

/** Tremendous's error envelope, `{ status?, errors: { message, payload } }`, as the connector reads it. */
export interface TremendousErrorEnvelope {
  /** `errors.message`, cut to 200 characters. */
  message?: string;
  /** The top-level request fields `errors.payload` names (it mirrors the request, holding only the fields in error). */
  fields: string[];
  /** Whether the body was Tremendous's envelope (a JSON object with an `errors` object). */
  isEnvelope: boolean;
}

/** A non-2xx answer of the Tremendous API. */
export interface TremendousErrorAnswer extends TremendousErrorEnvelope {
  status: number;
  headers: HeadersLike;
}

/** Dotted paths of the leaves of `payload` (`reward.value.denomination`). */
function leafPaths(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return prefix ? [prefix] : [];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => leafPaths(v, prefix ? `${prefix}.${k}` : k));
}

/** Reads Tremendous's error envelope from a raw body; `{ isEnvelope: false, fields: [] }` when it is not one. */
export function readTremendousEnvelope(body: unknown): TremendousErrorEnvelope {
  let value = body;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return { isEnvelope: false, fields: [] };
    }
  }
  const errors = value !== null && typeof value === 'object' ? (value as { errors?: unknown }).errors : undefined;
  if (errors === null || typeof errors !== 'object' || Array.isArray(errors)) return { isEnvelope: false, fields: [] };
  const e = errors as { message?: unknown; payload?: unknown };
  return {
    isEnvelope: true,
    fields: leafPaths(e.payload),
    ...(typeof e.message === 'string' ? { message: e.message.slice(0, 200) } : {}),
  };
}

/**
 * Maps a non-2xx answer of the Tremendous API to the core taxonomy.
 * Tremendous's envelope carries no error code, so the HTTP status and the
 * fields `errors.payload` names decide: 5xx (and 408, and any 1xx/3xx) may
 * have committed → `unknown`; 401/403 → auth; 402 → balance; 429 → rate
 * limit; a 400/422 naming the product, value or recipient → that refusal.
 */
export function mapTremendousError(answer: TremendousErrorAnswer): ConnectorError {
  const { status } = answer;
  const said = answer.message ? `: ${answer.message}` : '';
  const base = { httpStatus: status, providerCode: `HTTP_${status}` };
  if (status < 400 || status > 599) {
    return new OutcomeUnknownError(
      ErrorCodes.PROVIDER_BAD_RESPONSE,
      `tremendous answered an unexpected HTTP ${status}; the order may have been placed`,
      { ...base, retryable: true },
    );
  }
  if (status >= 500) {
    return new OutcomeUnknownError(ErrorCodes.PROVIDER_SERVER_ERROR, `tremendous answered ${status}; the order may have been placed`, {
      ...base,
      retryable: true,
    });
  }
  if (status === 408) {
    return new OutcomeUnknownError(
      ErrorCodes.PROVIDER_TIMEOUT,
      'tremendous answered 408 (request timeout); the order may have been placed',
      { ...base, retryable: true },
    );
  }
  const rejected = (
    code: (typeof ErrorCodes)[keyof typeof ErrorCodes],
    message: string,
    retryable = false,
    retryAfterMs?: number,
  ): ProviderRejectedError =>
    new ProviderRejectedError(code, message, { ...base, retryable, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
  if (status === 401 || status === 403)
    return rejected(
      ErrorCodes.PROVIDER_AUTH_FAILED,
      `tremendous refused the API key (HTTP ${status})${said}; check apiKey and environment (sandbox and production keys differ)`,
    );
  if (status === 402)
    return rejected(ErrorCodes.PROVIDER_INSUFFICIENT_BALANCE, `tremendous funding source cannot pay for the order (HTTP 402)${said}`);
  if (status === 409)
    return rejected(
      ErrorCodes.PROVIDER_REFERENCE_CONFLICT,
      `tremendous already has an order with this external_id and different parameters (HTTP 409); nothing new was ordered`,
    );
  if (status === 429)
    return rejected(
      ErrorCodes.PROVIDER_RATE_LIMITED,
      `tremendous asked us to slow down (HTTP 429)`,
      true,
      retryAfterFromHeaders(answer.headers),
    );
  if ((status === 404 || status === 405) && !answer.isEnvelope) {
    return rejected(
      ErrorCodes.PROVIDER_BAD_REQUEST,
      `tremendous URL answered a bare ${status} with no error of Tremendous's own, as a server without that route does; check baseUrl (it includes /api/v2)`,
    );
  }
  const fields = answer.fields.join(', ');
  if (answer.fields.some((f) => f.startsWith('reward.recipient')))
    return rejected(ErrorCodes.PROVIDER_INVALID_RECIPIENT, `tremendous refused the recipient (HTTP ${status}, ${fields})${said}`);
  if (answer.fields.some((f) => f.startsWith('reward.products') || f.startsWith('reward.value') || f.startsWith('reward.campaign_id'))) {
    return rejected(
      ErrorCodes.PROVIDER_INVALID_PRODUCT,
      `tremendous refused the product, amount or currency (HTTP ${status}, ${fields})${said}`,
    );
  }
  if (answer.fields.some((f) => f.startsWith('payment')))
    return rejected(
      ErrorCodes.PROVIDER_BAD_REQUEST,
      `tremendous refused the funding source (HTTP ${status}, ${fields})${said}; check fundingSourceId`,
    );
  return rejected(ErrorCodes.PROVIDER_BAD_REQUEST, `tremendous refused the request (HTTP ${status}${fields ? `, ${fields}` : ''})${said}`);
}
