import { expect } from 'chai';
import { mock } from 'node:test';
import {
  ConnectorError,
  ErrorCodes,
  NotSentError,
  OutcomeUnknownError,
  ProviderRejectedError,
  ValidationError,
  createAjv,
  createResilientConnector,
  pollUntilTerminal,
  resilienceOptionsSchema,
  resolveResilienceOptions,
} from '../../src/index.js';
import type {
  BreakerState,
  ConnectorCapabilities,
  CreateResilientConnectorOptions,
  IssueParams,
  IssueResult,
  StatusResult,
} from '../../src/index.js';
import { FakeConnector, flush, track, type Step } from './fakeConnector.js';

const params: IssueParams = {
  productId: 'P',
  customerId: 'c',
  amount: '5.00',
  currency: 'USD',
  reference: 'ref-1',
  phoneNumber: '+263771234567',
};
const ok: IssueResult = { status: 'succeeded', reference: 'ref-1', transactionId: 't-1' };
const unknown = () => new OutcomeUnknownError(ErrorCodes.PROVIDER_SERVER_ERROR, 'HTTP 502', { httpStatus: 502 });
const notSent = () => new NotSentError(ErrorCodes.PROVIDER_UNREACHABLE, 'refused');
const caps = (duplicateReference: ConnectorCapabilities['duplicateReference'], statusByReference = true): ConnectorCapabilities => ({
  duplicateReference,
  statusByReference,
  amountUnit: 'major',
});
// No waiting in logic tests: zero backoff and zero reconcile delay.
const fast: CreateResilientConnectorOptions = { retry: { initialDelayMs: 0 }, reconcile: { delayMs: 0 } };

function make(fake: FakeConnector, c: ConnectorCapabilities, options: CreateResilientConnectorOptions = fast) {
  return createResilientConnector(fake, { id: 'fake', capabilities: c }, { random: () => 0, ...options });
}

async function rejection(p: Promise<unknown>): Promise<ConnectorError> {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(ConnectorError);
    return e as ConnectorError;
  }
  throw new Error('expected a rejection');
}

