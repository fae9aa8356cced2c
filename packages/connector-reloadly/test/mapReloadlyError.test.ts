import { expect } from 'chai';
import { ErrorCodes } from '@relaypoint/core';
import { mapReloadlyError, readReloadlyEnvelope, toReloadlyPhone } from '../src/index.js';

const envelope = (errorCode: string | null, message = 'no') => ({
  timeStamp: '2026-12-06 10:00:00',
  message,
  path: '/topups',
  errorCode,
  infoLink: null,
  details: [],
});
const map = (status: number, body: unknown) =>
  mapReloadlyError({
    status,
    headers: { 'retry-after': '7' },
    ...readReloadlyEnvelope(typeof body === 'string' ? body : JSON.stringify(body)),
  });

describe('mapReloadlyError', () => {
  const table: [string, number, unknown, string, string, boolean][] = [
    ['500 even with a refusal code', 500, envelope('INSUFFICIENT_BALANCE'), ErrorCodes.PROVIDER_SERVER_ERROR, 'unknown', true],
    ['502 from a gateway, HTML body', 502, '<html>bad gateway</html>', ErrorCodes.PROVIDER_SERVER_ERROR, 'unknown', true],
    ['a 303 redirect', 303, '', ErrorCodes.PROVIDER_BAD_RESPONSE, 'unknown', true],
    ['INSUFFICIENT_BALANCE', 400, envelope('INSUFFICIENT_BALANCE'), ErrorCodes.PROVIDER_INSUFFICIENT_BALANCE, 'rejected', false],
    ['INVALID_RECIPIENT_PHONE', 400, envelope('INVALID_RECIPIENT_PHONE'), ErrorCodes.PROVIDER_INVALID_RECIPIENT, 'rejected', false],
    [
      'COULD_NOT_AUTO_DETECT_OPERATOR',
      400,
      envelope('COULD_NOT_AUTO_DETECT_OPERATOR'),
      ErrorCodes.PROVIDER_INVALID_RECIPIENT,
      'rejected',
      false,
    ],
    ['INVALID_AMOUNT_FOR_OPERATOR', 400, envelope('INVALID_AMOUNT_FOR_OPERATOR'), ErrorCodes.PROVIDER_INVALID_PRODUCT, 'rejected', false],
    [
      'OPERATOR_UNAVAILABLE_OR_CURRENTLY_INACTIVE',
      400,
      envelope('OPERATOR_UNAVAILABLE_OR_CURRENTLY_INACTIVE'),
      ErrorCodes.PROVIDER_UNAVAILABLE,
      'rejected',
      true,
    ],
    [
      'TRANSACTION_CANNOT_BE_PROCESSED_AT_THE_MOMENT',
      400,
      envelope('TRANSACTION_CANNOT_BE_PROCESSED_AT_THE_MOMENT'),
      ErrorCodes.PROVIDER_UNAVAILABLE,
      'rejected',
      true,
    ],
    ['PHONE_RECENTLY_RECHARGED', 400, envelope('PHONE_RECENTLY_RECHARGED'), ErrorCodes.PROVIDER_RATE_LIMITED, 'rejected', true],
    ['TOKEN_EXPIRED (after the one renewal)', 401, envelope('TOKEN_EXPIRED'), ErrorCodes.PROVIDER_AUTH_FAILED, 'rejected', false],
    [
      'MAX_DAILY_TRANSACTION_COUNT_REACHED',
      400,
      envelope('MAX_DAILY_TRANSACTION_COUNT_REACHED'),
      ErrorCodes.PROVIDER_BAD_REQUEST,
      'rejected',
      false,
    ],
    ['429', 429, envelope(null), ErrorCodes.PROVIDER_RATE_LIMITED, 'rejected', true],
    ['a bare 404 (wrong baseUrl)', 404, '<html>Not Found</html>', ErrorCodes.PROVIDER_BAD_REQUEST, 'rejected', false],
  ];
  for (const [name, status, body, code, outcome, retryable] of table) {
    it(`maps ${name} to ${code} (${outcome})`, () => {
      const e = map(status, body);
      expect({ code: e.code, outcome: e.outcome, retryable: e.retryable }).to.deep.equal({ code, outcome, retryable });
    });
  }

  it("asks for Reloadly's 2-minute wait after PHONE_RECENTLY_RECHARGED", () => {
    expect(map(400, envelope('PHONE_RECENTLY_RECHARGED')).retryAfterMs).to.equal(120_000);
  });
});

describe('toReloadlyPhone', () => {
  it('splits an E.164 number into the country and the national number', () => {
    expect(toReloadlyPhone('+2348031234567')).to.deep.equal({ countryCode: 'NG', number: '8031234567' });
    expect(toReloadlyPhone('+96550123456')).to.deep.equal({ countryCode: 'KW', number: '50123456' });
  });

  it('takes the country given for a shared calling code (+1)', () => {
    expect(toReloadlyPhone('+18765551234', 'JM')).to.deep.equal({ countryCode: 'JM', number: '8765551234' });
  });

  it('refuses a country that contradicts the calling code, before anything is sent', () => {
    expect(() => toReloadlyPhone('+2348031234567', 'GH')).to.throw(/in NG/);
  });
});
