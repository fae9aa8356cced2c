/* Generated from TremendousCreateOrderRequest.schema.json by scripts/codegen.mjs (json-schema-to-typescript). Do not edit: change the schema and run `npm run codegen`. */

/**
 * Body of Tremendous's POST /api/v2/orders (CreateOrderRequest = SingleRewardOrder), derived by hand from the type definitions of Tremendous's official Node client, npm package `tremendous` 4.12.0 (dist/api.d.ts: SingleRewardOrder, SingleRewardOrderPayment, SingleRewardOrderReward, ListRewards200ResponseRewardsInnerValue, ListRewards200ResponseRewardsInnerRecipient, SingleRewardOrderRewardDelivery, SingleRewardOrderRewardDeliveryMeta, SingleRewardOrderRewardCustomFieldsInner), which are generated from Tremendous's OpenAPI document. That package is MIT-licensed, Copyright (c) 2019 Tremendous, Inc. (https://github.com/tremendous-rewards/tremendous-node). Required fields and enums are the client's; `additionalProperties: false` is ours (the types list every field), so a plugin that drifts from the published field names fails here. The client's note that a reward needs `products` or `campaign_id` is the `anyOf`.
 */
export interface TremendousCreateOrderRequest {
  /**
   * Reference for this order, supplied by the customer; makes the order idempotent.
   */
  external_id?: string | null;
  payment?: {
    /**
     * Tremendous ID of the funding source; `balance` uses the account balance.
     */
    funding_source_id: string;
  };
  reward: (
    | {
        products: unknown[];
      }
    | {
        campaign_id: string;
      }
  ) & {
    campaign_id?: string | null;
    products?: string[];
    value?: {
      /**
       * Amount of the reward (number, double).
       */
      denomination: number;
      /**
       * Currency of the reward. Defaults to the organization's currency.
       */
      currency_code?:
        | 'USD'
        | 'CAD'
        | 'EUR'
        | 'AED'
        | 'AFN'
        | 'ALL'
        | 'AMD'
        | 'ARS'
        | 'AUD'
        | 'AZN'
        | 'BAM'
        | 'BDT'
        | 'BHD'
        | 'BIF'
        | 'BND'
        | 'BOB'
        | 'BRL'
        | 'BWP'
        | 'BYN'
        | 'BZD'
        | 'CDF'
        | 'CHF'
        | 'CLP'
        | 'CNY'
        | 'COP'
        | 'CRC'
        | 'CVE'
        | 'CZK'
        | 'DJF'
        | 'DKK'
        | 'DOP'
        | 'DZD'
        | 'EGP'
        | 'ERN'
        | 'ETB'
        | 'GBP'
        | 'GEL'
        | 'GHS'
        | 'GNF'
        | 'GTQ'
        | 'HKD'
        | 'HNL'
        | 'HRK'
        | 'HUF'
        | 'IDR'
        | 'ILS'
        | 'INR'
        | 'IQD'
        | 'IRR'
        | 'ISK'
        | 'JMD'
        | 'JOD'
        | 'JPY'
        | 'KES'
        | 'KHR'
        | 'KRW'
        | 'KWD'
        | 'KZT'
        | 'LBP'
        | 'LKR'
        | 'MAD'
        | 'MDL'
        | 'MGA'
        | 'MKD'
        | 'MMK'
        | 'MOP'
        | 'MUR'
        | 'MXN'
        | 'MYR'
        | 'MZN'
        | 'NAD'
        | 'NGN'
        | 'NIO'
        | 'NOK'
        | 'NPR'
        | 'NZD'
        | 'OMR'
        | 'PAB'
        | 'PEN'
        | 'PHP'
        | 'PKR'
        | 'PLN'
        | 'PYG'
        | 'QAR'
        | 'RON'
        | 'RSD'
        | 'RUB'
        | 'RWF'
        | 'SAR'
        | 'SDG'
        | 'SEK'
        | 'SGD'
        | 'SOS'
        | 'SYP'
        | 'THB'
        | 'TND'
        | 'TOP'
        | 'TRY'
        | 'TTD'
        | 'TWD'
        | 'TZS'
        | 'UAH'
        | 'UGX'
        | 'UYU'
        | 'UZS'
        | 'VEF'
        | 'VND'
        | 'XAF'
        | 'XOF'
        | 'YER'
        | 'ZAR';
    };
    recipient?: {
      name?: string | null;
      email?: string;
      phone?: string;
    };
    deliver_at?: string;
    custom_fields?: {
      id?: string;
      value?: string | null;
    }[];
    language?: string;
    delivery?: {
      method?: 'EMAIL' | 'LINK' | 'PHONE';
      meta?: {
        sender_name?: string;
        subject_line?: string;
        message?: string;
      };
    };
  };
}
