import { expect } from 'chai';
import { FaultPlan, latencyOf } from '../src/scenario/FaultPlan.js';
import { draw } from '../src/scenario/draw.js';

describe('FaultPlan', () => {
  it('draws a pure function of its inputs, uniform enough over [0, 1)', () => {
    expect(draw(1, 'airtime.issue', 'R', 1, 0, 0)).to.equal(draw(1, 'airtime.issue', 'R', 1, 0, 0));
    expect(draw(1, 'airtime.issue', 'R', 1, 0, 0)).to.not.equal(draw(2, 'airtime.issue', 'R', 1, 0, 0));
    expect(draw(1, 'airtime.issue', 'R', 1, 0, 0)).to.not.equal(draw(1, 'airtime.issue', 'R', 2, 0, 0));
    const n = 20_000;
    let below = 0;
    for (let i = 0; i < n; i++) {
      const u = draw(3, 'airtime.issue', `R-${i}`, 1, 0, 0);
      expect(u).to.be.at.least(0).and.below(1);
      if (u < 0.3) below += 1;
    }
    expect(below / n).to.be.closeTo(0.3, 0.02);
  });

  it('takes the first matching non-latency fault and sums every matching latency', () => {
    const plan = new FaultPlan(
      {
        rules: [
          { route: 'airtime.issue', fault: { type: 'latency', distribution: 'fixed', ms: 10 } },
          { route: 'airtime.issue', fault: { type: 'reset' } },
          { route: 'airtime.issue', fault: { type: 'hang' } },
          { fault: { type: 'latency', distribution: 'fixed', ms: 5 } },
        ],
      },
      1,
    );
    expect(plan.decide('airtime.issue', 'R', 1)).to.deep.equal({ fault: { type: 'reset' }, latencyMs: 15, label: 'latency,reset' });
    expect(plan.decide('airtime.status', 'R', 1).label).to.equal('none');
  });

  it('caps latency and keeps each distribution in its bounds', () => {
    const u = (v: number) => () => v;
    expect(latencyOf({ type: 'latency', distribution: 'fixed', ms: 50, capMs: 20 }, u(0.5))).to.equal(20);
    expect(latencyOf({ type: 'latency', distribution: 'uniform', minMs: 10, maxMs: 20 }, u(0.5))).to.equal(15);
    // z = 0 when cos(2πu) = 0 → median.
    expect(latencyOf({ type: 'latency', distribution: 'lognormal', medianMs: 20, sigma: 0.5 }, u(0.25))).to.be.closeTo(20, 1e-9);
    expect(
      latencyOf({ type: 'latency', distribution: 'lognormal', medianMs: 20, sigma: 3, capMs: 200 }, (s) => (s === 2 ? 0.999999 : 0)),
    ).to.equal(200);
  });

  it('counts calls per rule and starts over after resetCounters()', () => {
    const plan = new FaultPlan({ rules: [{ route: 'giftcard.order', calls: { first: 1 }, fault: { type: 'malformed' } }] }, 1);
    expect(plan.decide('giftcard.order', 'A', 1).label).to.equal('malformed');
    expect(plan.decide('giftcard.order', 'B', 1).label).to.equal('none');
    plan.resetCounters();
    expect(plan.decide('giftcard.order', 'C', 1).label).to.equal('malformed');
  });
});
