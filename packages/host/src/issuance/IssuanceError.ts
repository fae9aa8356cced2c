import { RelaypointError, type RelaypointErrorOptions } from '@relaypoint/core';

/**
 * Codes of the issuance path's own refusals. The HTTP layer maps each to a
 * status (`http/problem.ts`); nothing here knows about HTTP.
 */
export const IssuanceErrorCodes = {
  /** The host is shutting down and takes no new issuance. */
  SHUTTING_DOWN: 'SHUTTING_DOWN',
  /** `connector` names no configured connector instance. */
  UNKNOWN_CONNECTOR: 'UNKNOWN_CONNECTOR',
  /** The reference is too long once prefixed with the tenant id. */
  INVALID_REFERENCE: 'INVALID_REFERENCE',
  /** The reference is taken by a different request, or is being recorded right now; nothing was sent. */
  REFERENCE_CONFLICT: 'REFERENCE_CONFLICT',
  /** A listing cursor this API did not hand out. */
  VALIDATION_FAILED: 'VALIDATION_FAILED',
} as const;

/** One of {@link IssuanceErrorCodes}. */
export type IssuanceErrorCode = (typeof IssuanceErrorCodes)[keyof typeof IssuanceErrorCodes];

/** A refusal of the issuance path: a stable code, optional `path: message` lines and extra members for the answer. */
export class IssuanceError extends RelaypointError {
  /** `path: message` lines naming what was wrong. */
  readonly errors?: string[];
  /** Extra members of the answer (e.g. `reference`). */
  readonly extra?: Record<string, unknown>;

  constructor(
    code: IssuanceErrorCode,
    message: string,
    options: RelaypointErrorOptions & { errors?: string[]; extra?: Record<string, unknown> } = {},
  ) {
    super(code, message, options);
    if (options.errors) this.errors = options.errors;
    if (options.extra) this.extra = options.extra;
  }
}
