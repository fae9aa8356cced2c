/* Generated from config.schema.json by scripts/codegen.mjs (json-schema-to-typescript). Do not edit: change the schema and run `npm run codegen`. */
import type { ResilienceOptions } from '@relaypoint/core';

/**
 * Config of one Reloadly airtime connector instance.
 */
export interface ReloadlyConnectorConfig {
  /**
   * Which Reloadly environment the credentials belong to: sandbox (https://topups-sandbox.reloadly.com) or live (https://topups.reloadly.com). Selects the base URL and the token audience. Defaults to sandbox.
   */
  environment?: 'sandbox' | 'live';
  /**
   * OAuth2 client id of the Reloadly account (Developers → API settings). Secret.
   */
  clientId: string;
  /**
   * OAuth2 client secret of the Reloadly account. Secret.
   */
  clientSecret: string;
  /**
   * Overrides the airtime API base URL the environment selects (a simulator, the fault proxy). Without a trailing slash.
   */
  baseUrl?: string;
  /**
   * Overrides the token endpoint (https://auth.reloadly.com/oauth/token), for a simulator or the fault proxy.
   */
  authUrl?: string;
  /**
   * ISO 4217 currency of the Reloadly wallet. An issuance in this currency is sent with useLocalAmount false; one in an operator's localCurrency (see operators) with useLocalAmount true; any other is refused before sending. Defaults to USD.
   */
  accountCurrency?: string;
  /**
   * Your product ids → Reloadly operators. A product id made of digits only and absent from this map is taken as the operatorId itself (wallet currency only).
   */
  operators?: {
    [k: string]: {
      /**
       * Reloadly operatorId.
       */
      operatorId: number;
      /**
       * ISO 4217 currency of the operator; issuances in it are sent with useLocalAmount true.
       */
      localCurrency?: string;
      /**
       * ISO 3166-1 alpha-2 country of the operator, sent as recipientPhone.countryCode. Needed where a calling code is shared (+1, +7); otherwise read from the phone number.
       */
      countryCode?: string;
    };
  };
  /**
   * Send top-ups to POST /topups-async (the answer is only a transactionId; the issuance is pending until a status lookup resolves it) instead of POST /topups. Defaults to false.
   */
  asyncTopups?: boolean;
  /**
   * How long an operator's currencies and amount limits (GET /operators/{operatorId}) are cached, in ms; a top-up outside them is refused before sending. Defaults to 3600000 (1 hour).
   */
  operatorCacheTtlMs?: number;
  /**
   * An access token is renewed this many ms before the expiry Reloadly states (expires_in), so no request leaves with a token about to lapse. Defaults to 60000.
   */
  tokenRefreshMarginMs?: number;
  /**
   * HTTP timeout of one request, in ms. The resilience pipeline's per-attempt timeout (resilience.timeoutMs) usually fires first. Defaults to 10000.
   */
  timeoutMs?: number;
  /**
   * Limits of the resilience pipeline of one connector instance (timeout, retry, circuit breaker, bulkhead, reconciliation). Every field is optional; the defaults are given in each description.
   */
  resilience?: ResilienceOptions;
}
