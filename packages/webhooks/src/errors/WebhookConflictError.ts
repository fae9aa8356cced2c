import { RelaypointError } from '@relaypoint/core';
import { WebhookErrorCodes } from './codes.js';

/** A request that conflicts with the resource's current state (`DELIVERY_IN_FLIGHT`, `SUBSCRIPTION_DELETED`, `SUBSCRIPTION_INACTIVE`); nothing changed. */
export class WebhookConflictError extends RelaypointError {
  constructor(
    code:
      | typeof WebhookErrorCodes.DELIVERY_IN_FLIGHT
      | typeof WebhookErrorCodes.SUBSCRIPTION_DELETED
      | typeof WebhookErrorCodes.SUBSCRIPTION_INACTIVE,
    message: string,
  ) {
    super(code, message);
  }
}
