import { expect } from 'chai';
import { ErrorCodes } from '@relaypoint/core';
import { mapTremendousError, readTremendousEnvelope } from '../src/index.js';

const map = (status: number, body: unknown = { errors: { message: 'no', payload: {} } }) =>
  mapTremendousError({ status, headers: { 'retry-after': '3' }, ...readTremendousEnvelope(JSON.stringify(body)) });

describe('mapTremendousError', () => {
  const table: [string, number, unknown, string, string, boolean][] = [
    [
      '5xx whatever its body',
      500,
      { errors: { message: 'invalid', payload: { reward: { products: ['x'] } } } },
      ErrorCodes.PROVIDER_SERVER_ERROR,
      'unknown',
      true,
    ],
    ['503 outage', 503, '<html/>', ErrorCodes.PROVIDER_SERVER_ERROR, 'unknown', true],
    ['408 from a gateway', 408, {}, ErrorCodes.PROVIDER_TIMEOUT, 'unknown', true],
    ['302 redirect', 302, {}, ErrorCodes.PROVIDER_BAD_RESPONSE, 'unknown', true],
    ['401 API key', 401, undefined, ErrorCodes.PROVIDER_AUTH_FAILED, 'rejected', false],
    ['402 funding source', 402, undefined, ErrorCodes.PROVIDER_INSUFFICIENT_BALANCE, 'rejected', false],
    ['409 external_id taken', 409, undefined, ErrorCodes.PROVIDER_REFERENCE_CONFLICT, 'rejected', false],
    ['429', 429, undefined, ErrorCodes.PROVIDER_RATE_LIMITED, 'rejected', true],
    [
      '400 naming the recipient',
      400,
      { errors: { message: 'bad email', payload: { reward: { recipient: { email: ['invalid'] } } } } },
      ErrorCodes.PROVIDER_INVALID_RECIPIENT,
      'rejected',
      false,
    ],
    [
      '400 naming the denomination',
      400,
      { errors: { message: 'too low', payload: { reward: { value: { denomination: ['min 5'] } } } } },
      ErrorCodes.PROVIDER_INVALID_PRODUCT,
      'rejected',
      false,
    ],
    [
      '422 naming the products',
      422,
      { errors: { message: 'n/a', payload: { reward: { products: ['unknown'] } } } },
      ErrorCodes.PROVIDER_INVALID_PRODUCT,
      'rejected',
      false,
    ],
    ['bare 404', 404, '<html>Not Found</html>', ErrorCodes.PROVIDER_BAD_REQUEST, 'rejected', false],
  ];
  for (const [name, status, body, code, outcome, retryable] of table) {
    it(`maps ${name} to ${code} (${outcome})`, () => {
      const e = map(status, body);
      expect({ code: e.code, outcome: e.outcome, retryable: e.retryable }).to.deep.equal({ code, outcome, retryable });
    });
  }

  it('carries Retry-After of a 429 as retryAfterMs', () => {
    expect(map(429).retryAfterMs).to.equal(3000);
  });
});
