import type { SimulatorConfig } from './SimulatorConfig.types.js';

/**
 * The built-in accounts and catalogue: anyone can call the simulator with
 * these test credentials and no config file (like a provider's sandbox keys).
 */
export const DEFAULT_CONFIG: SimulatorConfig = {
  airtime: {
    currency: 'USD',
    accounts: [{ id: 'default', apiKey: 'sim-airtime-key', secret: 'sim-airtime-secret', balance: '1000000.00' }],
    products: [
      { id: 'DATA_200MB', name: '200 MB data bundle', minAmount: '0.01', maxAmount: '1000.00' },
      { id: 'AIRTIME_5', name: 'Airtime top-up', minAmount: '0.01', maxAmount: '1000.00' },
      { id: 'AIRTIME_ASYNC', name: 'Airtime top-up, confirmed by the operator later', minAmount: '0.01', maxAmount: '1000.00', pending: { polls: 2, outcome: 'success' } },
      { id: 'AIRTIME_ASYNC_FAIL', name: 'Airtime top-up the operator later declines', minAmount: '0.01', maxAmount: '1000.00', pending: { polls: 2, outcome: 'failed' } },
    ],
    recentRechargeWindowMs: 0,
  },
  giftcard: {
    currency: 'USD',
    accounts: [{ id: 'default', apiKey: 'sim-giftcard-key', balance: '1000000.00' }],
    products: [
      { id: 'GC-AMAZON-USD', brand: 'Amazon', name: 'Amazon.com gift card', currency: 'USD', denominations: ['10.00', '25.00', '50.00'] },
      { id: 'GC-VISA-USD', brand: 'Visa', name: 'Visa prepaid card', currency: 'USD', minAmount: '1.00', maxAmount: '500.00' },
      { id: 'GC-ASYNC-USD', brand: 'Async', name: 'Gift card fulfilled later', currency: 'USD', denominations: ['10.00', '25.00'], pending: { polls: 2, outcome: 'success' } },
      { id: 'GC-ASYNC-FAIL-USD', brand: 'Async', name: 'Gift card whose fulfilment later fails', currency: 'USD', denominations: ['10.00', '25.00'], pending: { polls: 2, outcome: 'failed' } },
    ],
  },
};
