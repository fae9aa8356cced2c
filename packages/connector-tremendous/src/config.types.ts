/* Generated from config.schema.json by scripts/codegen.mjs (json-schema-to-typescript). Do not edit: change the schema and run `npm run codegen`. */
import type { ResilienceOptions } from '@relaypoint/core';

/**
 * Config of one Tremendous rewards connector instance.
 */
export interface TremendousConnectorConfig {
  /**
   * Which Tremendous environment the API key belongs to: sandbox (https://testflight.tremendous.com/api/v2) or production (https://api.tremendous.com/api/v2). Defaults to sandbox.
   */
  environment?: 'sandbox' | 'production';
  /**
   * Tremendous API key, sent as Authorization: Bearer. Secret.
   */
  apiKey: string;
  /**
   * Overrides the API base URL the environment selects, including /api/v2 (a simulator, the fault proxy). Without a trailing slash.
   */
  baseUrl?: string;
  /**
   * Tremendous funding source that pays for orders (payment.funding_source_id). Defaults to balance (the account balance).
   */
  fundingSourceId?: string;
  /**
   * How Tremendous delivers the reward: LINK (the order's answer carries the redemption link, which Relaypoint reports as voucher.redemptionUrl), EMAIL (needs metadata.recipientEmail) or PHONE (needs phoneNumber). Defaults to LINK.
   */
  deliveryMethod?: 'LINK' | 'EMAIL' | 'PHONE';
  /**
   * Tremendous campaign (look and feel, message) sent with every reward. Optional.
   */
  campaignId?: string;
  /**
   * Optional map from your product ids to Tremendous product ids. Ids not in the map are sent as they are.
   */
  products?: {
    [k: string]: string;
  };
  /**
   * How long Tremendous's product catalogue (GET /products) is cached, in ms; a product, currency or amount it does not offer is refused before ordering, and an unknown product reads it again at once. Defaults to 300000 (5 minutes).
   */
  catalogueTtlMs?: number;
  /**
   * HTTP timeout of one request, in ms. The resilience pipeline's per-attempt timeout (resilience.timeoutMs) usually fires first. Defaults to 10000.
   */
  timeoutMs?: number;
  /**
   * Limits of the resilience pipeline of one connector instance (timeout, retry, circuit breaker, bulkhead, reconciliation). Every field is optional; the defaults are given in each description.
   */
  resilience?: ResilienceOptions;
}
