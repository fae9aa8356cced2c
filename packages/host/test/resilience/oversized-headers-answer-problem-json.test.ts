import { expect } from 'chai';
import { useRegressionHost } from './regressionHost.js';

/*
 * Regression (found by the fuzz test): a request whose headers exceed Node's
 * 16 KB limit (a long URL plus a long Authorization header) is refused by
 * Node's HTTP parser before express sees it, and the client got a bare
 * `431` with no body and no content type, where every error of this API is
 * application/problem+json. The same goes for any request line the parser
 * refuses (answered 400 with no body).
 */
describe('regression: oversized request headers are answered as problem+json', function () {
  this.timeout(30_000);
  const regression = useRegressionHost('airtime');

  it('answers 431 with a problem document when the headers are over the limit', async () => {
    const res = await fetch(`${regression.host.url}/v1/issuances?x=${'a'.repeat(9000)}`, {
      headers: { authorization: `Bearer ${'k'.repeat(8000)}` },
    });
    const text = await res.text();
    expect(res.status).to.equal(431);
    expect(res.headers.get('content-type'), `body: ${JSON.stringify(text)}`).to.match(/^application\/problem\+json/);
    const body = JSON.parse(text) as { status?: number; code?: unknown };
    expect(body.status).to.equal(431);
    expect(body.code).to.be.a('string');
  });
});
