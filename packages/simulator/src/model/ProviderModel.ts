import type { IncomingHttpHeaders } from 'node:http';
import type { IssueParams } from '@relaypoint/core';

/**
 * A provider model describes one provider's wire format to the simulator:
 * its routes, how a request authenticates, how an issue request maps to the
 * ledger's terms, and how each outcome is rendered in the provider's own
 * words. The simulator supplies everything else, for every model alike: the
 * per-reference ledger and balances, async lifecycles, the seeded fault
 * engine, the journal, `X-Sim-Fault`, the control API, scenarios, reset and
 * the CLI (`relaypoint-sim start --model ./my-model.js`).
 *
 * Build one with {@link defineProviderModel}; the built-in `airtime` and
 * `giftcard` APIs are two models written on this interface.
 */

/** What a route does, so faults, the journal and the contract suite know it. */
export type RouteRole = 'issue' | 'status-by-id' | 'status-by-reference' | 'catalogue' | 'token' | 'other';

/** HTTP methods a model route can answer. */
export type ModelMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One route of a provider API. */
export interface ModelRoute {
  /**
   * Short name, unique in the model (`payouts.create`). The simulator names
   * the route `<model id>.<name>` in the journal, in scenario rules and in
   * `X-Sim-Fault`.
   */
  name: string;
  method: ModelMethod;
  /**
   * Path below the model's mount prefix, with `:param` segments
   * (`/v2/payouts/:id`). A `status-by-id` route captures `:id`.
   */
  path: string;
  role: RouteRole;
  /**
   * For a `status-by-reference` route: the reference the request asks about
   * (from its query, path or body), or a refusal when the request names
   * none. Required for that role.
   */
  referenceOf?: (request: ModelRequest) => string | ModelRefusal | undefined;
  /** For role `other` (and optionally `catalogue`): answers the request. */
  handle?: (request: ModelRequest, context: ModelContext) => ModelAnswer;
}

/** A request as a model sees it, after the body was read. */
export interface ModelRequest {
  method: string;
  /** Path below the mount prefix, without the query string. */
  path: string;
  /** `:param` values of the matched route. */
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The body exactly as received (signatures are checked over these bytes). */
  raw: Buffer;
  /** The parsed JSON (or form-encoded, as an object) body; undefined when empty or unparsable. */
  body: unknown;
  /** The authenticated account (undefined before authentication and on the token route). */
  account?: ModelAccount;
}

/** What a model answers. A string or Buffer body is sent as is; anything else as JSON. */
export interface ModelAnswer {
  status: number;
  body?: unknown;
  headers?: Readonly<Record<string, string>>;
}

/** An account of the simulated provider: credentials and balances. */
export interface ModelAccountSpec {
  id: string;
  /** API key, client id or username, per the model's authentication. */
  key: string;
  /** HMAC key, client secret or password, when the authentication uses one. */
  secret?: string;
  /** Opening balance per currency, as major-unit decimal strings (`{ USD: '1000.00' }`). Unlimited when absent. */
  balances?: Readonly<Record<string, string>>;
}

/** An account at runtime. */
export interface ModelAccount {
  readonly id: string;
  readonly key: string;
  readonly secret?: string;
  /** Current balance per currency, in minor units (absent currency: unlimited). */
  readonly balances: Map<string, bigint>;
}

/** How a pending issuance resolves: after `polls` status reads, or `ms` after creation. */
export interface PendingLifecycle {
  polls?: number;
  ms?: number;
  outcome: 'succeeded' | 'failed';
}

/** A product of the simulated provider. Amounts are major-unit decimal strings in `currency`. */
export interface ModelProduct {
  id: string;
  currency: string;
  /** Fixed face values; or use `min`/`max` for a range. */
  denominations?: readonly string[];
  min?: string;
  max?: string;
  /** Issuances of this product start pending. */
  pending?: PendingLifecycle;
  /** Free-form fields the model's catalogue renders (brand, name, …). */
  details?: Readonly<Record<string, unknown>>;
}

/**
 * How a request proves itself. The simulator checks it before the route's
 * logic runs and answers {@link ModelRender.error} `unauthorised` (or
 * `token-expired`) when it fails.
 */
