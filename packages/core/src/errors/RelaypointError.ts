import type { ErrorCode } from './codes.js';

/** Options shared by every Relaypoint error. */
export interface RelaypointErrorOptions {
  /** The underlying error, kept for diagnosis (never shown to API clients). */
  cause?: unknown;
  /** Structured details safe to log and to return (never secrets). */
  details?: Record<string, unknown>;
}

/**
 * Base class of every error Relaypoint throws. Carries a stable {@link ErrorCode};
 * branch on `code` or the type guards, never on `message`.
 */
export class RelaypointError extends Error {
  /** Stable machine-readable code. */
  readonly code: ErrorCode | (string & {});
  /** Structured, secret-free details. */
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode | (string & {}), message: string, options: RelaypointErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    if (options.details) this.details = options.details;
  }

  /** A plain, secret-free object for logs and API answers. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) };
  }
}
