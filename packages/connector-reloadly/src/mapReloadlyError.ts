import {
  ErrorCodes,
  OutcomeUnknownError,
  ProviderRejectedError,
  retryAfterFromHeaders,
  type ConnectorError,
  type HeadersLike,
} from '@relaypoint/core';

/** Reloadly's error envelope: `{ timeStamp, message, path, errorCode, infoLink, details[] }`. */
export interface ReloadlyErrorEnvelope {
  /** `errorCode`, when it is a string (Reloadly also sends `null`). */
  errorCode?: string;
  /** `message`, cut to 200 characters. */
  message?: string;
  /** Whether the body was Reloadly's envelope at all (a JSON object with `message` or `errorCode`). */
  isEnvelope: boolean;
}

/** A non-2xx answer of the Reloadly API. */
export interface ReloadlyErrorAnswer extends ReloadlyErrorEnvelope {
  status: number;
  headers: HeadersLike;
}

/** Reads Reloadly's error envelope from a raw body; `{ isEnvelope: false }` when it is not one. */
export function readReloadlyEnvelope(body: unknown): ReloadlyErrorEnvelope {
  let value = body;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return { isEnvelope: false };
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { isEnvelope: false };
  const o = value as Record<string, unknown>;
  const isEnvelope = 'errorCode' in o || typeof o.message === 'string';
  return {
    isEnvelope,
    ...(typeof o.errorCode === 'string' && o.errorCode !== '' ? { errorCode: o.errorCode } : {}),
    ...(typeof o.message === 'string' ? { message: o.message.slice(0, 200) } : {}),
  };
}

/** Codes that say the token is no good: the connector renews it once and sends again. */
export const TOKEN_CODES: ReadonlySet<string> = new Set(['TOKEN_EXPIRED', 'INVALID_TOKEN']);

/**
 * Refusals Reloadly documents as "nothing was done" for a top-up (its errors
 * page). Any other refusal of a top-up is first checked against the
 * customIdentifier (it may be the "cannot be reused" answer to our own
 * earlier attempt, whose code the documentation does not name).
 */
export const KNOWN_REFUSALS: ReadonlySet<string> = new Set([
  'INSUFFICIENT_BALANCE',
  'INVALID_RECIPIENT_PHONE',
  'INVALID_SENDER_PHONE',
  'INVALID_PHONE_NUMBER',
  'COULD_NOT_AUTO_DETECT_OPERATOR',
  'INVALID_AMOUNT_FOR_OPERATOR',
  'INVALID_AMOUNT',
  'COUNTRY_NOT_SUPPORTED',
  'OPERATOR_UNAVAILABLE_OR_CURRENTLY_INACTIVE',
  'OPERATOR_NOT_IN_SERVICE',
  'MAX_DAILY_TRANSACTION_AMOUNT_REACHED',
  'MAX_DAILY_TRANSACTION_COUNT_REACHED',
  'ACCOUNT_NOT_FOUND',
  'INACTIVE_ACCOUNT',
  'TRANSACTION_CANNOT_BE_PROCESSED_AT_THE_MOMENT',
  'TOKEN_EXPIRED',
  'INVALID_TOKEN',
]);

/** Reloadly's "wait before recharging the same number again": 2 minutes. */
export const RECENTLY_RECHARGED_WAIT_MS = 120_000;

/**
 * Maps a non-2xx answer of the Reloadly API to the core taxonomy. A 5xx may
 * have committed, whatever its body says: `unknown`. Documented refusals are
 * `rejected` with their own code; `PHONE_RECENTLY_RECHARGED` is retryable
 * after Reloadly's 2-minute gap. A 1xx/3xx is not a refusal: `unknown`.
 */
