import type { Request } from 'express';
import type { Logger } from 'pino';
import type { Principal } from './ApiKeys.js';

/** What the host's middleware attaches to each request. */
export interface RequestContext {
  /** `x-request-id` as received (when sane) or generated. */
  requestId: string;
  /** A logger bound to the request id (created on first use: most requests log only their one request line). */
  readonly log: Logger;
  /** Set by the auth middleware. */
  principal?: Principal;
  /** The tenant the request acts for (a tenant key's own, or the admin's `X-Relaypoint-Tenant`). */
  tenantId?: string;
  /** The issuance a `POST /v1/issuances` created or found, for the request's log line (one line per issuance request). */
  issuance?: { id: string; status: string; code?: string };
}

/** The request's context. */
export function ctx(req: Request): RequestContext {
  return (req as Request & { relaypoint: RequestContext }).relaypoint;
}
