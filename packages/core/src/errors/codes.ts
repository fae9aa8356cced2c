/**
 * Every stable error code Relaypoint emits, in one place. Callers branch on
 * these (or on the type guards), never on message text. A code, once
 * published, keeps its meaning.
 */
export const ErrorCodes = {
  // --- Parameter validation (outcome `not_sent`: nothing reached the provider) ---
  /** A required issuance parameter is missing or empty, a parameter is too long, the parameters are not an object, or `metadata` is not a map of strings. */
  INVALID_PARAMS: 'INVALID_PARAMS',
  /** The phone number is not E.164 (`+` then 8–15 digits, no leading zero). */
  INVALID_PHONE_NUMBER: 'INVALID_PHONE_NUMBER',
  /** The amount is not an exact, positive decimal string or integer minor units, or has more decimals than the currency allows. */
  INVALID_AMOUNT: 'INVALID_AMOUNT',
  /** The currency is not an ISO 4217 alphabetic code known to Relaypoint. */
  INVALID_CURRENCY: 'INVALID_CURRENCY',
  /** The reference (idempotency key) is missing, too long (> 100) or has characters outside `[A-Za-z0-9._:-]`. */
  INVALID_REFERENCE: 'INVALID_REFERENCE',

  // --- Provider answers (outcome `rejected` unless noted) ---
  /** The provider refused our credentials (API key, token). Not retryable: fix the config. */
  PROVIDER_AUTH_FAILED: 'PROVIDER_AUTH_FAILED',
  /** The provider refused our request signature. Not retryable: fix the secret. */
  PROVIDER_SIGNATURE_REJECTED: 'PROVIDER_SIGNATURE_REJECTED',
  /**
   * The provider refused a signed request as too old or from the future (its timestamp is outside the provider's
   * tolerance). Nothing issued. Retryable: every attempt is signed afresh, so a request held up on the way passes
   * on the next one; if it keeps happening, the host's clock is off (check NTP).
   */
  PROVIDER_CLOCK_SKEW: 'PROVIDER_CLOCK_SKEW',
  /** The provider said the account balance is too low. Nothing issued. */
  PROVIDER_INSUFFICIENT_BALANCE: 'PROVIDER_INSUFFICIENT_BALANCE',
  /** The provider rejected the recipient (phone, account). */
  PROVIDER_INVALID_RECIPIENT: 'PROVIDER_INVALID_RECIPIENT',
  /** The provider does not know the product, or the amount is not valid for it. */
  PROVIDER_INVALID_PRODUCT: 'PROVIDER_INVALID_PRODUCT',
  /** The provider rejected the request as malformed or otherwise invalid. */
  PROVIDER_BAD_REQUEST: 'PROVIDER_BAD_REQUEST',
  /** The provider already has a transaction with this reference and a different body. */
  PROVIDER_REFERENCE_CONFLICT: 'PROVIDER_REFERENCE_CONFLICT',
  /** The provider asks us to slow down (429 or similar). Retryable after `retryAfterMs`. Outcome `not_sent` or `rejected`. */
  PROVIDER_RATE_LIMITED: 'PROVIDER_RATE_LIMITED',
  /** The provider (or the operator behind it) is temporarily unavailable and said so before doing anything. Retryable. */
  PROVIDER_UNAVAILABLE: 'PROVIDER_UNAVAILABLE',
  /** A status lookup found no transaction for the query. */
  PROVIDER_NOT_FOUND: 'PROVIDER_NOT_FOUND',

  // --- Uncertain outcomes (outcome `unknown`: it may have been issued) ---
  /** The provider answered 5xx after the request reached it: it may have committed. */
  PROVIDER_SERVER_ERROR: 'PROVIDER_SERVER_ERROR',
  /** No answer within the per-attempt timeout after the request left. */
  PROVIDER_TIMEOUT: 'PROVIDER_TIMEOUT',
  /** The connection dropped (reset, socket hang up) after the request left. */
  PROVIDER_CONNECTION_LOST: 'PROVIDER_CONNECTION_LOST',
  /** The provider answered with a body that could not be parsed or did not have the expected shape. */
  PROVIDER_BAD_RESPONSE: 'PROVIDER_BAD_RESPONSE',
  /** The call was aborted by the caller's `AbortSignal` after the request may have left (outcome `not_sent` when no attempt had started). */
  ABORTED: 'ABORTED',
  /** Retries and reconciliation ran out without learning the outcome: the issuance must stay pending and be reconciled later. */
  OUTCOME_UNKNOWN: 'OUTCOME_UNKNOWN',

  // --- Transport before sending (outcome `not_sent`) ---
  /** The connection could not be made (refused, DNS failure): nothing was sent. Retryable. */
  PROVIDER_UNREACHABLE: 'PROVIDER_UNREACHABLE',

  // --- Resilience (outcome `not_sent`) ---
  /** The circuit breaker for this connector instance is open: the call failed fast. */
  CIRCUIT_OPEN: 'CIRCUIT_OPEN',
  /** The bulkhead is full (too many concurrent calls and a full queue). */
  BULKHEAD_FULL: 'BULKHEAD_FULL',

  // --- Plugins ---
  /** No package or path matched the plugin specifier. */
  PLUGIN_NOT_FOUND: 'PLUGIN_NOT_FOUND',
  /** Not a Relaypoint plugin: no `relaypoint` field, no plugin export, an id that does not match, or a definition that is not valid. */
  PLUGIN_INVALID: 'PLUGIN_INVALID',
  /** The plugin's `core` range does not include the running `@relaypoint/core` version; the message names both. */
  PLUGIN_CORE_MISMATCH: 'PLUGIN_CORE_MISMATCH',
  /** The plugin's `configSchema` does not compile under strict ajv. */
  PLUGIN_SCHEMA_INVALID: 'PLUGIN_SCHEMA_INVALID',
  /** The plugin declares a peer dependency on `@relaypoint/core` that is not installed where the plugin is, or whose installed version is outside the range; the message names the package, the range and the install command. */
  PLUGIN_PEER_MISSING: 'PLUGIN_PEER_MISSING',

  // --- Config ---
  /** The config file could not be read or parsed; the message gives the path and the parse position. */
  CONFIG_UNREADABLE: 'CONFIG_UNREADABLE',
  /** The config does not match its schema; `errors` lists `path: message` lines. */
  CONFIG_INVALID: 'CONFIG_INVALID',
  /** A `${VAR}` in the config names an unset variable with no default; one `path: message` line per variable. */
  CONFIG_ENV_MISSING: 'CONFIG_ENV_MISSING',
} as const;

/** A stable error code (see {@link ErrorCodes}). */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];
