import { createHash } from 'node:crypto';
import {
  ErrorCodes,
  pooledRandomBytes,
  validateIssueParams,
  type IssueParams,
  type IssueRequest,
  type StatusQuery,
} from '@relaypoint/core';
import type { ConnectorHandle } from '../connectors/ConnectorHandle.js';
import { IssuanceError } from './IssuanceError.js';
import type { IssuanceRow, StoredParams } from './IssuanceRecord.js';

/** What POST /v1/issuances carries. */
export interface IssueInput {
  connector: string;
  productId: string;
  customerId: string;
  phoneNumber?: string;
  /** Decimal string in major units. */
  amount: string;
  currency: string;
  reference: string;
  metadata?: Record<string, string>;
}

/** Longest reference a provider accepts (core's reference rule). */
const MAX_PROVIDER_REFERENCE = 100;

/**
 * The reference sent to the provider: the tenant's reference prefixed with
 * the tenant id, so two tenants sharing a provider account can never
 * collide (a provider deduplicating on a bare reference would hand one
 * tenant the other's voucher).
 */
export function providerReference(tenantId: string, reference: string): string {
  return `${tenantId}:${reference}`;
}

/**
 * True when the provider deduplicates references (returns, replays or
 * refuses a repeat), so core may have re-sent within one call. Whether a
 * re-send is safe now also depends on the provider's reference window: see
 * core's `resendIsSafe`.
 */
export function repeatIsSafe(handle: ConnectorHandle): boolean {
  return handle.plugin.capabilities.duplicateReference !== 'none';
}

/** The request a plugin is sent for these parameters: core's validation, with the plugin's phone rule (throws ValidationError). */
export function issueRequest(params: IssueParams, handle: ConnectorHandle): IssueRequest {
  return validateIssueParams(params, { requirePhone: handle.plugin.requiresPhone ?? false });
}

/** A status query by reference, carrying the issue request when known so the plugin can compare what it finds. */
export function withRequest(query: { reference: string }, request: IssueRequest | undefined): StatusQuery {
  return request ? { ...query, request } : query;
}

/** The issue request of a journal row, as sent to the provider; undefined if it no longer validates. */
export function requestOfRow(row: IssuanceRow, handle: ConnectorHandle): IssueRequest | undefined {
  try {
    const params = JSON.parse(row.params) as StoredParams;
    return issueRequest({ ...params, reference: providerReference(row.tenant_id, row.reference) }, handle);
  } catch {
    return undefined;
  }
}

/** A validated intent: what the provider is sent, what the journal stores, and the hash that tells a repeat from a conflict. */
export interface PreparedIssue {
  /** As sent to the provider (reference prefixed, amount as the exact decimal). */
  params: IssueParams;
  /** As stored in the journal. */
  stored: StoredParams;
  /** SHA-256 of the canonical request: the same reference with another hash is a conflict. */
  hash: string;
}

/** Validates an issue request for a connector (throws IssuanceError or core's ValidationError) and prepares what is sent and stored. */
export function prepareIssue(tenantId: string, input: IssueInput, handle: ConnectorHandle): PreparedIssue {
  const sentReference = providerReference(tenantId, input.reference);
  if (sentReference.length > MAX_PROVIDER_REFERENCE) {
    const max = MAX_PROVIDER_REFERENCE - tenantId.length - 1;
    throw new IssuanceError(ErrorCodes.INVALID_REFERENCE, `reference must be at most ${max} characters for this tenant`, {
      errors: [
        `body.reference: must be at most ${max} characters (the provider sees "${tenantId}:<reference>", at most ${MAX_PROVIDER_REFERENCE})`,
      ],
    });
  }
  const params: IssueParams = {
    productId: input.productId,
    customerId: input.customerId,
    amount: input.amount,
    currency: input.currency,
    reference: sentReference,
    ...(input.phoneNumber !== undefined ? { phoneNumber: input.phoneNumber } : {}),
    ...(input.metadata !== undefined ? { metadata: input.metadata } : {}),
  };
  const request = issueRequest(params, handle);
  const stored: StoredParams = {
    productId: request.productId,
    customerId: request.customerId,
    ...(request.phoneNumber !== undefined ? { phoneNumber: request.phoneNumber } : {}),
    amount: request.amount.decimal,
    currency: request.amount.currency,
    ...(request.metadata !== undefined && Object.keys(request.metadata).length > 0 ? { metadata: request.metadata } : {}),
  };
  const hash = createHash('sha256')
    .update(canonical({ connector: input.connector, ...stored }))
    .digest('hex');
  return { params: { ...params, amount: stored.amount }, stored, hash };
}

/** JSON with sorted keys and no undefined members: equal requests hash equal. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, member]) => member !== undefined)
      .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
    return `{${entries.map(([key, member]) => `${JSON.stringify(key)}:${canonical(member)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A new issuance id: time-ordered, then random. */
export function newIssuanceId(): string {
  return `iss_${Date.now().toString(36).padStart(9, '0')}${pooledRandomBytes(8).toString('hex')}`;
}

/** A loggable summary of an error: code and message only (never a request config or body). */
export function errorSummary(error: unknown): Record<string, unknown> {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { name: error.name, message: error.message, ...(code !== undefined ? { code } : {}) };
  }
  return { message: String(error) };
}
