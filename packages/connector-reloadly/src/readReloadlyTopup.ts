import {
  ErrorCodes,
  OutcomeUnknownError,
  compareEchoedAmount,
  type AmountMatch,
  type IssueRequest,
  type IssueResult,
  type IssueStatus,
  type Voucher,
} from '@relaypoint/core';

/** Reloadly's top-up statuses and what they mean for the issuance. */
export const RELOADLY_STATUS: Readonly<Record<string, IssueStatus>> = {
  /** Delivered. */
  SUCCESSFUL: 'succeeded',
  /** "Still being verified from the operator's end": resolved by a status lookup. */
  PROCESSING: 'pending',
  /** The operator did not deliver; any debit was refunded. */
  REFUNDED: 'failed',
  /** Failed, nothing debited (Reloadly: wait 30 minutes before trying again). */
  FAILED: 'failed',
};

/** A top-up transaction as Reloadly returns it (the fields the connector reads). */
export interface ReloadlyTopup {
  transactionId: string;
  status: string;
  customIdentifier?: string | null;
  operatorTransactionId?: string | null;
  operatorId?: unknown;
  recipientPhone?: unknown;
  requestedAmount?: unknown;
  requestedAmountCurrencyCode?: unknown;
  deliveredAmount?: unknown;
  deliveredAmountCurrencyCode?: unknown;
  pinDetail?: { code?: unknown; serial?: unknown; validity?: unknown } | null;
}

function badResponse(what: string): OutcomeUnknownError {
  return new OutcomeUnknownError(ErrorCodes.PROVIDER_BAD_RESPONSE, `reloadly answered 2xx with ${what}; the top-up may have been made`, {
    retryable: true,
  });
}

/** Reloadly's ids are JSON integers; kept as strings, refused when they are not exact. */
function readId(raw: unknown): string | undefined {
  if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw > 0) return String(raw);
  if (typeof raw === 'string' && /^[1-9]\d{0,19}$/.test(raw)) return raw;
  return undefined;
}

/**
 * Checks the shape of a top-up transaction: an id, a known status, and (when
 * `reference` is given) our customIdentifier. Anything else is an unknown
 * outcome, never a success or a failure. The status endpoint may wrap the
 * transaction as `{ status, transaction: {...} }`; both shapes are read.
 */
export function readReloadlyTopup(body: unknown, reference?: string): ReloadlyTopup {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badResponse('a body that is not a JSON object');
  let o = body as Record<string, unknown>;
  if (o.transactionId === undefined && o.transaction !== null && typeof o.transaction === 'object') {
    o = { status: o.status, ...(o.transaction as Record<string, unknown>) };
  }
  const id = readId(o.transactionId);
  if (id === undefined) throw badResponse('no usable transactionId');
  if (typeof o.status !== 'string' || !(o.status in RELOADLY_STATUS)) throw badResponse(`an unexpected status ${JSON.stringify(o.status)}`);
  if (reference !== undefined && o.customIdentifier !== reference) {
    throw badResponse(`a transaction for another customIdentifier (${JSON.stringify(o.customIdentifier)})`);
  }
  return { ...(o as unknown as ReloadlyTopup), transactionId: id };
}

/** The answer of `POST /topups-async`: only `{ transactionId }`. */
export function readAsyncAccepted(body: unknown): string {
  const id = body !== null && typeof body === 'object' ? readId((body as Record<string, unknown>).transactionId) : undefined;
  if (id === undefined) throw badResponse('no usable transactionId for the async top-up');
  return id;
}

/** The airtime delivered: a PIN for PIN products, else the operator's transaction id. */
function voucherOf(topup: ReloadlyTopup): Voucher | undefined {
  const pin = topup.pinDetail;
  if (pin && typeof pin.code === 'string' && pin.code !== '') {
    return { code: pin.code, ...(typeof pin.serial === 'string' && pin.serial !== '' ? { pin: pin.serial } : {}) };
  }
  if (typeof topup.operatorTransactionId === 'string' && topup.operatorTransactionId !== '') return { code: topup.operatorTransactionId };
  return undefined;
}

/** Maps a checked top-up to the contract's result. */
export function toIssueResult(topup: ReloadlyTopup, reference: string): IssueResult {
  const status = RELOADLY_STATUS[topup.status];
  const voucher = status === 'succeeded' ? voucherOf(topup) : undefined;
  return { status, reference, transactionId: topup.transactionId, providerCode: topup.status, ...(voucher ? { voucher } : {}) };
}

/** A currency code echoed in any case, upper-cased for comparison. */
function upper(code: unknown): unknown {
  return typeof code === 'string' ? code.toUpperCase() : code;
}

/** The operator id, phone and amount a request is sent with, to compare a found transaction against. */
export interface SentTerms {
  operatorId: number;
  /** National number, digits only. */
  number: string;
}

/**
 * Compares a transaction found under our customIdentifier with the request:
 * fields that certainly differ, and fields that cannot be compared. The
 * amount is compared in whichever echoed currency is the request's
 * (requested or delivered); an echo in neither is `doubtful`.
 */
export function compareTopup(topup: ReloadlyTopup, req: IssueRequest, sent: SentTerms): { different: string[]; doubtful: string[] } {
  const checks: [string, AmountMatch][] = [];
  if (topup.operatorId !== undefined) {
    checks.push([
      'operator',
      readId(topup.operatorId) === undefined ? 'doubtful' : readId(topup.operatorId) === String(sent.operatorId) ? 'same' : 'different',
    ]);
  }
  if (typeof topup.recipientPhone === 'string') {
    const digits = topup.recipientPhone.replace(/\D/g, '');
    checks.push(['recipient', digits.endsWith(sent.number) ? 'same' : 'different']);
  }
  let amount: AmountMatch = 'doubtful';
  const echoed = [upper(topup.requestedAmountCurrencyCode), upper(topup.deliveredAmountCurrencyCode)].filter((c) => typeof c === 'string');
  // A top-up in our currency has it as its requested (wallet) or delivered (local) currency: an echo with neither is another top-up.
  if (echoed.length > 0) checks.push(['currency', echoed.includes(req.amount.currency) ? 'same' : 'different']);
  if (topup.requestedAmount === undefined && topup.deliveredAmount === undefined) amount = 'same';
  else if (echoed.length > 0 && !echoed.includes(req.amount.currency)) amount = 'same';
  else if (upper(topup.requestedAmountCurrencyCode) === req.amount.currency)
    amount = compareEchoedAmount(topup.requestedAmount, req.amount);
  else if (upper(topup.deliveredAmountCurrencyCode) === req.amount.currency)
    amount = compareEchoedAmount(topup.deliveredAmount, req.amount);
  checks.push(['amount', amount]);
  return {
    different: checks.filter(([, m]) => m === 'different').map(([f]) => f),
    doubtful: checks.filter(([, m]) => m === 'doubtful').map(([f]) => f),
  };
}