describe('createResilientConnector', () => {
  describe('retry decisions (money safety)', () => {
    it('re-sends a not_sent failure with the same reference', async () => {
      const fake = new FakeConnector([{ error: notSent() }, { error: notSent() }, { result: ok }]);
      const r = make(fake, caps('none'));
      expect(await r.issue(params)).to.deep.equal(ok);
      expect(fake.issues.map((i) => i.reference)).to.deep.equal(['ref-1', 'ref-1', 'ref-1']);
      expect(r.stats).to.deep.equal({ calls: 1, retries: 2, reconciliations: 0 });
    });

    it('never re-sends an unknown outcome when duplicateReference is "none": it reconciles by reference', async () => {
      const fake = new FakeConnector(
        [{ error: unknown() }, { result: ok }],
        [{ result: { status: 'succeeded', reference: 'ref-1', transactionId: 't-9' } }],
      );
      const r = make(fake, caps('none'));
      const result = await r.issue(params);
      expect(fake.issues).to.have.length(1);
      // Looked up by reference, with the request, so the plugin can tell another issuance's transaction from ours.
      expect(fake.lookups).to.have.length(1);
      expect(fake.lookups[0]).to.deep.include({ reference: 'ref-1' });
      expect(fake.lookups[0].request).to.deep.include({ reference: 'ref-1', productId: 'P', phoneNumber: '+263771234567' });
      expect(fake.lookups[0].request?.amount).to.deep.include({ decimal: '5.00', currency: 'USD' });
      expect(result.transactionId).to.equal('t-9');
      expect(r.stats.reconciliations).to.equal(1);
    });

    it("ends with the lookup's PROVIDER_REFERENCE_CONFLICT (rejected) when the reference belongs to another issuance", async () => {
      const conflict = new ProviderRejectedError(
        ErrorCodes.PROVIDER_REFERENCE_CONFLICT,
        'reference ref-1 already belongs to a different transaction',
        { retryable: false },
      );
      const fake = new FakeConnector([{ error: unknown() }], [{ error: conflict }, { result: ok }]);
      const e = await rejection(make(fake, caps('none'), { ...fast, reconcile: { attempts: 3, delayMs: 0 } }).issue(params));
      expect(e).to.equal(conflict);
      expect(fake.lookups).to.have.length(1);
    });

    it('returns a pending lookup as found', async () => {
      const fake = new FakeConnector([{ error: unknown() }], [{ result: { status: 'pending', reference: 'ref-1' } }]);
      expect((await make(fake, caps('none')).issue(params)).status).to.equal('pending');
      expect(fake.issues).to.have.length(1);
    });

    it('fails with OUTCOME_UNKNOWN (never failed) when lookups find nothing, after exactly reconcile.attempts lookups', async () => {
      const fake = new FakeConnector([{ error: unknown() }], [{ result: { status: 'not_found' } }]);
      const e = await rejection(make(fake, caps('none'), { ...fast, reconcile: { attempts: 4, delayMs: 0 } }).issue(params));
      expect(e.code).to.equal(ErrorCodes.OUTCOME_UNKNOWN);
      expect(e.outcome).to.equal('unknown');
      expect(fake.issues).to.have.length(1);
      expect(fake.lookups).to.have.length(4);
    });

    it('fails with OUTCOME_UNKNOWN when lookups themselves fail', async () => {
      const fake = new FakeConnector([{ error: unknown() }], [{ error: new OutcomeUnknownError(ErrorCodes.PROVIDER_TIMEOUT, 't') }]);
      const e = await rejection(make(fake, caps('none')).issue(params));
      expect(e.code).to.equal(ErrorCodes.OUTCOME_UNKNOWN);
      expect(fake.issues).to.have.length(1);
    });

    it('goes straight to OUTCOME_UNKNOWN without a lookup when the provider has no status by reference', async () => {
      const fake = new FakeConnector([{ error: unknown() }]);
      const e = await rejection(make(fake, caps('none', false)).issue(params));
      expect(e.code).to.equal(ErrorCodes.OUTCOME_UNKNOWN);
      expect(fake.issues).to.have.length(1);
      expect(fake.lookups).to.have.length(0);
    });

    for (const dup of ['reject-duplicate', 'return-original'] as const) {
      it(`re-sends an unknown outcome when duplicateReference is "${dup}"`, async () => {
        const fake = new FakeConnector([{ error: unknown() }, { result: ok }]);
        expect(await make(fake, caps(dup)).issue(params)).to.deep.equal(ok);
        expect(fake.issues.map((i) => i.reference)).to.deep.equal(['ref-1', 'ref-1']);
        expect(fake.lookups).to.have.length(0);
      });
    }

    it('reconciles by reference when re-sends of a deduplicating provider run out on unknown', async () => {
      const fake = new FakeConnector([{ error: unknown() }], [{ result: { status: 'not_found' } }]);
      const e = await rejection(
        make(fake, caps('reject-duplicate'), { ...fast, retry: { maxAttempts: 3, initialDelayMs: 0 } }).issue(params),
      );
      expect(fake.issues).to.have.length(3);
      expect(fake.lookups).to.have.length(3);
      expect(e.code).to.equal(ErrorCodes.OUTCOME_UNKNOWN);
    });

    it('does not report not_sent when an earlier attempt may have issued', async () => {
      const fake = new FakeConnector([{ error: unknown() }, { error: notSent() }], [{ result: { status: 'not_found' } }]);
      const e = await rejection(
        make(fake, caps('return-original'), { ...fast, retry: { maxAttempts: 2, initialDelayMs: 0 } }).issue(params),
      );
      expect(e.outcome).to.equal('unknown');
      expect(e.code).to.equal(ErrorCodes.OUTCOME_UNKNOWN);
    });

    it('throws a non-retryable rejection at once, without a lookup', async () => {
      const fake = new FakeConnector([{ error: new ProviderRejectedError(ErrorCodes.PROVIDER_INSUFFICIENT_BALANCE, 'no money') }]);
      const e = await rejection(make(fake, caps('none')).issue(params));
      expect(e.code).to.equal(ErrorCodes.PROVIDER_INSUFFICIENT_BALANCE);
      expect(fake.issues).to.have.length(1);
      expect(fake.lookups).to.have.length(0);
    });

    it('refuses bad params with a ValidationError before any call', async () => {
      const fake = new FakeConnector([{ result: ok }]);
      const r = createResilientConnector(fake, { id: 'fake', capabilities: caps('none'), requiresPhone: true });
      const { phoneNumber: _p, ...noPhone } = params;
      const e = await rejection(r.issue(noPhone));
      expect(e).to.be.instanceOf(ValidationError);
      expect(fake.issues).to.have.length(0);
    });

    it('passes the plugin a normalised IssueRequest', async () => {
      let seen: unknown;
      const r = createResilientConnector(
        { issueVoucher: async (req) => ((seen = req), ok), checkStatus: async () => ({ status: 'not_found' }) },
        { id: 'fake', capabilities: caps('none') },
      );
      await r.issue(params);
      expect((seen as { amount: unknown }).amount).to.deep.equal({ currency: 'USD', minor: 500n, decimal: '5.00' });
    });

    it('maps raw errors thrown by a plugin (e.g. axios) to outcomes', async () => {
      const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
      const fake = new FakeConnector([{ error: refused }, { result: ok }]);
      expect(await make(fake, caps('none')).issue(params)).to.deep.equal(ok);
      expect(fake.issues).to.have.length(2);
    });
  });

  describe('with fake time', () => {
    beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 }));
    afterEach(() => mock.timers.reset());

    async function advance(ms: number, step = 10): Promise<void> {
      for (let t = 0; t < ms; t += step) {
        mock.timers.tick(Math.min(step, ms - t));
        await flush(3);
      }
    }

    it('honours retryAfterMs of a retryable rejection as a floor', async () => {
      const limited = new ProviderRejectedError(ErrorCodes.PROVIDER_RATE_LIMITED, '429', { retryable: true, retryAfterMs: 2_000 });
      const fake = new FakeConnector([{ error: limited }, { result: ok }]);
      const call = track(make(fake, caps('none'), { retry: { initialDelayMs: 100 } }).issue(params));
      await flush();
      expect(fake.issues).to.have.length(1);
      await advance(1_990);
      expect(fake.issues).to.have.length(1);
      await advance(20);
      expect(fake.issues).to.have.length(2);
      expect(await call.promise).to.deep.equal(ok);
    });

    it('gives up with the error when the provider asks to wait longer than maxRetryAfterMs', async () => {
      const limited = new ProviderRejectedError(ErrorCodes.PROVIDER_RATE_LIMITED, '429', { retryable: true, retryAfterMs: 120_000 });
      const fake = new FakeConnector([{ error: limited }, { result: ok }]);
      const call = track(make(fake, caps('none'), { retry: { maxRetryAfterMs: 60_000 } }).issue(params));
      await flush();
      expect(call.settled()).to.equal(true);
      expect((call.error() as ConnectorError).code).to.equal(ErrorCodes.PROVIDER_RATE_LIMITED);
      expect(fake.issues).to.have.length(1);
    });

    it('backs off exponentially, capped at maxDelayMs', async () => {
      const fake = new FakeConnector([{ error: notSent() }, { error: notSent() }, { error: notSent() }, { result: ok }]);
      const r = createResilientConnector(
        fake,
        { id: 'fake', capabilities: caps('none') },
        { random: () => 0.999999, retry: { maxAttempts: 4, initialDelayMs: 100, maxDelayMs: 250 } },
      );
      const call = track(r.issue(params));
      await flush();
      const times: number[] = [];
      for (let t = 0; t < 1_000 && !call.settled(); t += 10) {
        const before = fake.issues.length;
        await advance(10);
        if (fake.issues.length > before) times.push(t + 10);
      }
      // ~100, then ~200, then capped at ~250 after each failure.
      expect(times).to.deep.equal([100, 300, 550]);
    });

    it('does not sleep after the last attempt', async () => {
      const fake = new FakeConnector([{ error: notSent() }]);
      const call = track(make(fake, caps('none'), { retry: { maxAttempts: 2, initialDelayMs: 10_000 } }).issue(params));
      await flush();
      await advance(10_000, 1_000);
      expect(fake.issues).to.have.length(2);
      expect(call.settled()).to.equal(true);
      expect((call.error() as ConnectorError).code).to.equal(ErrorCodes.PROVIDER_UNREACHABLE);
    });

    it('times out an attempt, aborts the plugin call, and treats it as unknown', async () => {
      const fake = new FakeConnector(['hang']);
      const call = track(make(fake, caps('none', false), { timeoutMs: 500 }).issue(params));
      await flush();
      await advance(490);
      expect(call.settled()).to.equal(false);
      await advance(20);
      expect(call.settled()).to.equal(true);
      const e = call.error() as ConnectorError;
      expect([e.code, e.outcome]).to.deep.equal([ErrorCodes.OUTCOME_UNKNOWN, 'unknown']);
      expect((e.cause as ConnectorError).code).to.equal(ErrorCodes.PROVIDER_TIMEOUT);
      expect(fake.issues[0].signal?.aborted).to.equal(true);
      expect(fake.issues).to.have.length(1);
    });

    it('opens the breaker after the configured consecutive failures and half-opens after its window', async () => {
      const fake = new FakeConnector([{ error: unknown() }, { error: unknown() }, { error: unknown() }, { result: ok }]);
      const r = make(fake, caps('none', false), { retry: { maxAttempts: 1 }, breaker: { failureThreshold: 3, halfOpenAfterMs: 30_000 } });
      const states: BreakerState[] = [];
      r.breaker.onStateChange((s) => states.push(s));
      for (let i = 0; i < 3; i++) expect((await rejection(r.issue(params))).code).to.equal(ErrorCodes.OUTCOME_UNKNOWN);
      expect(r.breaker.state).to.equal('open');
      expect(states).to.deep.equal(['open']);

      const fast1 = await rejection(r.issue(params));
      expect([fast1.code, fast1.outcome]).to.deep.equal([ErrorCodes.CIRCUIT_OPEN, 'not_sent']);
      expect(fake.issues).to.have.length(3);

      mock.timers.tick(29_999);
      expect((await rejection(r.issue(params))).code).to.equal(ErrorCodes.CIRCUIT_OPEN);
      mock.timers.tick(1);
      expect(await r.issue(params)).to.deep.equal(ok);
      expect(states).to.deep.equal(['open', 'half-open', 'closed']);
      expect(r.breaker.state).to.equal('closed');
      expect(fake.issues).to.have.length(4);
    });

    it('does not close the circuit when the caller aborts the half-open trial: it opens again', async () => {
      const fake = new FakeConnector([{ error: unknown() }, 'hang', { result: ok }]);
      const r = make(fake, caps('none', false), { retry: { maxAttempts: 1 }, breaker: { failureThreshold: 1, halfOpenAfterMs: 1_000 } });
      await rejection(r.issue(params));
      expect(r.breaker.state).to.equal('open');
      mock.timers.tick(1_000);
      const ctl = new AbortController();
      const trial = track(r.issue(params, { signal: ctl.signal }));
      await flush();
      expect(r.breaker.state).to.equal('half-open');
      ctl.abort();
      await flush(4);
      expect(trial.settled()).to.equal(true);
      // The trial proved nothing about the provider (still failing, as far as anyone knows).
      expect(r.breaker.state).to.equal('open');
      expect((await rejection(r.issue(params))).code).to.equal(ErrorCodes.CIRCUIT_OPEN);
    });

    it('re-opens when the half-open trial call fails', async () => {
      const fake = new FakeConnector([{ error: unknown() }]);
      const r = make(fake, caps('none', false), { retry: { maxAttempts: 1 }, breaker: { failureThreshold: 1, halfOpenAfterMs: 1_000 } });
      await rejection(r.issue(params));
      mock.timers.tick(1_000);
      await rejection(r.issue(params));
      expect(r.breaker.state).to.equal('open');
      expect((await rejection(r.issue(params))).code).to.equal(ErrorCodes.CIRCUIT_OPEN);
    });
  });

  describe('circuit breaker accounting', () => {
    it('does not count calls refused by its own full bulkhead: they say nothing about the provider', async () => {
      let release!: (r: IssueResult) => void;
      const first = new Promise<IssueResult>((res) => (release = res));
      const fake = new FakeConnector([{ deferred: first }, { result: ok }]);
      const r = make(fake, caps('none'), {
        ...fast,
        retry: { maxAttempts: 1 },
        bulkhead: { maxConcurrent: 1, maxQueue: 0 },
        breaker: { failureThreshold: 2 },
      });
      const a = track(r.issue({ ...params, reference: 'a' }));
      await flush();
      for (let i = 0; i < 5; i++)
        expect((await rejection(r.issue({ ...params, reference: `b${i}` }))).code).to.equal(ErrorCodes.BULKHEAD_FULL);
      expect(r.breaker.state).to.equal('closed');
      release(ok);
      await a.promise;
      await r.issue({ ...params, reference: 'c' });
      expect(fake.issues.map((i) => i.reference)).to.deep.equal(['a', 'c']);
    });

    it("does not count a business rejection thrown with another copy of core's classes", async () => {
      // A plugin loaded by path with its own node_modules/@relaypoint/core throws errors of that copy: same shape,
      // other classes. They must be judged by shape, as everywhere else in core.
      const foreign = () =>
        Object.assign(new Error('bad phone'), {
          name: 'ProviderRejectedError',
          code: ErrorCodes.PROVIDER_INVALID_RECIPIENT,
          outcome: 'rejected',
          retryable: false,
          toJSON: () => ({ code: ErrorCodes.PROVIDER_INVALID_RECIPIENT }),
        });
      const fake = new FakeConnector([{ error: foreign() }]);
      const r = make(fake, caps('none'), { ...fast, retry: { maxAttempts: 1 }, breaker: { failureThreshold: 2 } });
      for (let i = 0; i < 5; i++) {
        const e = await r.issue(params).then(
          () => undefined,
          (err: unknown) => err as { outcome?: string; code?: string },
        );
        // Passed through as the plugin threw it (not a CIRCUIT_OPEN of ours).
        expect([e?.code, e?.outcome]).to.deep.equal([ErrorCodes.PROVIDER_INVALID_RECIPIENT, 'rejected']);
      }
      expect(r.breaker.state).to.equal('closed');
    });

    it('does not count business rejections or validation errors', async () => {
      const fake = new FakeConnector([{ error: new ProviderRejectedError(ErrorCodes.PROVIDER_INVALID_RECIPIENT, 'bad phone') }]);
      const r = make(fake, caps('none'), { ...fast, breaker: { failureThreshold: 2 } });
      for (let i = 0; i < 5; i++) await rejection(r.issue(params));
      for (let i = 0; i < 5; i++) await rejection(r.issue({ ...params, reference: 'bad ref' }));
      expect(r.breaker.state).to.equal('closed');
    });

    it('counts unreachable and unavailable providers, shared across issue and checkStatus', async () => {
      const unavailable = new ProviderRejectedError(ErrorCodes.PROVIDER_UNAVAILABLE, 'operator down');
      const fake = new FakeConnector([{ error: unavailable }], [{ error: notSent() }]);
      const r = make(fake, caps('none'), { ...fast, retry: { maxAttempts: 1 }, breaker: { failureThreshold: 2 } });
      await rejection(r.issue(params));
      await rejection(r.checkStatus({ reference: 'x' }));
      expect(r.breaker.state).to.equal('open');
      expect((await rejection(r.checkStatus({ reference: 'x' }))).code).to.equal(ErrorCodes.CIRCUIT_OPEN);
    });
  });

  describe('bulkhead', () => {
    it('fails calls beyond maxConcurrent + maxQueue with BULKHEAD_FULL (not_sent) and runs queued ones later', async () => {
      let release!: (r: IssueResult) => void;
      const first = new Promise<IssueResult>((res) => (release = res));
      const fake = new FakeConnector([{ deferred: first }, { result: ok }]);
      const r = make(fake, caps('none'), { ...fast, bulkhead: { maxConcurrent: 1, maxQueue: 1 } });
      const a = track(r.issue({ ...params, reference: 'a' }));
      const b = track(r.issue({ ...params, reference: 'b' }));
      const c = await rejection(r.issue({ ...params, reference: 'c' }));
      expect([c.code, c.outcome]).to.deep.equal([ErrorCodes.BULKHEAD_FULL, 'not_sent']);
      await flush();
      expect(fake.issues.map((i) => i.reference)).to.deep.equal(['a']);
      release(ok);
      await a.promise;
      await b.promise;
      expect(fake.issues.map((i) => i.reference)).to.deep.equal(['a', 'b']);
    });
  });

  describe('abort', () => {
    it('stops an in-flight call at once with ABORTED (unknown) and aborts the plugin signal', async () => {
      const fake = new FakeConnector(['hang']);
      const r = make(fake, caps('return-original'));
      const ctl = new AbortController();
      const call = track(r.issue(params, { signal: ctl.signal }));
      await flush();
      ctl.abort();
      await flush(2);
      expect(call.settled()).to.equal(true);
      const e = call.error() as ConnectorError;
      expect([e.code, e.outcome]).to.deep.equal([ErrorCodes.ABORTED, 'unknown']);
      expect(fake.issues).to.have.length(1);
      expect(fake.issues[0].signal?.aborted).to.equal(true);
      expect(r.breaker.state).to.equal('closed');
    });

    it("gives the plugin the timeout's signal, linked to the caller's, and makes no signal of its own", async () => {
      // Every AbortSignal lives until a full mark-compact: a call must not add any to the one its timeout needs.
      const fake = new FakeConnector([{ result: ok }]);
      const r = make(fake, caps('none'));
      const caller = new AbortController();
      const Original = globalThis.AbortController;
      const made: AbortController[] = [];
      globalThis.AbortController = class extends Original {
        constructor() {
          super();
          made.push(this);
        }
      };
      try {
        await r.issue(params, { signal: caller.signal });
      } finally {
        globalThis.AbortController = Original;
      }
      expect(made).to.have.length(1);
      expect(fake.issues[0].signal).to.equal(made[0].signal);
    });

    it("does not count the caller's abort as a provider failure", async () => {
      const fake = new FakeConnector(['hang', { result: ok }]);
      const r = make(fake, caps('none'), { retry: { maxAttempts: 1 }, breaker: { failureThreshold: 1, halfOpenAfterMs: 60_000 } });
      const ctl = new AbortController();
      const call = track(r.issue(params, { signal: ctl.signal }));
      await flush();
      ctl.abort();
      await flush(2);
      expect((call.error() as ConnectorError).code).to.equal(ErrorCodes.ABORTED);
      expect(r.breaker.state).to.equal('closed');
      expect((await r.issue({ ...params, reference: 'next' })).status).to.equal('succeeded');
    });

    it('refuses an already aborted call with ABORTED (not_sent) without calling the plugin', async () => {
      const fake = new FakeConnector([{ result: ok }]);
      const e = await rejection(make(fake, caps('none')).issue(params, { signal: AbortSignal.abort() }));
      expect([e.code, e.outcome]).to.deep.equal([ErrorCodes.ABORTED, 'not_sent']);
      expect(fake.issues).to.have.length(0);
    });

    it('wakes a retry sleep on abort and never re-sends', async () => {
      const fake = new FakeConnector([{ error: notSent() }, { result: ok }]);
      const ctl = new AbortController();
      // random 0.5: a 30 s backoff (make's default random 0 would make it 0 ms and race the flush).
      const call = track(
        make(fake, caps('none'), { random: () => 0.5, retry: { initialDelayMs: 60_000 } }).issue(params, { signal: ctl.signal }),
      );
      await flush();
      expect(fake.issues).to.have.length(1);
      const t = Date.now();
      ctl.abort();
      await flush(2);
      expect(call.settled()).to.equal(true);
      expect(Date.now() - t).to.be.below(50);
      expect((call.error() as ConnectorError).code).to.equal(ErrorCodes.ABORTED);
      expect(fake.issues).to.have.length(1);
    });

    it('does not start a call queued in the bulkhead once aborted', async () => {
      let release!: (r: IssueResult) => void;
      const fake = new FakeConnector([{ deferred: new Promise<IssueResult>((res) => (release = res)) }, { result: ok }]);
      const r = make(fake, caps('none'), { ...fast, bulkhead: { maxConcurrent: 1, maxQueue: 5 } });
      const a = track(r.issue({ ...params, reference: 'a' }));
      const ctl = new AbortController();
      const b = track(r.issue({ ...params, reference: 'b' }, { signal: ctl.signal }));
      await flush();
      ctl.abort();
      await flush();
      expect((b.error() as ConnectorError).outcome).to.equal('not_sent');
      release(ok);
      await a.promise;
      await flush();
      expect(fake.issues.map((i) => i.reference)).to.deep.equal(['a']);
    });

    it('without a caller signal: dispose aborts the plugin calls in flight, and 12 at once raise no listener warning', async () => {
      const fake = new FakeConnector(Array.from({ length: 12 }, () => 'hang' as const));
      const r = make(fake, caps('return-original'), { ...fast, bulkhead: { maxConcurrent: 12, maxQueue: 0 } });
      const warnings: Error[] = [];
      const onWarning = (w: Error) => warnings.push(w);
      process.on('warning', onWarning);
      try {
        const calls = Array.from({ length: 12 }, (_, i) => track(r.issue({ ...params, reference: `r${i}` })));
        await flush();
        expect(fake.issues).to.have.length(12);
        r.dispose();
        await flush(2);
        expect(calls.every((c) => (c.error() as ConnectorError | undefined)?.code === ErrorCodes.ABORTED)).to.equal(true);
        expect(fake.issues.every((i) => i.signal?.aborted)).to.equal(true);
        await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on a later tick
      } finally {
        process.off('warning', onWarning);
      }
      expect(warnings.map((w) => w.name)).to.deep.equal([]);
    });

    it('dispose wakes sleeping retries', async () => {
      const fake = new FakeConnector([{ error: notSent() }]);
      const r = make(fake, caps('none'), { random: () => 0.5, retry: { initialDelayMs: 60_000 } });
      const call = track(r.issue(params));
      await flush();
      r.dispose();
      await flush(2);
      expect((call.error() as ConnectorError).code).to.equal(ErrorCodes.ABORTED);
    });
  });

  describe('checkStatus', () => {
    it('retries a read even after an unknown outcome', async () => {
      const found: StatusResult = { status: 'succeeded', reference: 'r' };
      const fake = new FakeConnector([], [{ error: unknown() }, { result: found }]);
      const r = make(fake, caps('none'));
      expect(await r.checkStatus({ transactionId: 't' })).to.deep.equal(found);
      expect(fake.lookups).to.deep.equal([{ transactionId: 't' }, { transactionId: 't' }]);
    });
  });
});

