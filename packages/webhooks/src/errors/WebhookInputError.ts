import { RelaypointError } from '@relaypoint/core';
import { WebhookErrorCodes, type WebhookErrorCode } from './codes.js';

/** A subscription URL or other input was refused (`WEBHOOK_URL_FORBIDDEN`, `WEBHOOK_INPUT_INVALID`). */
export class WebhookInputError extends RelaypointError {
  /** The input field at fault, e.g. `url`. */
  readonly field: string;
  constructor(code: WebhookErrorCode, field: string, message: string) {
    super(code, message, { details: { field } });
    this.field = field;
  }

  /** Shorthand for a `WEBHOOK_URL_FORBIDDEN` error on `url`. */
  static urlForbidden(message: string): WebhookInputError {
    return new WebhookInputError(WebhookErrorCodes.WEBHOOK_URL_FORBIDDEN, 'url', message);
  }

  /** Shorthand for a `WEBHOOK_INPUT_INVALID` error. */
  static invalid(field: string, message: string): WebhookInputError {
    return new WebhookInputError(WebhookErrorCodes.WEBHOOK_INPUT_INVALID, field, message);
  }
}
