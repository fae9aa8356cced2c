import { expect } from 'chai';
import fc from 'fast-check';
import { startSimulator, type Simulator } from '@relaypoint/simulator';
import { tempSqlitePath } from '@relaypoint/store/testing';
import { startHost, type HostConfig, type RunningHost } from '../../src/index.js';
import { packageDir } from './hostProcess.js';
import { simulatorConnectors } from '../helpers/harness.js';

/*
 * The HTTP API under generated abuse: every route (and made-up ones), every
 * method, wrong types, huge and unicode values, missing fields, bad JSON,
 * odd content types and auth headers. Whatever the request, the answer is
 * never a 5xx, and every error is application/problem+json whose `status`
 * matches the HTTP status and whose `code` is a string.
 *   RELAYPOINT_FUZZ_REQUESTS  generated requests (default 5000)
 *   RELAYPOINT_FUZZ_SEED      fast-check seed (default: random, printed on failure)
 */
const REQUESTS = Number(process.env.RELAYPOINT_FUZZ_REQUESTS ?? 5000);
/** Requests sent concurrently per property run (the unit fast-check shrinks). */
const BATCH = 8;
const TENANT_KEY = 'fuzz-tenant-key-0123456789abcdef';
const OTHER_KEY = 'fuzz-other-key-0123456789abcdef0';
const ADMIN_KEY = 'fuzz-admin-key-0123456789abcdef0';

interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

const weird = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '..',
    '%',
    '%ZZ',
    '%00',
    '%E0%A4%A',
    '../../etc/passwd',
    "' OR 1=1 --",
    '\u202e',
    '😀'.repeat(30),
    'a'.repeat(5000),
    'null',
    '-1',
    '1e309',
    '0x10',
  ),
  fc.integer().map(String),
);

/** A path segment: usually percent-encoded, sometimes raw (invalid escapes included). */
const segment = fc.oneof(
  { weight: 3, arbitrary: weird.map((s) => encodeURIComponent(s)) },
  { weight: 1, arbitrary: weird.map((s) => s.replace(/[/?#\s]/g, '')) },
);

const query = fc
  .dictionary(
    fc.constantFrom('status', 'connector', 'cursor', 'limit', 'needs_attention', 'events', 'from', 'to', 'x', 'status[]'),
    fc.oneof(weird, fc.constantFrom('succeeded', 'pending', 'true', 'false', '0', '200', '-5', '99999999999999999999')),
    { maxKeys: 4 },
  )
  .map((d) => {
    const q = Object.entries(d)
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
      .join('&');
    return q ? `?${q}` : '';
  });

const path = fc.oneof(
  fc.constantFrom(
    '/v1/issuances',
    '/v1/webhooks',
    '/v1/events',
    '/v1/connectors',
    '/v1/tenants',
    '/healthz',
    '/readyz',
    '/metrics',
    '/openapi.json',
    '/v1',
    '/',
    '/v2/issuances',
  ),
  segment.map((s) => `/v1/issuances/${s}`),
  segment.map((s) => `/v1/webhooks/${s}`),
  fc.tuple(segment, fc.constantFrom('rotate-secret', 'deliveries', 'replay', 'nope')).map(([s, t]) => `/v1/webhooks/${s}/${t}`),
  segment.map((s) => `/v1/deliveries/${s}/retry`),
  fc.array(segment, { maxLength: 4 }).map((a) => `/${a.join('/')}`),
);

/** Any JSON value, with the nasty numbers and strings a client may send. */
const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(
    1e308,
    -0,
    Number.MAX_SAFE_INTEGER + 2,
    0.1 + 0.2,
    '',
    'x'.repeat(20_000),
    '\u0000',
    '5.000000000000000000001',
    '-5.00',
    '5,00',
    '٥.٠٠',
  ),
  weird,
);

const validIssuance = (reference: string): Record<string, unknown> => ({
  connector: 'airtime',
  productId: 'AIRTIME_5',
  customerId: 'cust-fuzz',
  phoneNumber: '+263771234567',
  amount: '5.00',
  currency: 'USD',
  reference,
});

/** An issuance body with some fields replaced, removed or added. */
const mutatedIssuance = fc
  .tuple(
    fc.string({ minLength: 1, maxLength: 30 }),
    fc.dictionary(
      fc.constantFrom(
        'connector',
        'productId',
        'customerId',
        'phoneNumber',
        'amount',
        'currency',
        'reference',
        'metadata',
        'extra',
        '__proto__',
        'constructor',
      ),
      anyJson,
      { maxKeys: 3 },
    ),
    fc.subarray(['connector', 'productId', 'customerId', 'phoneNumber', 'amount', 'currency', 'reference']),
  )
  .map(([ref, replaced, removed]) => {
    const body: Record<string, unknown> = { ...validIssuance(`fuzz-${ref}`), ...replaced };
    for (const k of removed) delete body[k];
    return JSON.stringify(body);
  });

const webhookBody = fc
  .record(
    {
      url: fc.oneof(
        fc.webUrl(),
        weird,
        fc.constantFrom('http://127.0.0.1/x', 'http://169.254.169.254/latest', 'file:///etc/passwd', 'https://[::1]/'),
      ),
      events: fc.oneof(fc.array(fc.oneof(fc.constantFrom('reward.issued', 'customer.enrolled', '*'), weird), { maxLength: 4 }), anyJson),
      description: anyJson,
      active: anyJson,
      from: anyJson,
      to: anyJson,
    },
    { requiredKeys: [] },
  )
  .map((b) => JSON.stringify(b));

const eventBody = fc
  .record(
    { type: fc.oneof(fc.constantFrom('reward.issued', 'customer.enrolled', 'budget.threshold'), weird), data: anyJson, id: anyJson },
    { requiredKeys: [] },
  )
  .map((b) => JSON.stringify(b));

const body = fc.oneof(
  { weight: 4, arbitrary: mutatedIssuance },
  { weight: 2, arbitrary: webhookBody },
  { weight: 1, arbitrary: eventBody },
  { weight: 2, arbitrary: anyJson.map((v) => JSON.stringify(v) ?? 'null') },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('{', '{"amount":', '[1,2', '{"a":1}{"b":2}', 'nul', '\uFEFF{}', '{"a":"\\ud800"}', '{"__proto__":{"x":1}}'),
  },
  { weight: 1, arbitrary: fc.integer({ min: 90_000, max: 300_000 }).map((n) => JSON.stringify({ reference: 'big', pad: 'x'.repeat(n) })) },
);

const authorization = fc.oneof(
  { weight: 4, arbitrary: fc.constant(`Bearer ${TENANT_KEY}`) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      `Bearer ${ADMIN_KEY}`,
      `Bearer ${OTHER_KEY}`,
      `bearer   ${TENANT_KEY}  `,
      'Bearer',
      'Basic Zm9vOmJhcg==',
      `Bearer ${TENANT_KEY}x`,
      `Bearer ${'k'.repeat(8000)}`,
    ),
  },
  { weight: 1, arbitrary: weird.map((w) => `Bearer ${w.replace(/[^\x21-\x7e]/g, '')}`) },
);

const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/problem+json',
  'application/json; boundary=x',
  'json',
  '*/*',
);