describe('pollUntilTerminal', () => {
  it('polls until a terminal status and returns it', async () => {
    const steps: Step<StatusResult>[] = [
      { result: { status: 'pending', reference: 'r' } },
      { result: { status: 'not_found' } },
      { result: { status: 'succeeded', reference: 'r' } },
    ];
    const fake = new FakeConnector([], steps);
    const r = make(fake, caps('none'));
    expect((await pollUntilTerminal(r, { reference: 'r' }, { intervalMs: 1, timeoutMs: 5_000 })).status).to.equal('succeeded');
    expect(fake.lookups).to.have.length(3);
  });

  it('returns the last status when time runs out', async () => {
    const fake = new FakeConnector([], [{ result: { status: 'pending', reference: 'r' } }]);
    const result = await pollUntilTerminal(make(fake, caps('none')), { reference: 'r' }, { intervalMs: 5, timeoutMs: 20 });
    expect(result.status).to.equal('pending');
    expect(fake.lookups.length).to.be.within(2, 6);
  });

  it('stops with ABORTED on abort', async () => {
    const fake = new FakeConnector([], [{ result: { status: 'pending', reference: 'r' } }]);
    const ctl = new AbortController();
    const p = pollUntilTerminal(make(fake, caps('none')), { reference: 'r' }, { intervalMs: 10_000, signal: ctl.signal });
    await flush();
    ctl.abort();
    expect((await rejection(p)).code).to.equal(ErrorCodes.ABORTED);
  });
});

