import type { IssueParams } from '@relaypoint/core';
import type { ProviderName } from '../config/ResolvedConfig.js';
import type { RouteSelector } from '../scenario/Scenario.types.js';

/** What the contract suite needs to know about one simulated provider API. */
export interface ProviderProfile {
  provider: ProviderName;
  /** Path prefix of the provider API on the simulator. */
  prefix: '/airtime' | '/giftcard';
  /** The route that issues value. */
  issueRoute: Exclude<RouteSelector, '*'>;
  /** Every route of this provider (issue, reads, catalogue). */
  routes: Exclude<RouteSelector, '*'>[];
  /** Ledger status of a successful issuance. */
  successStatus: string;
  /** A product that stays pending for 2 status reads, then succeeds / fails. */
  pendingProducts: { succeeds: string; fails: string };
  /** Valid parameters for a synchronous, successful issuance. */
  sample(reference: string): IssueParams;
}

/** The two provider APIs the simulator speaks, as the contract suite drives them. */
export const providerProfiles: Record<ProviderName, ProviderProfile> = {
  airtime: {
    provider: 'airtime',
    prefix: '/airtime',
    issueRoute: 'airtime.issue',
    routes: ['airtime.issue', 'airtime.status', 'airtime.lookup'],
    successStatus: 'success',
    pendingProducts: { succeeds: 'AIRTIME_ASYNC', fails: 'AIRTIME_ASYNC_FAIL' },
    sample: (reference) => ({
      productId: 'AIRTIME_5',
      customerId: 'contract-customer',
      phoneNumber: '+263771234567',
      amount: '5.00',
      currency: 'USD',
      reference,
    }),
  },
  giftcard: {
    provider: 'giftcard',
    prefix: '/giftcard',
    issueRoute: 'giftcard.order',
    routes: ['giftcard.order', 'giftcard.status', 'giftcard.lookup', 'giftcard.products'],
    successStatus: 'complete',
    pendingProducts: { succeeds: 'GC-ASYNC-USD', fails: 'GC-ASYNC-FAIL-USD' },
    sample: (reference) => ({
      productId: 'GC-AMAZON-USD',
      customerId: 'contract-customer',
      amount: '25.00',
      currency: 'USD',
      reference,
    }),
  },
};
