import { RelaypointError } from '@relaypoint/core';
import { WebhookErrorCodes } from './codes.js';

/** A publish was refused because the event does not match its schema (code `EVENT_INVALID`); nothing was stored. */
export class EventValidationError extends RelaypointError {
  /** One `path: message` line per problem, e.g. `data.currency: must match pattern /^[A-Z]{3}$/`. */
  readonly errors: string[];
  /** The event type that was published. */
  readonly eventType: string;
  constructor(eventType: string, errors: string[]) {
    super(WebhookErrorCodes.EVENT_INVALID, `event "${eventType}" is invalid: ${errors.join('; ')}`, { details: { eventType, errors } });
    this.errors = errors;
    this.eventType = eventType;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), errors: this.errors };
  }
}
