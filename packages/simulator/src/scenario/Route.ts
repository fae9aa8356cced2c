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

/** Routes a `"*"` rule applies to: the ones that issue. Reads are faulted only by a rule naming them, so reconciliation works during chaos. */
export const WILDCARD_ROUTES: ReadonlySet<Route> = new Set<Route>(['airtime.issue', 'giftcard.order']);
