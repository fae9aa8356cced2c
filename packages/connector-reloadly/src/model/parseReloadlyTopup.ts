import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import { compileSchema, toMinorUnits, validateAgainstSchema } from '@relaypoint/core';
import type { IssueTerms, ModelProduct, ModelRefusal, ModelRequest } from '@relaypoint/simulator';
import type { ReloadlyTopupRequest } from './ReloadlyTopupRequest.types.js';
import { RELOADLY_MODEL_WALLET_CURRENCY, operatorDetails } from './reloadlyOperators.js';

/** Reloadly's published top-up request schema (see the file's description for its sources). */
export const reloadlyTopupRequestSchema = createRequire(import.meta.url)('./ReloadlyTopupRequest.schema.json') as Record<string, unknown>;
// Compiled once at load, so the first top-up a test sends is not slowed by ajv's compilation.
compileSchema(reloadlyTopupRequestSchema);

/**
 * The `errorCode` a refused request is answered with, kept per request
 * between parsing and rendering (the refusal itself carries only a kind).
 */
export const refusalCodes = new WeakMap<ModelRequest, string | null>();

function refuse(request: ModelRequest, refusal: ModelRefusal, errorCode: string | null): ModelRefusal {
  refusalCodes.set(request, errorCode);
  return refusal;
}

/** The errorCode Reloadly documents for a bad field: INVALID_AMOUNT "a wrong data type", the phone codes; none for the rest. */
function codeForField(line: string): string | null {
  if (line.startsWith('amount')) return 'INVALID_AMOUNT';
  if (line.startsWith('recipientPhone')) return 'INVALID_RECIPIENT_PHONE';
  if (line.startsWith('senderPhone')) return 'INVALID_SENDER_PHONE';
  return null;
}

/**
 * The amount exactly as the client wrote it: the literal from the raw JSON
 * (`"amount":5.10` stays `5.10`, never a float), or a string's content.
 */
export function amountLiteral(raw: Buffer, parsed: unknown): string | undefined {
  const m = /"amount"\s*:\s*("?)(\d+(?:\.\d+)?)\1\s*[,}]/.exec(raw.toString('utf8'));
  if (m) return m[2];
  return typeof parsed === 'number' ? String(parsed) : typeof parsed === 'string' ? parsed : undefined;
}

/** Minor units of `literal` in `currency`; trailing zeros past the currency's decimals are allowed (`5.000` USD). */
function toMinor(literal: string, currency: string): bigint | undefined {
  const trimmed = literal.includes('.') ? literal.replace(/0+$/, '').replace(/\.$/, '') : literal;
  try {
    const minor = toMinorUnits(trimmed, currency);
    return minor > 0n ? minor : undefined;
  } catch {
    return undefined;
  }
}

/** A national number the simulated operators refuse (a digit then only zeros): the model's invalid recipient. */
export const INVALID_NUMBER = /^\d0{6,}$/;

/**
 * Reads a top-up request into the ledger's terms: checked against Reloadly's
 * request schema first (a drifted field name, a missing field or a wrong type
 * is refused as Reloadly would), then the operator, the currency the amount
 * is in (wallet or operator-local), the exact amount and the recipient.
 */
export function parseReloadlyTopup(request: ModelRequest, operators: readonly ModelProduct[]): IssueTerms | ModelRefusal {
  if (request.body === undefined || request.body === null || typeof request.body !== 'object') {
    return refuse(request, { refuse: 'invalid-request', message: 'Required request body is missing or is not JSON' }, null);
  }
  const problems = validateAgainstSchema(reloadlyTopupRequestSchema, structuredClone(request.body));
  if (problems.length > 0) {
    return refuse(request, { refuse: 'invalid-request', message: `Invalid request: ${problems.join('; ')}` }, codeForField(problems[0]));
  }
  const body = request.body as ReloadlyTopupRequest;
  const operator = operators.find((o) => o.id === String(body.operatorId));
  if (!operator) return refuse(request, { refuse: 'unknown-product', message: `Operator not found: ${String(body.operatorId)}` }, null);
  const details = operatorDetails(operator);
  const currency = body.useLocalAmount === true ? operator.currency : RELOADLY_MODEL_WALLET_CURRENCY;
  const literal = amountLiteral(request.raw, body.amount);
  const amountMinor = literal === undefined ? undefined : toMinor(literal, currency);
  if (amountMinor === undefined) {
    return refuse(request, { refuse: 'invalid-amount', message: `Invalid amount ${String(literal)} for ${currency}` }, 'INVALID_AMOUNT');
  }
  const phone = body.recipientPhone;
  const national = phone.number
    .replace(/^\+/, '')
    .replace(new RegExp(`^${details.callingCode}`), '')
    .replace(/^0/, '');
  if (phone.countryCode !== details.countryCode || INVALID_NUMBER.test(national)) {
    return refuse(
      request,
      { refuse: 'invalid-recipient', message: `The recipient phone is not valid for ${details.name} (${details.countryCode})` },
      'INVALID_RECIPIENT_PHONE',
    );
  }
  return {
    // Reloadly does not require a customIdentifier; the ledger keys every top-up by one.
    reference: body.customIdentifier ?? `reloadly-auto-${randomUUID()}`,
    amountMinor,
    currency,
    productId: operator.id,
    recipient: `+${details.callingCode}${national}`,
    fingerprint: `useLocalAmount=${body.useLocalAmount === true}`,
  };
}
