import { createRequire } from 'node:module';
import { compileSchema, toMinorUnits, validateAgainstSchema } from '@relaypoint/core';
import type { IssueTerms, ModelProduct, ModelRefusal, ModelRequest } from '@relaypoint/simulator';
import type { TremendousCreateOrderRequest } from './TremendousCreateOrderRequest.types.js';

/** Tremendous's create-order request schema (derived from the official client's types; see the file's description). */
export const tremendousCreateOrderSchema = createRequire(import.meta.url)('./TremendousCreateOrderRequest.schema.json') as Record<
  string,
  unknown
>;
// Compiled once at load, so the first order a test sends is not slowed by ajv's compilation.
compileSchema(tremendousCreateOrderSchema);

/** The request fields a refusal names, kept per request for the `errors.payload` of the answer. */
export const refusalPayloads = new WeakMap<ModelRequest, Record<string, unknown>>();

/** The organisation currency of the simulated account (Tremendous's default when `currency_code` is absent). */
export const TREMENDOUS_MODEL_ORG_CURRENCY = 'USD';

/** Builds the nested `payload` object Tremendous's errors carry from a dotted path (`reward.value.denomination`). */
function payloadFor(path: string, message: string): Record<string, unknown> {
  const keys = path.split('.').filter((k) => k !== '' && !/^\d+$/.test(k));
  let node: unknown = [message];
  for (const key of keys.reverse()) node = { [key]: node };
  return (node !== null && typeof node === 'object' && !Array.isArray(node) ? node : { base: [message] }) as Record<string, unknown>;
}

function refuse(request: ModelRequest, refusal: ModelRefusal, path: string): ModelRefusal {
  refusalPayloads.set(request, payloadFor(path, refusal.message));
  return refusal;
}

/** The denomination exactly as written in the raw JSON (`25.00` stays `25.00`). */
function denominationLiteral(raw: Buffer, parsed: unknown): string | undefined {
  const m = /"denomination"\s*:\s*(\d+(?:\.\d+)?)\s*[,}]/.exec(raw.toString('utf8'));
  if (m) return m[1];
  return typeof parsed === 'number' ? String(parsed) : undefined;
}

function toMinor(literal: string, currency: string): bigint | undefined {
  const trimmed = literal.includes('.') ? literal.replace(/0+$/, '').replace(/\.$/, '') : literal;
  try {
    const minor = toMinorUnits(trimmed, currency);
    return minor > 0n ? minor : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads a create-order request into the ledger's terms: checked against the
 * request schema first (a missing reward, a denomination sent as a string, a
 * drifted field name are refused as Tremendous refuses them), then the
 * product, the currency and the exact denomination.
 */
export function parseTremendousOrder(request: ModelRequest, products: readonly ModelProduct[]): IssueTerms | ModelRefusal {
  if (request.body === undefined || request.body === null || typeof request.body !== 'object') {
    return refuse(request, { refuse: 'invalid-request', message: 'The request body is not valid JSON' }, 'base');
  }
  const problems = validateAgainstSchema(tremendousCreateOrderSchema, structuredClone(request.body));
  if (problems.length > 0) {
    const first = problems[0];
    return refuse(
      request,
      { refuse: 'invalid-request', message: `Invalid request: ${problems.join('; ')}` },
      first.slice(0, first.indexOf(':')).replace(/\[\d+\]/g, ''),
    );
  }
  const body = request.body as TremendousCreateOrderRequest;
  const reward = body.reward;
  if (!reward.products || reward.products.length !== 1) {
    return refuse(
      request,
      { refuse: 'unknown-product', message: 'The simulated account has no campaigns: name exactly one product' },
      'reward.products',
    );
  }
  const product = products.find((p) => p.id === reward.products?.[0]);
  if (!product)
    return refuse(
      request,
      { refuse: 'unknown-product', message: `Product ${String(reward.products[0])} is not available` },
      'reward.products',
    );
  if (!reward.value)
    return refuse(request, { refuse: 'invalid-amount', message: 'A reward value is required' }, 'reward.value.denomination');
  const currency = reward.value.currency_code ?? TREMENDOUS_MODEL_ORG_CURRENCY;
  const literal = denominationLiteral(request.raw, reward.value.denomination);
  const amountMinor = literal === undefined ? undefined : toMinor(literal, currency);
  if (amountMinor === undefined)
    return refuse(
      request,
      { refuse: 'invalid-amount', message: `Denomination ${String(literal)} is not valid in ${currency}` },
      'reward.value.denomination',
    );
  const recipient = reward.recipient?.email ?? reward.recipient?.phone ?? reward.recipient?.name ?? undefined;
  return {
    // Tremendous does not require an external_id; the ledger keys every order by one.
    reference: body.external_id ?? `tremendous-auto-${request.raw.length}-${Date.now()}`,
    amountMinor,
    currency,
    productId: product.id,
    ...(recipient ? { recipient } : {}),
    fingerprint: `delivery=${reward.delivery?.method ?? 'EMAIL'}|funding=${body.payment?.funding_source_id ?? 'balance'}`,
  };
}
