import { ErrorCodes, type ErrorCode } from './codes.js';
import { RelaypointError, type RelaypointErrorOptions } from './RelaypointError.js';

/**
 * What a failed provider call means for the money:
 * - `not_sent`: the request never reached the provider; safe to re-send.
 * - `rejected`: the provider answered no; nothing was issued.
 * - `unknown`: it may have been issued (timeout after the request left, reset
 *   mid-response, 5xx after commit, unparsable body). Never turn this into a
 *   failure: reconcile by reference.
 */
export type Outcome = 'not_sent' | 'rejected' | 'unknown';

/** Options of a {@link ConnectorError}. */
export interface ConnectorErrorOptions extends RelaypointErrorOptions {
  /** What the failure means for the money. */
  outcome: Outcome;
  /** Whether trying again (with the same reference) can succeed. Defaults to `false`. */
  retryable?: boolean;
  /** How long the provider asked us to wait before trying again, in ms. */
  retryAfterMs?: number;
  /** The provider's own error code, when it gave one. */
  providerCode?: string;
  /** HTTP status of the provider's answer, when there was one. */
  httpStatus?: number;
}

/** A failed provider call, with the outcome that decides what may happen next. */
export class ConnectorError extends RelaypointError {
  /** What the failure means for the money. */
  readonly outcome: Outcome;
  /** Whether trying again (with the same reference) can succeed. */
  readonly retryable: boolean;
  /** How long the provider asked us to wait, in ms. */
  readonly retryAfterMs?: number;
  /** The provider's own error code. */
  readonly providerCode?: string;
  /** HTTP status of the provider's answer. */
  readonly httpStatus?: number;

  constructor(code: ErrorCode | (string & {}), message: string, options: ConnectorErrorOptions) {
    super(code, message, options);
    this.outcome = options.outcome;
    this.retryable = options.retryable ?? false;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
    if (options.providerCode !== undefined) this.providerCode = options.providerCode;
    if (options.httpStatus !== undefined) this.httpStatus = options.httpStatus;
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      outcome: this.outcome,
      retryable: this.retryable,
      ...(this.retryAfterMs !== undefined ? { retryAfterMs: this.retryAfterMs } : {}),
      ...(this.providerCode !== undefined ? { providerCode: this.providerCode } : {}),
      ...(this.httpStatus !== undefined ? { httpStatus: this.httpStatus } : {}),
    };
  }
}

/** Parameters were refused before any network call (outcome `not_sent`, not retryable). */
export class ValidationError extends ConnectorError {
  /** The parameter at fault, e.g. `phoneNumber`. */
  readonly field: string;
  constructor(code: ErrorCode, field: string, message: string) {
    super(code, message, { outcome: 'not_sent', retryable: false, details: { field } });
    this.field = field;
  }
}

/** The provider said no; nothing was issued (outcome `rejected`). */
export class ProviderRejectedError extends ConnectorError {
  constructor(code: ErrorCode | (string & {}), message: string, options: Omit<ConnectorErrorOptions, 'outcome'> = {}) {
    super(code, message, { ...options, outcome: 'rejected' });
  }
}

/** The request may have been issued; reconcile by reference (outcome `unknown`, retryable only by reconciliation or a safe re-send). */
export class OutcomeUnknownError extends ConnectorError {
  constructor(code: ErrorCode | (string & {}), message: string, options: Omit<ConnectorErrorOptions, 'outcome'> = {}) {
    super(code, message, { retryable: true, ...options, outcome: 'unknown' });
  }
}

/** Nothing reached the provider (outcome `not_sent`); usually safe to retry. */
export class NotSentError extends ConnectorError {
  constructor(code: ErrorCode | (string & {}), message: string, options: Omit<ConnectorErrorOptions, 'outcome'> = {}) {
    super(code, message, { retryable: true, ...options, outcome: 'not_sent' });
  }
}

/** The circuit breaker for a connector instance is open (outcome `not_sent`). */
export class CircuitOpenError extends NotSentError {
  constructor(connector: string, options: RelaypointErrorOptions = {}) {
    super(ErrorCodes.CIRCUIT_OPEN, `circuit breaker for connector "${connector}" is open; failing fast`, { ...options, retryable: true });
  }
}

/** A plugin could not be loaded: not found, not a plugin, core mismatch, bad schema. */
export class PluginError extends RelaypointError {
  /** The plugin specifier or id at fault. */
  readonly plugin: string;
  constructor(code: ErrorCode, plugin: string, message: string, options: RelaypointErrorOptions = {}) {
    super(code, message, { ...options, details: { plugin, ...options.details } });
    this.plugin = plugin;
  }
}

/** A config is unreadable or invalid; `errors` holds one `path: message` line per problem. */
export class ConfigError extends RelaypointError {
  /** One `<json path>: <message>` line per problem. */
  readonly errors: string[];
  constructor(code: ErrorCode, errors: string[], options: RelaypointErrorOptions = {}) {
    super(code, errors.length === 1 ? errors[0] : `${errors.length} config errors:\n${errors.join('\n')}`, options);
    this.errors = errors;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), errors: this.errors };
  }
}