export type ModelAuth =
  /**
   * An API key in a header (`X-API-Key: key`), optionally with a scheme
   * (`Authorization: Bearer key`); `also` lists other accepted places.
   */
  | { type: 'api-key'; header: string; scheme?: string; also?: readonly { header: string; scheme?: string }[] }
  /**
   * API key header plus an HMAC-SHA256 of the raw body with the account
   * secret, compared in constant time. Requests whose method is not in
   * `signedMethods` need the key only (defaults to POST, PUT, PATCH).
   * `encoding` defaults to hex.
   */
  | { type: 'hmac'; keyHeader: string; signatureHeader: string; encoding?: 'hex' | 'base64'; signedMethods?: readonly ModelMethod[] }
  /** HTTP Basic: username = key, password = secret. */
  | { type: 'basic' }
  /**
   * OAuth2 client credentials: the model's `token` route issues bearer tokens
   * to (client_id = key, client_secret = secret) that expire after
   * `tokenTtlSeconds`; other routes require `Authorization: Bearer <token>`.
   */
  | { type: 'oauth2-client-credentials'; tokenTtlSeconds: number; audiences?: readonly string[] }
  /** Anything else: return the account the request proves, or undefined. */
  | { type: 'custom'; verify: (request: ModelRequest, accounts: readonly ModelAccount[]) => ModelAccount | undefined }
  /** No authentication (a hand-written fake). */
  | { type: 'none' };

/** An issue request in the ledger's terms. */
export interface IssueTerms {
  /** The client's reference (idempotency key). */
  reference: string;
  /** Amount in minor units of `currency`. */
  amountMinor: bigint;
  /** ISO 4217, upper case. */
  currency: string;
  productId?: string;
  /** Phone, email or other recipient id, when the provider takes one. */
  recipient?: string;
  /** Fields the model keeps with the transaction to render it later (`ModelTransaction.details`). */
  details?: Readonly<Record<string, unknown>>;
  /**
   * Anything else that makes two requests with one reference "the same
   * issuance" for this provider. Terms that differ in any field (amount,
   * currency, product, recipient, fingerprint) are a reference conflict.
   */
  fingerprint?: string;
}

/** A refusal while parsing: the model renders it with {@link ModelRender.error}. */
export interface ModelRefusal {
  refuse: ModelErrorKind;
  message: string;
  /** For `rate-limited` and `recently-recharged`: seconds until a retry may succeed. */
  retryAfterSeconds?: number;
}

/** What {@link ProviderModel.checkIssue} may answer besides a refusal: commit the issuance as failed, nothing debited. */
export interface ModelDecline {
  decline: true;
}

/** The outcomes every model renders in its own words. */
export type ModelErrorKind =
  | 'invalid-request'
  | 'unauthorised'
  | 'token-expired'
  | 'not-found'
  | 'insufficient-balance'
  | 'invalid-recipient'
  | 'unknown-product'
  | 'invalid-amount'
  | 'invalid-currency'
  | 'rate-limited'
  | 'unavailable'
  | 'recently-recharged'
  | 'internal';

/** Details for {@link ModelRender.error}. */
export interface ModelErrorDetail {
  message: string;
  /** For `rate-limited` and `recently-recharged`: seconds until a retry may succeed. */
  retryAfterSeconds?: number;
  /** For faults: the HTTP status the fault asks for (the model may keep its own body). */
  status?: number;
  /**
   * For `unauthorised`: what failed (`key`: missing or unknown credential;
   * `signature`: HMAC missing, malformed or wrong; `token`: unknown bearer
   * token; `client`: wrong client credentials on the token route).
   */
  reason?: 'key' | 'signature' | 'token' | 'client';
}

