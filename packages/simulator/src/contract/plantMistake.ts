import {
  ErrorCodes,
  ProviderRejectedError,
  currencyExponent,
  defineConnectorPlugin,
  fromMinorUnits,
  isConnectorError,
  type CallOptions,
  type Connector,
  type ConnectorPlugin,
  type IssueRequest,
} from '@relaypoint/core';

/**
 * Money-unsafe mistakes the contract suite must catch, planted into a plugin
 * that is otherwise correct (see {@link plantMistake}).
 */
export type PlantedMistake =
  /** The plugin's own HTTP timeout (PROVIDER_TIMEOUT) is reported as a final refusal. */
  | 'timeout-as-rejected'
  /** The amount goes through binary floats: `Math.trunc(parseFloat(amount) * 10^exponent)` minor units. */
  | 'float-amount'
  /** A 5xx answer (PROVIDER_SERVER_ERROR) is reported as a final refusal. */
  | '5xx-as-refusal'
  /** A 429 (PROVIDER_RATE_LIMITED) is reported as a final, non-retryable refusal. */
  | '429-as-refusal'
  /** Every re-send of a reference goes out under a new one (`R-retry1`). */
  | 'fresh-reference'
  /** An answer it cannot read (PROVIDER_BAD_RESPONSE: a success without its voucher, a bad body) is reported as a success without a voucher. */
  | 'voucherless-success'
  /** Every error carries the config (credentials included) in its `request` field. */
  | 'secret-in-error'
  /** A failed request is sent again inside the attempt, under the pipeline's own retries. */
  | 'retries-on-its-own'
  /** The abort signal is not passed to the HTTP call. */
  | 'ignores-signal';

/** Every planted mistake. */
export const PLANTED_MISTAKES: readonly PlantedMistake[] = [
  'timeout-as-rejected',
  'float-amount',
  '5xx-as-refusal',
  '429-as-refusal',
  'fresh-reference',
  'voucherless-success',
  'secret-in-error',
  'retries-on-its-own',
  'ignores-signal',
];

function refusal(e: unknown, what: string): ProviderRejectedError {
  return new ProviderRejectedError(ErrorCodes.PROVIDER_BAD_REQUEST, `the provider refused the request (${what})`, {
    retryable: false,
    cause: e,
  });
}

function floatAmount(request: IssueRequest): IssueRequest {
  const currency = request.amount.currency;
  const minor = BigInt(Math.trunc(parseFloat(request.amount.decimal) * 10 ** currencyExponent(currency)));
  return { ...request, amount: { currency, minor, decimal: fromMinorUnits(minor, currency) } };
}

/** The connector with `mistake` planted around its calls. */
function plant(inner: Connector, mistake: PlantedMistake, config: unknown): Connector {
  const sends = new Map<string, number>();
  const mapError = (e: unknown): unknown => {
    if (!isConnectorError(e)) return e;
    if (mistake === 'timeout-as-rejected' && e.code === ErrorCodes.PROVIDER_TIMEOUT) return refusal(e, 'no answer in time');
    if (mistake === '5xx-as-refusal' && e.code === ErrorCodes.PROVIDER_SERVER_ERROR) return refusal(e, 'server error');
    if (mistake === '429-as-refusal' && e.code === ErrorCodes.PROVIDER_RATE_LIMITED) return refusal(e, 'rate limited');
    if (mistake === 'secret-in-error') return Object.assign(e, { request: { config } });
    return e;
  };
  const issueOnce = async (request: IssueRequest, options?: CallOptions) => {
    let req = mistake === 'float-amount' ? floatAmount(request) : request;
    if (mistake === 'fresh-reference') {
      const n = sends.get(request.reference) ?? 0;
      sends.set(request.reference, n + 1);
      if (n > 0) req = { ...req, reference: `${request.reference}-retry${n}` };
    }
    const result = await inner.issueVoucher(req, mistake === 'ignores-signal' ? {} : options);
    return { ...result, reference: request.reference };
  };
  return {
    async issueVoucher(request, options) {
      try {
        return await issueOnce(request, options);
      } catch (e) {
        if (mistake === 'voucherless-success' && isConnectorError(e) && e.code === ErrorCodes.PROVIDER_BAD_RESPONSE)
          return { status: 'succeeded', reference: request.reference };
        if (mistake === 'retries-on-its-own' && isConnectorError(e) && e.outcome !== 'rejected') {
          try {
            return await issueOnce(request, options);
          } catch (again) {
            throw mapError(again);
          }
        }
        throw mapError(e);
      }
    },
    async checkStatus(query, options) {
      try {
        return await inner.checkStatus(query, mistake === 'ignores-signal' ? {} : options);
      } catch (e) {
        throw mapError(e);
      }
    },
    close: () => inner.close?.(),
  };
}

/**
 * A copy of `plugin` with one money-unsafe mistake planted around its
 * connector, to check that the contract suite (or your own tests) catch it.
 * The copy keeps the plugin's id, config schema and capabilities.
 */
export function plantMistake<TConfig>(plugin: ConnectorPlugin<TConfig>, mistake: PlantedMistake): ConnectorPlugin<TConfig> {
  if (!PLANTED_MISTAKES.includes(mistake))
    throw new Error(`plantMistake: mistake must be one of ${PLANTED_MISTAKES.join(', ')}, got ${JSON.stringify(mistake)}`);
  return defineConnectorPlugin<TConfig>({
    id: plugin.id,
    core: plugin.core,
    configSchema: plugin.configSchema,
    capabilities: plugin.capabilities,
    ...(plugin.displayName !== undefined ? { displayName: plugin.displayName } : {}),
    ...(plugin.requiresPhone !== undefined ? { requiresPhone: plugin.requiresPhone } : {}),
    async create(config, context) {
      return plant(await plugin.create(config, context), mistake, config);
    },
  });
}
