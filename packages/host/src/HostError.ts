import { RelaypointError, type RelaypointErrorOptions } from '@relaypoint/core';

/**
 * Codes the host adds to core's: what an API client sees in the `code` of a
 * problem document. A code, once published, keeps its meaning.
 */
export const HostErrorCodes = {
  /** No or an unknown bearer key. */
  UNAUTHORIZED: 'UNAUTHORIZED',
  /** The key is valid but may not do this (e.g. a tenant key on an admin route). */
  FORBIDDEN: 'FORBIDDEN',
  /** A console request that changes state came without the session's CSRF token (`X-CSRF-Token`). */
  CSRF_TOKEN_INVALID: 'CSRF_TOKEN_INVALID',
  /** No such route, or no such resource for this tenant (another tenant's id looks the same). */
  NOT_FOUND: 'NOT_FOUND',
  /** The route exists but not with this method; answered 405 with an `Allow` header listing the methods it has. */
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  /** The body or query does not match the request schema; `errors` lists `path: message` lines. */
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  /** `amount` was a JSON number: money travels as a decimal string (`"5.00"`) so no float ever carries it. */
  AMOUNT_MUST_BE_STRING: 'AMOUNT_MUST_BE_STRING',
  /** The reference was used before with a different body (a different issuance); nothing was sent. */
  REFERENCE_CONFLICT: 'REFERENCE_CONFLICT',
  /** The provider refused the issuance; nothing was issued. `providerCode` says why. */
  PROVIDER_REJECTED: 'PROVIDER_REJECTED',
  /**
   * An issuance's `error.code` (and a 422's `providerCode`) when the provider declined it without a code of its own;
   * nothing was issued.
   */
  PROVIDER_DECLINED: 'PROVIDER_DECLINED',
  /** The provider could not be reached and nothing was sent; the issuance is recorded `failed`. Use a new reference to try again. */
  PROVIDER_NOT_SENT: 'PROVIDER_NOT_SENT',
  /** `connector` names no configured connector instance. */
  UNKNOWN_CONNECTOR: 'UNKNOWN_CONNECTOR',
  /** The body is larger than `server.bodyLimit`. */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** The request headers are larger than Node's limit (16 KiB); answered 431. */
  HEADERS_TOO_LARGE: 'HEADERS_TOO_LARGE',
  /** The request could not be parsed as HTTP. */
  MALFORMED_REQUEST: 'MALFORMED_REQUEST',
  /** The request was not received in time; answered 408. */
  REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
  /** The body is not valid JSON. */
  MALFORMED_JSON: 'MALFORMED_JSON',
  /** The body is not `application/json`. */
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  /**
   * The store (PostgreSQL) could not be reached; answered 503 with `Retry-After`. Retry with the same reference: if
   * the intent was recorded before the store went away, the retry finds it and nothing is issued twice.
   */
  STORE_UNAVAILABLE: 'STORE_UNAVAILABLE',
  /** The host is shutting down and takes no new work. */
  SHUTTING_DOWN: 'SHUTTING_DOWN',
  /** Something failed on our side; the request id in the logs tells what. */
  INTERNAL: 'INTERNAL',
} as const;

/** One of {@link HostErrorCodes}. */
export type HostErrorCode = (typeof HostErrorCodes)[keyof typeof HostErrorCodes];

/** An error the API answers with a problem document: HTTP status, stable code, optional `path: message` lines. */
export class HostError extends RelaypointError {
  /** HTTP status to answer with. */
  readonly status: number;
  /** `path: message` lines, for validation failures. */
  readonly errors?: string[];
  /** Extra members of the problem document (e.g. `issuance`, `providerCode`). */
  readonly extra?: Record<string, unknown>;

  constructor(
    status: number,
    code: HostErrorCode | (string & {}),
    message: string,
    options: RelaypointErrorOptions & { errors?: string[]; extra?: Record<string, unknown> } = {},
  ) {
    super(code, message, options);
    this.status = status;
    if (options.errors) this.errors = options.errors;
    if (options.extra) this.extra = options.extra;
  }
}
