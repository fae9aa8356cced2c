import { ErrorCodes } from '../errors/codes.js';
import { OutcomeUnknownError } from '../errors/ConnectorError.js';

/**
 * Parses a provider answer's body (raw text, as `createHttpClient` leaves it)
 * as JSON. A body that is not JSON after the request reached the provider
 * means we do not know what happened: throws `OutcomeUnknownError`
 * `PROVIDER_BAD_RESPONSE` (outcome `unknown`; the body itself is not put in
 * the error, it may hold voucher codes).
 */
export function parseJsonBody(res: { data: unknown; status?: number }): unknown {
  const { data, status } = res;
  if (data !== null && typeof data === 'object' && !Buffer.isBuffer(data)) return data;
  const text = Buffer.isBuffer(data) ? data.toString('utf8') : data;
  if (typeof text === 'string' && text.trim() !== '') {
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new OutcomeUnknownError(
        ErrorCodes.PROVIDER_BAD_RESPONSE,
        `provider answered${status ? ` HTTP ${status}` : ''} with a body that is not JSON (${text.length} characters)`,
        {
          ...(status ? { httpStatus: status } : {}),
          cause: { name: (e as Error).name, message: (e as Error).message },
        },
      );
    }
  }
  throw new OutcomeUnknownError(
    ErrorCodes.PROVIDER_BAD_RESPONSE,
    `provider answered${status ? ` HTTP ${status}` : ''} with an empty body where JSON was expected`,
    status ? { httpStatus: status } : {},
  );
}
