import type { ModelProduct } from '@relaypoint/simulator';

/** The wallet currency of the simulated Reloadly accounts. */
export const RELOADLY_MODEL_WALLET_CURRENCY = 'USD';

/** What the model knows of an operator besides its product fields. */
export interface ReloadlyOperatorDetails {
  name: string;
  /** ISO 3166-1 alpha-2. */
  countryCode: string;
  /** ITU calling code, digits. */
  callingCode: string;
}

const operator = (id: string, currency: string, details: ReloadlyOperatorDetails, extra: Partial<ModelProduct> = {}): ModelProduct => ({
  id,
  currency,
  min: '0.01',
  max: '100000',
  details: { ...details },
  ...extra,
});

/**
 * The simulated operators (the model's products). Their id is the operatorId
 * and their currency the operator's local currency. 341 is MTN Nigeria's id in
 * Reloadly's own examples; the other ids are the simulator's. 9001 and 9002
 * stay `PROCESSING` for two status reads, then turn `SUCCESSFUL` / `REFUNDED`.
 */
export const RELOADLY_MODEL_OPERATORS: readonly ModelProduct[] = [
  operator('341', 'NGN', { name: 'MTN Nigeria', countryCode: 'NG', callingCode: '234' }),
  operator('173', 'USD', { name: 'AT&T PIN US', countryCode: 'US', callingCode: '1' }),
  operator('1152', 'UGX', { name: 'MTN Uganda', countryCode: 'UG', callingCode: '256' }, { min: '500', max: '500000' }),
  operator('700', 'KWD', { name: 'Zain Kuwait', countryCode: 'KW', callingCode: '965' }, { min: '0.5', max: '100' }),
  operator(
    '9001',
    'NGN',
    { name: 'Sim Slow Operator (resolves SUCCESSFUL)', countryCode: 'NG', callingCode: '234' },
    { pending: { polls: 2, outcome: 'succeeded' } },
  ),
  operator(
    '9002',
    'NGN',
    { name: 'Sim Slow Operator (resolves REFUNDED)', countryCode: 'NG', callingCode: '234' },
    { pending: { polls: 2, outcome: 'failed' } },
  ),
];

/** The operator's details, as the model declared them. */
export function operatorDetails(product: ModelProduct): ReloadlyOperatorDetails {
  return product.details as unknown as ReloadlyOperatorDetails;
}