const request: fc.Arbitrary<FuzzRequest> = fc
  .record(
    {
      method: fc.constantFrom('GET', 'GET', 'POST', 'POST', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'),
      path: fc.tuple(path, query).map(([p, q]) => p + q),
      authorization: fc.option(authorization, { nil: undefined }),
      contentType: fc.option(contentType, { nil: undefined }),
      requestId: fc.option(
        weird.map((w) => w.replace(/[^\x21-\x7e]/g, '')),
        { nil: undefined },
      ),
      actingTenant: fc.option(
        fc.oneof(
          fc.constantFrom('fuzz', 'other', 'nobody'),
          weird.map((w) => w.replace(/[^\x21-\x7e]/g, '')),
        ),
        { nil: undefined },
      ),
      accept: fc.option(fc.constantFrom('application/xml', 'text/html', '*/*', 'application/json;q=0'), { nil: undefined }),
      body: fc.option(body, { nil: undefined, freq: 3 }),
    },
    { requiredKeys: ['method', 'path'] },
  )
  .map((r) => {
    const headers: Record<string, string> = {};
    if (r.authorization !== undefined) headers.authorization = r.authorization;
    if (r.contentType !== undefined) headers['content-type'] = r.contentType;
    if (r.requestId !== undefined) headers['x-request-id'] = r.requestId;
    if (r.actingTenant !== undefined) headers['x-relaypoint-tenant'] = r.actingTenant;
    if (r.accept !== undefined) headers.accept = r.accept;
    const withBody = r.body !== undefined && r.method !== 'GET' && r.method !== 'HEAD';
    return { method: r.method, path: r.path, headers, ...(withBody ? { body: r.body } : {}) };
  });

/** A well-formed issuance (so the corpus also reaches the money path: 201, 200 repeats, 409, 422), at most one field off. */
const issueRequest: fc.Arbitrary<FuzzRequest> = fc
  .tuple(
    fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/),
    fc.option(fc.tuple(fc.constantFrom('productId', 'phoneNumber', 'amount', 'currency', 'customerId', 'metadata'), anyJson), {
      nil: undefined,
      freq: 2,
    }),
    fc.constantFrom('airtime', 'giftcard'),
  )
  .map(([reference, change, connector]) => {
    const body: Record<string, unknown> =
      connector === 'airtime'
        ? validIssuance(reference)
        : { connector, productId: 'GC-VISA-USD', customerId: 'cust-fuzz', amount: '12.34', currency: 'USD', reference };
    if (change) body[change[0]] = change[1];
    return {
      method: 'POST',
      path: '/v1/issuances',
      headers: { authorization: `Bearer ${TENANT_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    };
  });

function describeRequest(r: FuzzRequest): string {
  return `${r.method} ${r.path.slice(0, 200)} ${JSON.stringify(r.headers).slice(0, 300)} body=${r.body === undefined ? '-' : JSON.stringify(r.body.slice(0, 300))}`;
}

describe('HTTP API fuzz (fast-check)', function () {
  this.timeout(180_000);
  let sim: Simulator;
  let host: RunningHost;
  let tmp: ReturnType<typeof tempSqlitePath>;
  const seen: Record<string, number> = {};

  before(async () => {
    sim = await startSimulator({ seed: 3 });
    tmp = tempSqlitePath('relaypoint-fuzz-');
    const config = {
      server: { host: '127.0.0.1', port: 0, issuanceWaitMs: 1000, shutdownGraceMs: 1000 },
      storage: { driver: 'sqlite', path: tmp.path },
      tenants: [
        { id: 'fuzz', name: 'Fuzz', apiKeys: [TENANT_KEY] },
        { id: 'other', apiKeys: [OTHER_KEY] },
      ],
      admin: { apiKey: ADMIN_KEY },
      connectors: simulatorConnectors(sim),
      // Generated webhook URLs must never leave the machine: every name resolves to loopback, which the SSRF guard refuses.
      webhooks: { retrySchedule: [0], requestTimeoutMs: 500 },
      logging: { level: 'silent' },
    } as HostConfig;
    host = await startHost(config, { configDir: packageDir, webhookResolver: async () => [{ address: '127.0.0.1', family: 4 }] });
  });

  after(async () => {
    await host?.close();
    await sim?.close();
    tmp?.cleanup();
    console.log(`      fuzz answers by status: ${JSON.stringify(seen)}`);
  });

  it(`answers ${REQUESTS} generated requests without a 5xx, every error as problem+json`, async () => {
    const send = async (r: FuzzRequest): Promise<string | null> => {
      let res: Response;
      try {
        res = await fetch(`${host.url}${r.path}`, {
          method: r.method,
          headers: r.headers,
          ...(r.body !== undefined ? { body: r.body } : {}),
        });
      } catch (e) {
        // fetch itself refuses some generated inputs (invalid header values): nothing reached the host.
        if (e instanceof TypeError && !String((e as Error & { cause?: unknown }).cause ?? '').includes('ECONN')) return null;
        return `no answer (${(e as Error).message}; cause ${String((e as Error & { cause?: unknown }).cause)})`;
      }
      const text = await res.text();
      seen[res.status] = (seen[res.status] ?? 0) + 1;
      if (res.status >= 500) return `status ${res.status}: ${text.slice(0, 500)}`;
      if (res.status >= 400 && r.method !== 'HEAD') {
        const type = res.headers.get('content-type') ?? '';
        if (!type.startsWith('application/problem+json')) return `status ${res.status} with content-type "${type}": ${text.slice(0, 200)}`;
        let problem: { status?: unknown; code?: unknown; title?: unknown; type?: unknown };
        try {
          problem = JSON.parse(text) as typeof problem;
        } catch {
          return `status ${res.status}: problem body is not JSON: ${text.slice(0, 200)}`;
        }
        if (
          problem.status !== res.status ||
          typeof problem.code !== 'string' ||
          typeof problem.title !== 'string' ||
          typeof problem.type !== 'string'
        ) {
          return `status ${res.status}: problem fields wrong: ${text.slice(0, 300)}`;
        }
      }
      return null;
    };

    const seed = process.env.RELAYPOINT_FUZZ_SEED ? Number(process.env.RELAYPOINT_FUZZ_SEED) : undefined;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof({ weight: 4, arbitrary: request }, { weight: 1, arbitrary: issueRequest }), {
          minLength: BATCH,
          maxLength: BATCH,
        }),
        async (batch) => {
          const problems = (await Promise.all(batch.map(send)))
            .map((p, i) => (p ? `${describeRequest(batch[i])}\n  -> ${p}` : null))
            .filter((p) => p !== null);
          expect(problems, problems.join('\n')).to.deep.equal([]);
        },
      ),
      { numRuns: Math.ceil(REQUESTS / BATCH), ...(seed !== undefined ? { seed } : {}), endOnFailure: false },
    );
    const answered = Object.values(seen).reduce((a, b) => a + b, 0);
    // Guards against a generator that fetch rejects wholesale: most requests must reach the host.
    expect(answered, 'requests the host answered').to.be.at.least(REQUESTS * 0.9);
    // The corpus reaches the interesting answers, not only 401 and 404.
    for (const status of [200, 201, 400, 401, 404, 409, 413, 415, 422])
      expect(seen[status] ?? 0, `answers with status ${status}`).to.be.greaterThan(0);
  });
});
