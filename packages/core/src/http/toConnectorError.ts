import { isAxiosError } from 'axios';
import { isTaskCancelledError } from 'cockatiel';
import { ErrorCodes } from '../errors/codes.js';
import { ConnectorError, NotSentError, OutcomeUnknownError, ProviderRejectedError } from '../errors/ConnectorError.js';
import { isConnectorError } from '../errors/guards.js';
import { retryAfterFromHeaders, type HeadersLike } from './retryAfterFromHeaders.js';

/** Options of {@link toConnectorError}. */
export interface ToConnectorErrorOptions {
  /** Whether the request may have left. `false` turns every failure into `not_sent`. Defaults to "it may have". */
  sent?: boolean;
  /** Provider name for messages (e.g. `airtime`). Defaults to `provider`. */
  provider?: string;
}

// The connection was never made: nothing reached the provider.
const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const TIMEOUTS = new Set([
  'ECONNABORTED',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
const CONNECTION_LOST = new Set(['ECONNRESET', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_SOCKET', 'ERR_BAD_RESPONSE']);
const LOST_MESSAGES = /socket hang up|premature close|^aborted$|other side closed|stream has been aborted/i;

/** Drops `user:password@` from any URL in a message. */
function scrub(message: string): string {
  return message.replace(/(\w+:\/\/)[^/\s@]*@/g, '$1');
}

function errorCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  const causeCode = ((e as { cause?: { code?: unknown } } | null)?.cause as { code?: unknown } | undefined)?.code;
  return typeof causeCode === 'string' ? causeCode : undefined;
}

/**
 * The HTTP status an axios error carries, also when the response's body was
 * cut short (a status line that arrived with no whole body): for a plugin
 * whose API gives a status a meaning of its own (a 409 meaning "this
 * reference exists"). `undefined` for any other error.
 */
export function responseStatusOf(err: unknown): number | undefined {
  return isAxiosError(err) ? err.response?.status : undefined;
}

/**
 * Turns whatever a provider call threw into a `ConnectorError` with the
 * right outcome: connection never made (`ECONNREFUSED`, `ENOTFOUND`,
 * `EAI_AGAIN`, `EHOSTUNREACH`, `ENETUNREACH`) → `not_sent`
 * `PROVIDER_UNREACHABLE`; timeouts → `unknown` `PROVIDER_TIMEOUT`; resets,
 * hang-ups, premature close → `unknown` `PROVIDER_CONNECTION_LOST`; the
 * caller's cancel → `unknown` `ABORTED`; HTTP 5xx → `unknown`
 * `PROVIDER_SERVER_ERROR`; 429 → retryable `PROVIDER_RATE_LIMITED` with
 * `retryAfterMs`; 401/403 → `PROVIDER_AUTH_FAILED`; 409 →
 * `PROVIDER_REFERENCE_CONFLICT`; other 4xx → `PROVIDER_BAD_REQUEST`.
 * ConnectorErrors pass through. The cause kept is `{ code, message }` only:
 * never the request config, headers, body or URL credentials.
 */
export function toConnectorError(err: unknown, options: ToConnectorErrorOptions = {}): ConnectorError {
  if (isConnectorError(err)) return err;
  const provider = options.provider ?? 'provider';
  const code = errorCode(err);
  const rawMessage = err instanceof Error ? err.message : String(err);
  const message = scrub(rawMessage);
  const cause = { ...(code ? { code } : {}), message };
  const details = { provider, ...(code ? { errorCode: code } : {}) };

  if (options.sent === false) {
    return new NotSentError(ErrorCodes.PROVIDER_UNREACHABLE, `${provider}: request not sent (${code ?? message})`, { cause, details });
  }

  // A response counts only when its body arrived whole (axios sets `data` once it has read it). Axios also
  // attaches the response to an error that cut the body short (the stream aborted or reset, the caller
  // cancelled, a size limit): the status line arrived, but what the provider meant did not, so such an error is
  // judged as a lost connection below, never by its status (a 409 or 4xx cut short is not a refusal we can trust).
  const response = isAxiosError(err) && err.response && err.response.data !== undefined ? err.response : undefined;
  if (response) {
    const status = response.status;
    const retryAfterMs = retryAfterFromHeaders(response.headers as HeadersLike);
    const extra = { httpStatus: status, cause: { code: code ?? `HTTP_${status}`, message }, details: { provider, httpStatus: status } };
    if (status >= 500) {
      return new OutcomeUnknownError(
        ErrorCodes.PROVIDER_SERVER_ERROR,
        `${provider} answered HTTP ${status}; the request may have been processed`,
        {
          ...extra,
          ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        },
      );
    }
    if (status === 429) {
      return new ProviderRejectedError(ErrorCodes.PROVIDER_RATE_LIMITED, `${provider} is rate limiting (HTTP 429)`, {
        ...extra,
        retryable: true,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      });
    }
    if (status === 408)
      return new OutcomeUnknownError(ErrorCodes.PROVIDER_TIMEOUT, `${provider} answered HTTP 408 (request timeout)`, extra);
    if (status === 401 || status === 403)
      return new ProviderRejectedError(ErrorCodes.PROVIDER_AUTH_FAILED, `${provider} refused our credentials (HTTP ${status})`, extra);
    if (status === 409)
      return new ProviderRejectedError(
        ErrorCodes.PROVIDER_REFERENCE_CONFLICT,
        `${provider} reports a conflicting reference (HTTP 409)`,
        extra,
      );
    if (status >= 400)
      return new ProviderRejectedError(ErrorCodes.PROVIDER_BAD_REQUEST, `${provider} rejected the request (HTTP ${status})`, extra);
    return new OutcomeUnknownError(ErrorCodes.PROVIDER_BAD_RESPONSE, `${provider} answered an unexpected HTTP ${status}`, extra);
  }

  if (code === 'ERR_CANCELED' || (err instanceof Error && err.name === 'AbortError')) {
    return new OutcomeUnknownError(ErrorCodes.ABORTED, `${provider} call aborted by the caller; the request may have left`, {
      retryable: false,
      cause,
      details,
    });
  }
  if (code && NEVER_CONNECTED.has(code)) {
    return new NotSentError(ErrorCodes.PROVIDER_UNREACHABLE, `${provider} unreachable (${code}); nothing was sent`, { cause, details });
  }
  if ((code && TIMEOUTS.has(code)) || isTaskCancelledError(err)) {
    return new OutcomeUnknownError(ErrorCodes.PROVIDER_TIMEOUT, `${provider} did not answer in time; the request may have been processed`, {
      cause,
      details,
    });
  }
  if ((code && CONNECTION_LOST.has(code)) || LOST_MESSAGES.test(rawMessage)) {
    return new OutcomeUnknownError(
      ErrorCodes.PROVIDER_CONNECTION_LOST,
      `${provider} connection lost (${code ?? message}); the request may have been processed`,
      { cause, details },
    );
  }
  return new OutcomeUnknownError(
    ErrorCodes.PROVIDER_BAD_RESPONSE,
    `${provider} call failed unexpectedly (${code ?? message}); the request may have been processed`,
    { cause, details },
  );
}
