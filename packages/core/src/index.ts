import 'reflect-metadata';

export { CORE_VERSION } from './version.js';

export { ErrorCodes } from './errors/codes.js';
export type { ErrorCode } from './errors/codes.js';
export { RelaypointError } from './errors/RelaypointError.js';
export type { RelaypointErrorOptions } from './errors/RelaypointError.js';
export {
  ConnectorError,
  ValidationError,
  ProviderRejectedError,
  OutcomeUnknownError,
  NotSentError,
  CircuitOpenError,
  PluginError,
  ConfigError,
} from './errors/ConnectorError.js';
export type { Outcome, ConnectorErrorOptions } from './errors/ConnectorError.js';
export { isRelaypointError, isConnectorError, hasOutcome, isOutcomeUnknown, isPluginError, isConfigError } from './errors/guards.js';

export type {
  Connector,
  ConnectorCapabilities,
  DuplicateReferenceBehaviour,
  IssueParams,
  IssueRequest,
  IssueResult,
  IssueStatus,
  StatusQuery,
  StatusResult,
  CallOptions,
  Voucher,
} from './contract/Connector.js';
export {
  isCurrency,
  normalizeCurrency,
  currencyExponent,
  toMinorUnits,
  fromMinorUnits,
  toMoney,
  compareEchoedAmount,
} from './contract/Money.js';
export type { AmountInput, AmountMatch, AmountUnit, MinorUnits, MinorUnitsValue, Money } from './contract/Money.js';
export { resendIsSafe } from './contract/resendIsSafe.js';
export { validateIssueParams, isE164 } from './contract/validateIssueParams.js';
export type { ValidateIssueParamsOptions } from './contract/validateIssueParams.js';

export type {
  ConnectorPlugin,
  ConnectorPluginDefinition,
  ConnectorContext,
  JsonSchema,
  Logger,
  Clock,
  RelaypointPackageField,
} from './plugins/ConnectorPlugin.js';

export { defineConnectorPlugin, assertCoreCompatible, isConnectorPlugin, CONNECTOR_PLUGIN_KIND } from './plugins/defineConnectorPlugin.js';
export { discoverPlugin } from './plugins/discoverPlugin.js';
export type { DiscoveredPlugin } from './plugins/discoverPlugin.js';

export { CoreTokens } from './di/tokens.js';
export type { DependencyContainer } from './di/DependencyContainer.js';
export { createRootContainer } from './di/createRootContainer.js';
export type { RootContainerOptions } from './di/createRootContainer.js';
export { createConnectorContainer } from './di/createConnectorContainer.js';
export type { ConnectorInstance, ConnectorInstanceConfig } from './di/createConnectorContainer.js';
export { noopLogger } from './di/noopLogger.js';
export { systemClock } from './di/systemClock.js';
export { pooledRandomBytes } from './random/pooledRandomBytes.js';

export { createAjv, schemaDraft } from './config/createAjv.js';
export type { AjvInstance, CreateAjvOptions } from './config/createAjv.js';
export { interpolateEnv } from './config/interpolateEnv.js';
export type { Env } from './config/interpolateEnv.js';
export { validateAgainstSchema, compileSchema } from './config/validateAgainstSchema.js';
export type { ValidateAgainstSchemaOptions } from './config/validateAgainstSchema.js';
export { loadConfigFile } from './config/loadConfigFile.js';
export type { LoadConfigFileOptions, LoadedConfig } from './config/loadConfigFile.js';
export { redact, redactSecrets, collectSecrets, REDACTED } from './config/redact.js';
export { formatJsonPath } from './config/jsonPath.js';
export type { PathSegment } from './config/jsonPath.js';

export { createResilientConnector } from './resilience/createResilientConnector.js';
export type {
  ResilientConnector,
  CreateResilientConnectorOptions,
  BreakerState,
  BreakerView,
  ResilienceStats,
} from './resilience/createResilientConnector.js';
export type { ResilienceOptions } from './resilience/ResilienceOptions.types.js';
export { resolveResilienceOptions, resilienceOptionsSchema, DEFAULT_RESILIENCE_OPTIONS } from './resilience/resolveResilienceOptions.js';
export type { ResolvedResilienceOptions } from './resilience/resolveResilienceOptions.js';
export { pollUntilTerminal } from './resilience/pollUntilTerminal.js';
export type { PollOptions } from './resilience/pollUntilTerminal.js';

export { createHttpClient } from './http/createHttpClient.js';
export type { HttpClientOptions, RequestSigningOptions } from './http/createHttpClient.js';
export type { RequestSigner, SignableRequest } from './http/RequestSigner.js';
export { hmacBodySigner } from './http/hmacBodySigner.js';
export type { HmacBodySignerOptions } from './http/hmacBodySigner.js';
export { timestampedHmacSigner, timestampedSigningPayload } from './http/timestampedHmacSigner.js';
export type { TimestampedHmacSignerOptions } from './http/timestampedHmacSigner.js';
export { isHttpError } from './http/HttpClient.js';
export type { HttpClient, HttpResponse, HttpRequestConfig, HttpRequestHeaders, HttpError } from './http/HttpClient.js';
export { hmacHex, hmacBase64, timingSafeEqualStr } from './http/hmac.js';
export { parseJsonBody } from './http/parseJsonBody.js';
export { toConnectorError, responseStatusOf } from './http/toConnectorError.js';
export type { ToConnectorErrorOptions } from './http/toConnectorError.js';
export { retryAfterFromHeaders } from './http/retryAfterFromHeaders.js';
export type { HeadersLike } from './http/retryAfterFromHeaders.js';
export { withIdempotentRetry, isIdempotentRetryable } from './http/withIdempotentRetry.js';
export type { IdempotentRetryOptions } from './http/withIdempotentRetry.js';
export type { SignableBody } from './http/hmac.js';
