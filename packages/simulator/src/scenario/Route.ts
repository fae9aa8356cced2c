/** What a request to the simulator is, as the journal and scenario rules name it. */
export type Route =
  | 'airtime.issue'
  | 'airtime.status'
  | 'airtime.lookup'
  | 'giftcard.products'
  | 'giftcard.order'
  | 'giftcard.status'
  | 'giftcard.lookup'
  | 'control'
  | 'sink'
  | 'unknown';

// A record, so the compiler checks that every route is listed.
const ROUTE_NAMES: Record<Route, true> = {
  'airtime.issue': true,
  'airtime.status': true,
  'airtime.lookup': true,
  'giftcard.products': true,
  'giftcard.order': true,
  'giftcard.status': true,
  'giftcard.lookup': true,
  control: true,
  sink: true,
  unknown: true,
};

/** Every route, in declaration order (what `GET /__sim/journal?route=` accepts). */
export const ROUTES: readonly Route[] = Object.keys(ROUTE_NAMES) as Route[];

/** Routes a `"*"` rule applies to: the ones that issue. Reads are faulted only by a rule naming them, so reconciliation works during chaos. */
export const WILDCARD_ROUTES: ReadonlySet<Route> = new Set<Route>(['airtime.issue', 'giftcard.order']);
