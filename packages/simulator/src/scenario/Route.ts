/**
 * What a request to the simulator is, as the journal and scenario rules name
 * it: `<model id>.<route name>` (`airtime.issue`, `giftcard.order`,
 * `zapcash.payouts.create`), `proxy.<METHOD> <path>` on the fault proxy
 * without a model, or one of {@link SIMULATOR_ROUTES}.
 */
export type Route = string;

/** Routes that belong to the simulator itself rather than to a model. */
export const SIMULATOR_ROUTES: readonly Route[] = ['control', 'sink', 'unknown'];

/** The issue routes of the built-in models: what `"*"` applies to when no model list is given (a FaultPlan built alone). */
export const BUILT_IN_ISSUE_ROUTES: ReadonlySet<Route> = new Set<Route>(['airtime.issue', 'giftcard.order']);
