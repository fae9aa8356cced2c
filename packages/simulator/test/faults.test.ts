import { expect } from 'chai';
import { isConfigError } from '@relaypoint/core';
import { startSimulator, type Fault, type Scenario, type Simulator } from '../src/index.js';
import { AIRTIME_KEY, failure, issue, json, order, raw } from './helpers.js';

describe('faults on the wire', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ seed: 42 });
  });
  after(() => sim.close());
  beforeEach(() => {
    sim.setScenario({});
    sim.reset();
  });

  const only = (fault: Fault) => sim.setScenario({ rules: [{ route: 'airtime.issue', reference: 'R-f', fault }] });

  it('reset: the client sees ECONNRESET and nothing is issued', async () => {
    only({ type: 'reset' });
    const e = await failure(issue(sim.url, 'R-f'));
    expect(e.code).to.equal('ECONNRESET');
    expect(sim.ledger.entries()).to.have.length(0);
    expect(sim.journal.entries({ reference: 'R-f' })[0]).to.include({ fault: 'reset', status: null });
  });

  it('hang: the client times out, nothing is issued, and reset() aborts the hung request', async () => {
    only({ type: 'hang' });
    const e = await failure(issue(sim.url, 'R-f', {}, { timeoutMs: 150 }));
    expect(e.code).to.equal('TIMEOUT');
    const pending = failure(issue(sim.url, 'R-f', {}, { timeoutMs: 5000 }));
    await new Promise((r) => setImmediate(r));
    while (sim.journal.entries({ reference: 'R-f' }).length < 2) await new Promise((r) => setTimeout(r, 5));
    sim.reset();
    const aborted = await pending;
    expect(aborted.code).to.be.oneOf(['ECONNRESET', 'ABORTED']);
    expect(sim.ledger.entries()).to.have.length(0);
  });

  it('malformed: 200 whose body is not JSON, after the commit', async () => {
    only({ type: 'malformed' });
    const r = await issue(sim.url, 'R-f');
    expect(r.status).to.equal(200);
    expect(r.headers['x-sim-fault']).to.equal('malformed');
    expect(() => JSON.parse(r.text)).to.throw(SyntaxError);
    expect(sim.ledger.countByReference('airtime', 'R-f')).to.equal(1);
  });

  it('truncate: headers with the full Content-Length, part of the body, then the connection closes', async () => {
    only({ type: 'truncate' });
    const e = await failure(issue(sim.url, 'R-f'));
    expect(e.code).to.be.oneOf(['ABORTED', 'ECONNRESET']);
    const length = Number(e.headers?.['content-length']);
    expect(e.received!.length).to.be.greaterThan(0).and.lessThan(length);
    expect(sim.ledger.countByReference('airtime', 'R-f')).to.equal(1);
  });

  it('drop-after-commit: issued, then ECONNRESET', async () => {
    only({ type: 'drop-after-commit' });
    expect((await failure(issue(sim.url, 'R-f'))).code).to.equal('ECONNRESET');
    expect(sim.ledger.countByReference('airtime', 'R-f')).to.equal(1);
  });

  it('5xx after commit leaves a ledger entry; 5xx before commit does not', async () => {
    sim.setScenario({
      rules: [
        { route: 'airtime.issue', reference: 'R-after', fault: { type: 'status-after-commit', status: 500 } },
        { route: 'airtime.issue', reference: 'R-before', fault: { type: 'status-before-commit', status: 503 } },
      ],
    });
    const after = await issue(sim.url, 'R-after');
    expect([after.status, after.headers['x-sim-fault'], json(after).code]).to.deep.equal([500, 'status-after-commit', 'INTERNAL_ERROR']);
    const before = await issue(sim.url, 'R-before');
    expect([before.status, before.headers['x-sim-fault'], json(before).code]).to.deep.equal([
      503,
      'status-before-commit',
      'SERVICE_UNAVAILABLE',
    ]);
    expect(sim.ledger.countByReference('airtime', 'R-after')).to.equal(1);
    expect(sim.ledger.countByReference('airtime', 'R-before')).to.equal(0);
  });

  it('rate-limit: 429 with Retry-After, nothing issued', async () => {
    sim.setScenario({ rules: [{ route: 'giftcard.order', fault: { type: 'rate-limit', retryAfterSeconds: 3 } }] });
    const r = await order(sim.url, 'E-rl');
    expect([r.status, r.headers['retry-after'], r.headers['x-sim-fault']]).to.deep.equal([429, '3', 'rate-limit']);
    expect(sim.ledger.entries()).to.have.length(0);
  });

  it('latency delays the answer and combines with another fault', async () => {
    sim.setScenario({
      rules: [
        { route: 'airtime.issue', fault: { type: 'latency', distribution: 'fixed', ms: 120 } },
        { route: 'airtime.issue', fault: { type: 'status-after-commit', status: 502 } },
      ],
    });
    const t0 = performance.now();
    const r = await issue(sim.url, 'R-lat');
    expect(performance.now() - t0).to.be.at.least(110);
    expect([r.status, r.headers['x-sim-fault']]).to.deep.equal([502, 'latency,status-after-commit']);
    expect(sim.journal.entries({ reference: 'R-lat' })[0].fault).to.equal('latency,status-after-commit');
  });

  it('journals latencyMs: at least a 200 ms latency fault, a plain answer faster, and null for a request never answered', async () => {
    sim.setScenario({
      rules: [
        { route: 'airtime.issue', reference: 'R-slow', fault: { type: 'latency', distribution: 'fixed', ms: 200 } },
        { route: 'airtime.issue', reference: 'R-gone', fault: { type: 'reset' } },
      ],
    });
    expect((await issue(sim.url, 'R-slow')).status).to.equal(200);
    expect((await issue(sim.url, 'R-quick')).status).to.equal(200);
    await failure(issue(sim.url, 'R-gone'));
    const journal = json<{ entries: Array<{ reference?: string; latencyMs: number | null }> }>(
      await raw(`${sim.url}/__sim/journal?route=airtime.issue`),
    );
    const latency = (reference: string) => journal.entries.find((e) => e.reference === reference)?.latencyMs;
    expect(latency('R-slow')).to.be.a('number').and.at.least(200);
    expect(latency('R-quick')).to.be.a('number').and.below(200);
    expect(latency('R-gone')).to.equal(null);
  });

  it('reset() aborts a request delayed by latency before it commits', async () => {
    sim.setScenario({ rules: [{ route: 'airtime.issue', fault: { type: 'latency', distribution: 'fixed', ms: 10_000 } }] });
    const pending = failure(issue(sim.url, 'R-slow'));
    while (sim.journal.entries({ reference: 'R-slow' }).length < 1) await new Promise((r) => setTimeout(r, 5));
    sim.reset();
    expect((await pending).code).to.be.oneOf(['ECONNRESET', 'ABORTED']);
    expect(sim.ledger.entries()).to.have.length(0);
  });

  describe('late-commit', () => {
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    /** Polls until the reference is in the ledger (or 3 s passed); resolves to the ms since t0. */
    const committed = async (provider: 'airtime' | 'giftcard', reference: string, t0: number): Promise<number> => {
      while (sim.ledger.countByReference(provider, reference) === 0 && performance.now() - t0 < 3000) await sleep(5);
      return performance.now() - t0;
    };

    it('a client that gave up still gets its issue committed once the hold ends', async () => {
      only({ type: 'late-commit', ms: 400 });
      const t0 = performance.now();
      const e = await failure(issue(sim.url, 'R-f', {}, { timeoutMs: 100 }));
      expect(e.code).to.equal('TIMEOUT');
      expect(sim.ledger.countByReference('airtime', 'R-f'), 'nothing committed when the client gave up').to.equal(0);
      const at = await committed('airtime', 'R-f', t0);
      expect(sim.ledger.countByReference('airtime', 'R-f')).to.equal(1);
      expect(at).to.be.within(390, 2500);
      await sleep(100);
      expect(sim.ledger.countByReference('airtime', 'R-f')).to.equal(1);
      expect(sim.balance('airtime'), 'debited once').to.equal('999995.00');
      // Nothing was answered: the journal says so, as for reset or drop-after-commit.
      expect(sim.journal.entries({ reference: 'R-f' })).to.have.length(1);
      expect(sim.journal.entries({ reference: 'R-f' })[0]).to.include({ fault: 'late-commit', status: null });
    });

    it('a client that waits gets the normal answer, not before ms', async () => {
      only({ type: 'late-commit', ms: 300 });
      const t0 = performance.now();
      const r = await issue(sim.url, 'R-f');
      expect(performance.now() - t0).to.be.at.least(290);
      expect([r.status, r.headers['x-sim-fault']]).to.deep.equal([200, 'late-commit']);
      const b = json(r);
      expect(b).to.include({ status: 'success', message: 'Voucher issued' });
      expect(sim.ledger.entries({ reference: 'R-f' })[0]).to.include({ transactionId: b.transaction_id, voucherCode: b.voucher_code });
      expect(sim.journal.entries({ reference: 'R-f' })[0]).to.include({ fault: 'late-commit', status: 200 });
    });

    it('reset() during the hold drops it, whether or not the client is still there: nothing commits', async () => {
      sim.setScenario({ rules: [{ route: 'airtime.issue', fault: { type: 'late-commit', ms: 300 } }] });
      const t0 = performance.now();
      const gone = await failure(issue(sim.url, 'R-gone', {}, { timeoutMs: 50 }));
      expect(gone.code).to.equal('TIMEOUT');
      const waiting = failure(issue(sim.url, 'R-wait'));
      while (sim.journal.entries({ reference: 'R-wait' }).length < 1) await sleep(5);
      sim.reset();
      expect((await waiting).code).to.be.oneOf(['ECONNRESET', 'ABORTED']);
      await sleep(Math.max(0, t0 + 500 - performance.now()));
      expect(sim.ledger.entries()).to.have.length(0);
      expect(sim.balance('airtime')).to.equal('1000000.00');
    });

    it('a gift-card order whose client gave up appears in the ledger after ms', async () => {
      sim.setScenario({ rules: [{ route: 'giftcard.order', fault: { type: 'late-commit', ms: 300 } }] });
      const t0 = performance.now();
      expect((await failure(order(sim.url, 'E-late', {}, { timeoutMs: 100 }))).code).to.equal('TIMEOUT');
      expect(sim.ledger.countByReference('giftcard', 'E-late')).to.equal(0);
      expect(await committed('giftcard', 'E-late', t0)).to.be.within(290, 2500);
      expect(sim.ledger.entries({ provider: 'giftcard' })[0]).to.include({ reference: 'E-late', status: 'complete' });
      expect(sim.balance('giftcard')).to.equal('999975.00');
    });

    it('with latency: the hold follows the latency, and a client leaving during the latency does not cancel the commit', async () => {
      sim.setScenario({
        rules: [
          { route: 'airtime.issue', fault: { type: 'latency', distribution: 'fixed', ms: 200 } },
          { route: 'airtime.issue', fault: { type: 'late-commit', ms: 150 } },
        ],
      });
      const t0 = performance.now();
      expect((await failure(issue(sim.url, 'R-both', {}, { timeoutMs: 100 }))).code).to.equal('TIMEOUT');
      expect(await committed('airtime', 'R-both', t0)).to.be.within(340, 2500);
      expect(sim.journal.entries({ reference: 'R-both' })[0]).to.include({ fault: 'latency,late-commit', status: null });
    });

    it('refuses a late-commit without ms, or with ms out of 1–600000, naming the path', () => {
      const errors = (fault: unknown): string[] => {
        try {
          sim.setScenario({ rules: [{ fault: fault as Fault }] });
        } catch (e) {
          expect(isConfigError(e)).to.equal(true);
          return (e as { errors: string[] }).errors;
        }
        throw new Error('expected setScenario to throw');
      };
      expect(errors({ type: 'late-commit' })).to.deep.equal(['rules[0].fault.ms: is required']);
      expect(errors({ type: 'late-commit', ms: 0 })).to.deep.equal(['rules[0].fault.ms: must be >= 1']);
      expect(errors({ type: 'late-commit', ms: 600_001 })).to.deep.equal(['rules[0].fault.ms: must be <= 600000']);
    });
  });

  describe('schedules', () => {
    it('"first N calls" fails twice then succeeds', async () => {
      sim.setScenario({ rules: [{ route: 'airtime.issue', calls: { first: 2 }, fault: { type: 'status-before-commit', status: 503 } }] });
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await issue(sim.url, 'R-sched')).status);
      expect(statuses).to.deep.equal([503, 503, 200]);
    });

    it('"every Nth" and "calls A–B" count per rule', async () => {
      sim.setScenario({
        rules: [
          { route: 'giftcard.order', calls: { every: 3 }, fault: { type: 'rate-limit', retryAfterSeconds: 1 } },
          { route: 'airtime.issue', calls: { from: 2, to: 3 }, fault: { type: 'status-before-commit', status: 500 } },
        ],
      });
      const gc = [];
      for (let i = 0; i < 6; i++) gc.push((await order(sim.url, `E-${i}`)).status);
      expect(gc).to.deep.equal([201, 201, 429, 201, 201, 429]);
      const at = [];
      for (let i = 0; i < 5; i++) at.push((await issue(sim.url, `R-${i}`)).status);
      expect(at).to.deep.equal([200, 500, 500, 200, 200]);
    });

    it('"after commit on attempt 1 only" for one reference: the retry sees the duplicate', async () => {
      sim.setScenario({
        rules: [{ route: 'airtime.issue', reference: 'R-1', attempts: [1], fault: { type: 'status-after-commit', status: 500 } }],
      });
      expect((await issue(sim.url, 'R-1')).status).to.equal(500);
      const retry = await issue(sim.url, 'R-1');
      expect([retry.status, json(retry).code]).to.deep.equal([409, 'DUPLICATE_REFERENCE']);
      expect((await issue(sim.url, 'R-2')).status).to.equal(200);
      expect(sim.journal.entries({ reference: 'R-1' }).map((e) => e.attempt)).to.deep.equal([1, 2]);
    });

    it('a "*" rule does not touch status reads, so reconciliation works during chaos; a named rule does', async () => {
      sim.setScenario({ rules: [{ fault: { type: 'status-before-commit', status: 500 } }] });
      expect((await issue(sim.url, 'R-star')).status).to.equal(500);
      const read = await raw(`${sim.url}/airtime/transactions?reference=R-star`, { headers: { 'x-api-key': AIRTIME_KEY } });
      expect([read.status, read.headers['x-sim-fault']]).to.deep.equal([404, 'none']);
      sim.setScenario({ rules: [{ route: 'airtime.lookup', fault: { type: 'reset' } }] });
      expect(
        (await failure(raw(`${sim.url}/airtime/transactions?reference=R-star`, { headers: { 'x-api-key': AIRTIME_KEY } }))).code,
      ).to.equal('ECONNRESET');
    });
  });

  describe('seeded draws', () => {
    const chaos = (seed: number): Scenario => ({
      seed,
      rules: [
        {
          route: '*',
          probability: 0.5,
          fault: [
            { type: 'status-before-commit', status: 500 },
            { type: 'status-before-commit', status: 503 },
            { type: 'rate-limit', retryAfterSeconds: 1 },
          ],
        },
      ],
    });
    const run = async (s: Simulator, refs: string[], concurrent: boolean): Promise<Record<string, string>> => {
      const out: Record<string, string> = {};
      const one = async (ref: string) => {
        const r = await issue(s.url, ref);
        out[ref] = `${r.status}:${r.headers['x-sim-fault']}`;
      };
      if (concurrent) await Promise.all(refs.map(one));
      else for (const ref of refs) await one(ref);
      return out;
    };
    const refs = Array.from({ length: 40 }, (_, i) => `R-seed-${i}`);

    it('the same seed gives the identical fault sequence twice; a different seed a different one', async () => {
      // No seed at start: the scenario's seed applies.
      const s = await startSimulator();
      try {
        s.setScenario(chaos(1234));
        expect(s.scenario().seed).to.equal(1234);
        const a = await run(s, refs, false);
        s.reset();
        const b = await run(s, refs, false);
        expect(b).to.deep.equal(a);
        const faults = new Set(Object.values(a));
        expect(faults.size, 'the draw mixes outcomes').to.be.greaterThan(2);
        s.setScenario(chaos(99));
        s.reset();
        const c = await run(s, refs, false);
        expect(c).to.not.deep.equal(a);
      } finally {
        await s.close();
      }
    });

    it('a seed given at start wins over the seed of every later scenario (setScenario, POST /__sim/scenario, reset)', async () => {
      const free = await startSimulator();
      try {
        free.setScenario(chaos(42));
        const expected = await run(free, refs, false);
        sim.setScenario(chaos(1234));
        expect(sim.scenario().seed).to.equal(42);
        expect(await run(sim, refs, false)).to.deep.equal(expected);
        const posted = await raw(`${sim.url}/__sim/scenario`, { body: JSON.stringify(chaos(99)) });
        expect(json(posted).seed).to.equal(42);
        sim.reset();
        expect(json(await raw(`${sim.url}/__sim/scenario`)).seed).to.equal(42);
        expect(await run(sim, refs, false)).to.deep.equal(expected);
      } finally {
        await free.close();
      }
    });

    it('concurrency does not change which reference gets which fault', async () => {
      sim.setScenario(chaos(1234));
      const sequential = await run(sim, refs, false);
      sim.reset();
      const shuffled = [...refs].reverse();
      const concurrent = await run(sim, shuffled, true);
      expect(concurrent).to.deep.equal(sequential);
    });

    it('reports the seed in scenario() and replays from a seed given at start', async () => {
      const s1 = await startSimulator({ seed: 5, scenario: chaos(1) });
      const s2 = await startSimulator({ seed: 5, scenario: chaos(777) });
      try {
        expect(s1.scenario().seed).to.equal(5);
        expect(await run(s2, refs, false)).to.deep.equal(await run(s1, refs, false));
      } finally {
        await Promise.all([s1.close(), s2.close()]);
      }
    });
  });

  it('close() destroys hung sockets', async () => {
    const s = await startSimulator({ scenario: { rules: [{ fault: { type: 'hang' } }] } });
    const pending = failure(issue(s.url, 'R-h'));
    while (s.journal.entries().length < 1) await new Promise((r) => setTimeout(r, 5));
    await s.close();
    expect((await pending).code).to.be.oneOf(['ECONNRESET', 'ABORTED']);
  });
});
