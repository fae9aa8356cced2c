import type { SimulatorConfig } from './SimulatorConfig.types.js';

/**
 * The built-in accounts and catalogue: anyone can call the simulator with
 * these test credentials and no config file (like a provider's sandbox keys).
 */
export const DEFAULT_CONFIG: SimulatorConfig = {
  airtime: {
    currency: 'USD',
    accounts: [
      {
        id: 'default',
        apiKey: 'sim-airtime-key',
        secret: 'sim-airtime-secret',
        balance: '1000000.00',
        balances: { EUR: '100000000.00', JPY: '10000000000', KWD: '100000000.000' },
      },
    ],
    products: [
      { id: 'DATA_200MB', name: '200 MB data bundle', minAmount: '0.01', maxAmount: '1000.00' },
      { id: 'AIRTIME_5', name: 'Airtime top-up', minAmount: '0.01', maxAmount: '1000.00' },
      {
        id: 'AIRTIME_ASYNC',
        name: 'Airtime top-up, confirmed by the operator later',
        minAmount: '0.01',
        maxAmount: '1000.00',
        pending: { polls: 2, outcome: 'success' },
      },
      {
        id: 'AIRTIME_ASYNC_FAIL',
        name: 'Airtime top-up the operator later declines',
        minAmount: '0.01',
        maxAmount: '1000.00',
        pending: { polls: 2, outcome: 'failed' },
      },
      { id: 'AIRTIME_EUR', name: 'Airtime top-up in euros', currency: 'EUR', minAmount: '0.01', maxAmount: '10000000.00' },
      { id: 'AIRTIME_JPY', name: 'Airtime top-up in yen (no decimals)', currency: 'JPY', minAmount: '1', maxAmount: '1000000000' },
      {
        id: 'AIRTIME_KWD',
        name: 'Airtime top-up in Kuwaiti dinars (3 decimals)',
        currency: 'KWD',
        minAmount: '0.001',
        maxAmount: '10000000.000',
      },
    ],
    recentRechargeWindowMs: 0,
  },
  giftcard: {
    currency: 'USD',
    accounts: [
      {
        id: 'default',
        apiKey: 'sim-giftcard-key',
        balance: '1000000.00',
        balances: { EUR: '100000000.00', JPY: '10000000000', KWD: '100000000.000' },
      },
    ],
    products: [
      { id: 'GC-AMAZON-USD', brand: 'Amazon', name: 'Amazon.com gift card', currency: 'USD', denominations: ['10.00', '25.00', '50.00'] },
      { id: 'GC-VISA-USD', brand: 'Visa', name: 'Visa prepaid card', currency: 'USD', minAmount: '1.00', maxAmount: '500.00' },
      {
        id: 'GC-ASYNC-USD',
        brand: 'Async',
        name: 'Gift card fulfilled later',
        currency: 'USD',
        denominations: ['10.00', '25.00'],
        pending: { polls: 2, outcome: 'success' },
      },
      {
        id: 'GC-ASYNC-FAIL-USD',
        brand: 'Async',
        name: 'Gift card whose fulfilment later fails',
        currency: 'USD',
        denominations: ['10.00', '25.00'],
        pending: { polls: 2, outcome: 'failed' },
      },
      { id: 'GC-VISA-EUR', brand: 'Visa', name: 'Visa prepaid card (EUR)', currency: 'EUR', minAmount: '0.01', maxAmount: '10000000.00' },
      {
        id: 'GC-VISA-JPY',
        brand: 'Visa',
        name: 'Visa prepaid card (JPY, no decimals)',
        currency: 'JPY',
        minAmount: '1',
        maxAmount: '1000000000',
      },
      {
        id: 'GC-VISA-KWD',
        brand: 'Visa',
        name: 'Visa prepaid card (KWD, 3 decimals)',
        currency: 'KWD',
        minAmount: '0.001',
        maxAmount: '10000000.000',
      },
    ],
  },
};
