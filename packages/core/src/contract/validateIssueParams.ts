import { ErrorCodes } from '../errors/codes.js';
import { ValidationError } from '../errors/ConnectorError.js';
import type { IssueParams, IssueRequest } from './Connector.js';
import { toMoney } from './Money.js';

const E164 = /^\+[1-9]\d{7,14}$/;
const REFERENCE = /^[A-Za-z0-9._:-]{1,100}$/;

/** True when `phone` is E.164: `+`, a non-zero digit, then 7–14 more digits. */
export function isE164(phone: unknown): phone is string {
  return typeof phone === 'string' && E164.test(phone);
}

function requireText(value: unknown, field: string, max = 200): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ValidationError(ErrorCodes.INVALID_PARAMS, field, `${field} is required and must be a non-empty string`);
  }
  if (value.length > max) throw new ValidationError(ErrorCodes.INVALID_PARAMS, field, `${field} must be at most ${max} characters`);
  return value;
}

function checkMetadata(metadata: unknown): Record<string, string> {
  const bad = (): never => {
    throw new ValidationError(ErrorCodes.INVALID_PARAMS, 'metadata', 'metadata must be an object whose values are strings');
  };
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) bad();
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(metadata as object)) {
    if (typeof v !== 'string') bad();
    out[k] = v as string;
  }
  return out;
}

/** Options of {@link validateIssueParams}. */
export interface ValidateIssueParamsOptions {
  /** Require `phoneNumber` (airtime). Defaults to `false`; a phone that is given is always checked. */
  requirePhone?: boolean;
}

/**
 * Checks and normalises issuance parameters before any network call.
 * Throws a `ValidationError` (outcome `not_sent`) with a stable code naming
 * the first bad field.
 */
export function validateIssueParams(params: IssueParams, options: ValidateIssueParamsOptions = {}): IssueRequest {
  if (params === null || typeof params !== 'object')
    throw new ValidationError(ErrorCodes.INVALID_PARAMS, 'params', 'issuance parameters must be an object');
  if (typeof params.reference !== 'string' || !REFERENCE.test(params.reference)) {
    throw new ValidationError(ErrorCodes.INVALID_REFERENCE, 'reference', 'reference must be 1–100 characters of [A-Za-z0-9._:-]');
  }
  const productId = requireText(params.productId, 'productId');
  const customerId = requireText(params.customerId, 'customerId');
  if (params.phoneNumber !== undefined || options.requirePhone) {
    if (!isE164(params.phoneNumber)) {
      throw new ValidationError(ErrorCodes.INVALID_PHONE_NUMBER, 'phoneNumber', 'phoneNumber must be E.164, e.g. +263771234567');
    }
  }
  const amount = toMoney(params.amount, params.currency);
  const out: IssueRequest = { productId, customerId, amount, currency: amount.currency, reference: params.reference };
  if (params.phoneNumber !== undefined) out.phoneNumber = params.phoneNumber;
  if (params.metadata !== undefined) out.metadata = checkMetadata(params.metadata);
  return out;
}