export function mapReloadlyError(answer: ReloadlyErrorAnswer): ConnectorError {
  const { status, errorCode } = answer;
  const said = answer.message ? `: ${answer.message}` : '';
  const tag = `${status}${errorCode ? ` ${errorCode}` : ''}`;
  const base = { httpStatus: status, ...(errorCode !== undefined ? { providerCode: errorCode } : {}) };
  if (status < 400 || status > 599) {
    return new OutcomeUnknownError(
      ErrorCodes.PROVIDER_BAD_RESPONSE,
      `reloadly answered an unexpected HTTP ${tag}; the top-up may have been made`,
      { ...base, retryable: true },
    );
  }
  if (status >= 500) {
    return new OutcomeUnknownError(ErrorCodes.PROVIDER_SERVER_ERROR, `reloadly answered ${tag}; the top-up may have been made`, {
      ...base,
      retryable: true,
    });
  }
  if (status === 408) {
    return new OutcomeUnknownError(ErrorCodes.PROVIDER_TIMEOUT, `reloadly answered 408 (request timeout); the top-up may have been made`, {
      ...base,
      retryable: true,
    });
  }
  const rejected = (
    code: (typeof ErrorCodes)[keyof typeof ErrorCodes],
    message: string,
    retryable = false,
    retryAfterMs?: number,
  ): ProviderRejectedError =>
    new ProviderRejectedError(code, message, { ...base, retryable, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
  switch (errorCode) {
    case 'TOKEN_EXPIRED':
    case 'INVALID_TOKEN':
    case 'ACCOUNT_NOT_FOUND':
    case 'INACTIVE_ACCOUNT':
      return rejected(
        ErrorCodes.PROVIDER_AUTH_FAILED,
        `reloadly refused our access (${tag})${said}; check clientId, clientSecret and environment`,
      );
    case 'INSUFFICIENT_BALANCE':
      return rejected(ErrorCodes.PROVIDER_INSUFFICIENT_BALANCE, `reloadly wallet balance is too low (${tag})`);
    case 'INVALID_RECIPIENT_PHONE':
    case 'INVALID_SENDER_PHONE':
    case 'INVALID_PHONE_NUMBER':
    case 'COULD_NOT_AUTO_DETECT_OPERATOR':
      return rejected(ErrorCodes.PROVIDER_INVALID_RECIPIENT, `reloadly refused the phone number (${tag})${said}`);
    case 'INVALID_AMOUNT_FOR_OPERATOR':
    case 'INVALID_AMOUNT':
    case 'COUNTRY_NOT_SUPPORTED':
      return rejected(ErrorCodes.PROVIDER_INVALID_PRODUCT, `reloadly refused the operator or amount (${tag})${said}`);
    case 'OPERATOR_UNAVAILABLE_OR_CURRENTLY_INACTIVE':
    case 'OPERATOR_NOT_IN_SERVICE':
    case 'TRANSACTION_CANNOT_BE_PROCESSED_AT_THE_MOMENT':
      return rejected(ErrorCodes.PROVIDER_UNAVAILABLE, `reloadly cannot top up through this operator now (${tag})${said}`, true);
    case 'PHONE_RECENTLY_RECHARGED':
      return rejected(
        ErrorCodes.PROVIDER_RATE_LIMITED,
        `reloadly refused a second top-up of this number within 2 minutes (${tag})`,
        true,
        RECENTLY_RECHARGED_WAIT_MS,
      );
    case 'MAX_DAILY_TRANSACTION_AMOUNT_REACHED':
    case 'MAX_DAILY_TRANSACTION_COUNT_REACHED':
      return rejected(
        ErrorCodes.PROVIDER_BAD_REQUEST,
        `reloadly account reached its daily limit (${tag}); ask Reloadly support to raise it`,
      );
    default:
      break;
  }
  if (status === 429) {
    const after = retryAfterFromHeaders(answer.headers);
    return rejected(ErrorCodes.PROVIDER_RATE_LIMITED, `reloadly asked us to slow down (${tag})`, true, after);
  }
  if (status === 401 || status === 403) {
    return rejected(ErrorCodes.PROVIDER_AUTH_FAILED, `reloadly refused our access token (${tag})${said}`);
  }
  if ((status === 404 || status === 405) && !answer.isEnvelope) {
    return rejected(
      ErrorCodes.PROVIDER_BAD_REQUEST,
      `reloadly URL answered a bare ${status} with no error of Reloadly's own, as a server without that route does; check baseUrl in the connector config`,
    );
  }
  return rejected(ErrorCodes.PROVIDER_BAD_REQUEST, `reloadly refused the request (${tag})${said}`);
}