/** A ledger transaction as renderers see it. */
export interface ModelTransaction {
  readonly id: string;
  readonly reference: string;
  readonly status: 'succeeded' | 'pending' | 'failed';
  readonly amountMinor: bigint;
  /** The amount as a major-unit decimal string (`"19.99"`, `"1000"` for JPY). */
  readonly amount: string;
  readonly currency: string;
  readonly productId?: string;
  readonly recipient?: string;
  /** Present once succeeded (absent under the `omit-voucher` fault). */
  readonly voucher?: { code: string; pin?: string };
  /** ms epoch. */
  readonly createdAt: number;
  readonly accountId: string;
  /** What {@link IssueTerms.details} held. */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** Extra facts for {@link ModelRender.issued}. */
export interface IssuedInfo {
  /** True when a `return-original` model answers a repeated reference with its original transaction. */
  repeated: boolean;
}

/** Renders each outcome in the provider's own words. */
export interface ModelRender {
  /** The answer to an issue request that created (or, for `return-original`, found) a transaction. */
  issued(transaction: ModelTransaction, request: ModelRequest, info: IssuedInfo): ModelAnswer;
  /** The answer to a status lookup (by id or by reference). */
  transaction(transaction: ModelTransaction, request: ModelRequest): ModelAnswer;
  /** `reject-duplicate` models: the answer to a repeated reference. */
  duplicate?(original: ModelTransaction, request: ModelRequest): ModelAnswer;
  /** The answer to a used reference with different terms. Defaults to `duplicate` or an `invalid-request` error. */
  conflict?(original: ModelTransaction, request: ModelRequest): ModelAnswer;
  /** Every refusal and failure. */
  error(kind: ModelErrorKind, detail: ModelErrorDetail, request: ModelRequest): ModelAnswer;
  /** The token route's answer (OAuth2 models). */
  token?(token: { accessToken: string; expiresInSeconds: number; scope?: string }, request: ModelRequest): ModelAnswer;
  /** The catalogue route's answer. */
  catalogue?(products: readonly ModelProduct[], request: ModelRequest): ModelAnswer;
}

/** What the provider does with a repeated reference. */
export type ModelDuplicateRule =
  /** The original transaction is answered again (a different body is a conflict). */
  | 'return-original'
  /** Every repeat is refused (the client looks the original up). */
  | 'reject-duplicate'
  /** References are not keys: a repeat issues again (models an unsafe provider). */
  | 'none';

/** Helpers a route handler may use. */
export interface ModelContext {
  /** The simulator clock, ms epoch. */
  now(): number;
  /** Scratch storage of this model (recently served recipients, say); reset empties it. */
  memory: Map<string, unknown>;
  /** Provider-wide conditions the scenario in force sets. */
  scenario: ModelScenarioView;
  products: readonly ModelProduct[];
  accounts: readonly ModelAccount[];
  findByReference(account: ModelAccount, reference: string): ModelTransaction | undefined;
  findById(account: ModelAccount, id: string): ModelTransaction | undefined;
}

/** What a scenario says about the provider as a whole (models decide what it means for them). */
export interface ModelScenarioView {
  /** The scenario's `operatorDown`: the provider's upstream is unavailable. */
  readonly operatorDown: boolean;
  /** The scenario's `recentRechargeWindowMs`, when it sets one. */
  readonly recentRechargeWindowMs?: number;
}

/** Values the contract suite and the demo use to drive a model. */
export interface ModelExamples {
  /** A synchronous, successful issuance (the suite adds the reference). */
  issue: Omit<IssueParams, 'reference'>;
  /** Products that stay pending, then succeed / fail. */
  pending?: { succeeds: string; fails: string };
  /** Issuances in other currencies the model accepts (multi-currency and amount-matrix cases). */
  otherCurrencies?: readonly Omit<IssueParams, 'reference'>[];
  /** A recipient the provider refuses as invalid, when it has one. */
  invalidRecipient?: string;
}

/** The whole description of one provider API. */
export interface ProviderModel {
  /** Lower-case id (`zapcash`); the default mount prefix is `/<id>`. */
  id: string;
  /** One line for `--help`, the console and errors. */
  description?: string;
  /** Mount prefix on the simulator (`/zapcash`). Defaults to `/<id>`. */
  prefix?: string;
  routes: readonly ModelRoute[];
  auth: ModelAuth;
  /** Accounts with their credentials. The first one is the default. */
  accounts: readonly ModelAccountSpec[];
  products?: readonly ModelProduct[];
  duplicateReference: ModelDuplicateRule;
  /**
   * Whether lookups echo the amount and currency (a plugin can compare them
   * with its request). Defaults to true.
   */
  echoesAmount?: boolean;
  /** Whether the provider answers `insufficient-balance` (the balance case). Defaults to true. */
  reportsInsufficientBalance?: boolean;
  /** Turns an issue request into the ledger's terms, or a refusal rendered in the provider's words. */
  parseIssue(request: ModelRequest): IssueTerms | ModelRefusal;
  /**
   * Extra checks after the terms are known and the reference is new
   * (recipient rules, recently recharged): a refusal is rendered and nothing
   * is issued; a decline commits the issuance as failed with nothing debited.
   */
  checkIssue?(terms: IssueTerms, request: ModelRequest, context: ModelContext): ModelRefusal | ModelDecline | undefined;
  /** Called after an issuance committed (to remember a recipient, say). */
  afterIssue?(transaction: ModelTransaction, terms: IssueTerms, context: ModelContext): void;
  /**
   * The word the ledger (`ledger.entries()`, `GET /__sim/ledger`) uses for a
   * succeeded transaction. Defaults to `succeeded`.
   */
  successStatus?: string;
  /**
   * Makes a transaction id from a hex digest (32 digits) of (seed, model, account,
   * reference), so a seed replays the same ids. Defaults to `<id>_` and the
   * first 16 hex digits.
   */
  transactionId?(digestHex: string): string;
  render: ModelRender;
  examples: ModelExamples;
}
