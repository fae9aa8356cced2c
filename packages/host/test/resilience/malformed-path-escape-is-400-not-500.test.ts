import { expect } from 'chai';
import { REGRESSION_KEY as KEY, useRegressionHost } from './regressionHost.js';

/*
 * Regression (found by the fuzz test): a route parameter with a broken
 * percent-escape (`/v1/issuances/%ZZ`) made the router throw a URIError with
 * status 400 but no `expose`, and the problem handler answered 500 INTERNAL
 * for a client's mistake.
 */
describe('regression: malformed percent-escape in a path parameter', function () {
  this.timeout(30_000);
  const regression = useRegressionHost('airtime');

  for (const path of ['/v1/issuances/%ZZ', '/v1/webhooks/%E0%A4%A', '/v1/webhooks/%/rotate-secret', '/v1/deliveries/%C0/retry']) {
    it(`answers 400 problem+json for ${path}, not 500`, async () => {
      const res = await fetch(`${regression.host.url}${path}`, {
        method: path.endsWith('retry') || path.endsWith('secret') ? 'POST' : 'GET',
        headers: { authorization: `Bearer ${KEY}` },
      });
      const body = (await res.json()) as { status?: number; code?: string };
      expect(res.status, JSON.stringify(body)).to.equal(400);
      expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
      expect(body).to.include({ status: 400, code: 'VALIDATION_FAILED' });
    });
  }
});
