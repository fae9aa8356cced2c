import {
  ErrorCodes,
  OutcomeUnknownError,
  compareEchoedAmount,
  type AmountMatch,
  type IssueRequest,
  type IssueResult,
  type IssueStatus,
} from '@relaypoint/core';

/**
 * Tremendous's order statuses (the client's `CreateOrder200ResponseOrderStatusEnum`,
 * plus `CART`, which Tremendous's documentation lists beside `OPEN`).
 */
export const TREMENDOUS_ORDER_STATUS: Readonly<Record<string, IssueStatus>> = {
  /** Paid; the reward exists and is being (or was) delivered. */
  EXECUTED: 'succeeded',
  /** Created, not processed yet. */
  OPEN: 'pending',
  CART: 'pending',
  /** Waits for an approver in the customer's organisation. */
  'PENDING APPROVAL': 'pending',
  /** Under review by Tremendous. */
  'PENDING INTERNAL PAYMENT APPROVAL': 'pending',
  /** Funds held until the settlement window clears. */
  'PENDING SETTLEMENT': 'pending',
  /** Not processed (e.g. insufficient funds). */
  FAILED: 'failed',
  /** The order and its rewards were canceled. */
  CANCELED: 'failed',
};

/** The reward of a single-reward order, as the connector reads it. */
export interface TremendousReward {
  id?: string;
  value?: { denomination?: unknown; currency_code?: unknown };
  delivery?: { method?: unknown; status?: unknown; link?: unknown };
}

/** An order as Tremendous returns it (the fields the connector reads). */
export interface TremendousOrder {
  id: string;
  external_id?: string | null;
  status: string;
  reward?: TremendousReward;
}

function badResponse(what: string): OutcomeUnknownError {
  return new OutcomeUnknownError(ErrorCodes.PROVIDER_BAD_RESPONSE, `tremendous answered 2xx with ${what}; the order may have been placed`, {
    retryable: true,
  });
}

/**
 * Checks an order (the object under `order`, or a list item): an id, a known
 * status, our external_id when `reference` is given, at most one reward, and
 * a reward id once executed. Anything else is an unknown outcome.
 */
export function readTremendousOrder(raw: unknown, reference?: string): TremendousOrder {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw badResponse('an order that is not a JSON object');
  const o = raw as Record<string, unknown>;
  if (typeof o.id !== 'string' || o.id === '') throw badResponse('no order id');
  if (typeof o.status !== 'string' || !(o.status in TREMENDOUS_ORDER_STATUS))
    throw badResponse(`an unexpected order status ${JSON.stringify(o.status)}`);
  if (reference !== undefined && o.external_id !== reference)
    throw badResponse(`an order for another external_id (${JSON.stringify(o.external_id)})`);
  const rewards = o.rewards;
  if (rewards !== undefined && !Array.isArray(rewards)) throw badResponse('rewards that are not a list');
  if (Array.isArray(rewards) && rewards.length > 1) throw badResponse(`${rewards.length} rewards in a single-reward order`);
  const reward = Array.isArray(rewards) && rewards.length === 1 ? (rewards[0] as TremendousReward) : undefined;
  if (o.status === 'EXECUTED' && (typeof reward?.id !== 'string' || reward.id === ''))
    throw badResponse('an executed order without a reward id');
  return {
    id: o.id,
    status: o.status,
    ...(typeof o.external_id === 'string' ? { external_id: o.external_id } : {}),
    ...(reward ? { reward } : {}),
  };
}

/** The order out of `{ order: {...} }`. */
export function readOrderEnvelope(body: unknown, reference?: string): TremendousOrder {
  const order = body !== null && typeof body === 'object' ? (body as { order?: unknown }).order : undefined;
  return readTremendousOrder(order, reference);
}

/**
 * Maps a checked order to the contract's result. An executed order's reward
 * is the voucher: its id as the code, its link (LINK delivery) as the
 * redemption URL; the delivery status travels in the provider message.
 */
export function toIssueResult(order: TremendousOrder, reference: string): IssueResult {
  const status = TREMENDOUS_ORDER_STATUS[order.status];
  const reward = order.reward;
  const link = typeof reward?.delivery?.link === 'string' && reward.delivery.link !== '' ? reward.delivery.link : undefined;
  const delivery = typeof reward?.delivery?.status === 'string' ? reward.delivery.status : undefined;
  return {
    status,
    reference,
    transactionId: order.id,
    providerCode: order.status,
    ...(delivery ? { providerMessage: `reward delivery ${delivery}` } : {}),
    ...(status === 'succeeded' && reward?.id ? { voucher: { code: reward.id, ...(link ? { redemptionUrl: link } : {}) } } : {}),
  };
}

/** Whether an order's reward value can be the request's: the same, certainly different, or impossible to tell. */
export function compareOrder(order: TremendousOrder, req: IssueRequest): { different: string[]; doubtful: string[] } {
  const value = order.reward?.value;
  const checks: [string, AmountMatch][] = [];
  // Currency codes are compared in any case: an echo in lower case is the same currency.
  const currency = typeof value?.currency_code === 'string' ? value.currency_code.toUpperCase() : value?.currency_code;
  if (currency !== undefined) checks.push(['currency', currency === req.amount.currency ? 'same' : 'different']);
  if (currency === undefined || currency === req.amount.currency)
    checks.push(['amount', compareEchoedAmount(value?.denomination, req.amount)]);
  return {
    different: checks.filter(([, m]) => m === 'different').map(([f]) => f),
    doubtful: checks.filter(([, m]) => m === 'doubtful').map(([f]) => f),
  };
}