describe('resolveResilienceOptions / resilienceOptionsSchema', () => {
  it('fills in the documented defaults', () => {
    expect(resolveResilienceOptions()).to.deep.equal({
      timeoutMs: 10_000,
      retry: { maxAttempts: 3, initialDelayMs: 200, maxDelayMs: 5_000, maxRetryAfterMs: 60_000 },
      breaker: { failureThreshold: 5, halfOpenAfterMs: 30_000 },
      bulkhead: { maxConcurrent: 32, maxQueue: 1_000 },
      reconcile: { attempts: 3, delayMs: 500 },
    });
    expect(resolveResilienceOptions({ retry: { maxAttempts: 5 } }).retry).to.deep.equal({
      maxAttempts: 5,
      initialDelayMs: 200,
      maxDelayMs: 5_000,
      maxRetryAfterMs: 60_000,
    });
  });

  it('has a strict schema whose defaults match resolveResilienceOptions', () => {
    const validate = createAjv().compile(resilienceOptionsSchema);
    const filled: Record<string, unknown> = { retry: {}, breaker: {}, bulkhead: {}, reconcile: {} };
    expect(validate(filled)).to.equal(true);
    expect(filled).to.deep.equal(resolveResilienceOptions());
    expect(validate({ retry: { maxAtempts: 3 } })).to.equal(false);
    expect(validate({ timeoutMs: 0 })).to.equal(false);
  });
});
