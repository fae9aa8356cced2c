import { expect } from 'chai';
import type { ClaimedDelivery } from '../src/dispatch/ClaimedDelivery.js';
import { Scheduler } from '../src/dispatch/Scheduler.js';

function delivery(subscriptionId: string, id: string): ClaimedDelivery {
  return {
    row: { id, subscription_id: subscriptionId, event_key: 'evk', event_type: 'customer.enrolled', attempts: 0 },
    body: '{}',
    subscription: undefined,
  };
}

/** A scheduler whose sends finish only when the test says so. */
function harness(limits = { concurrency: 3, perSubscriptionConcurrency: 2, maxQueued: 100 }) {
  const started: string[] = [];
  const finishers = new Map<string, () => void>();
  let freed = 0;
  const scheduler = new Scheduler(
    limits,
    (claimed) => {
      started.push(claimed.row.id);
      return new Promise<void>((resolve) => finishers.set(claimed.row.id, resolve));
    },
    () => void freed++,
  );
  const finish = async (id: string) => {
    finishers.get(id)!();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { scheduler, started, finish, freed: () => freed };
}

describe('Scheduler', () => {
  it('starts round-robin across subscriptions, within the global and per-subscription caps', () => {
    const { scheduler, started } = harness();
    scheduler.enqueue([delivery('busy', 'b1'), delivery('busy', 'b2'), delivery('busy', 'b3'), delivery('quiet', 'q1')]);
    // One per subscription per pass: the quiet endpoint's only row starts before the busy one's second.
    expect(started).to.deep.equal(['b1', 'q1', 'b2']);
    expect(scheduler.running).to.equal(3);
    expect(scheduler.queued).to.equal(1);
  });

  it('never runs more than perSubscriptionConcurrency for one subscription, even with free global slots', () => {
    const { scheduler, started } = harness({ concurrency: 10, perSubscriptionConcurrency: 2, maxQueued: 100 });
    scheduler.enqueue(['1', '2', '3', '4'].map((n) => delivery('one', n)));
    expect(started).to.deep.equal(['1', '2']);
    expect(scheduler.waiting('one').map((claimed) => claimed.row.id)).to.deep.equal(['3', '4']);
  });

  it('starts the next waiting delivery when one finishes, and reports the freed slot', async () => {
    const { scheduler, started, finish, freed } = harness({ concurrency: 1, perSubscriptionConcurrency: 1, maxQueued: 100 });
    scheduler.enqueue([delivery('a', 'a1'), delivery('a', 'a2')]);
    expect(started).to.deep.equal(['a1']);
    await finish('a1');
    expect(started).to.deep.equal(['a1', 'a2']);
    expect(freed()).to.equal(1);
  });

  it('hands back what waits for one subscription, and everything on close, starting nothing more', async () => {
    const { scheduler, started, finish } = harness({ concurrency: 1, perSubscriptionConcurrency: 1, maxQueued: 100 });
    scheduler.enqueue([delivery('a', 'a1'), delivery('a', 'a2'), delivery('b', 'b1'), delivery('b', 'b2')]);
    expect(scheduler.take('a').map((claimed) => claimed.row.id)).to.deep.equal(['a2']);
    expect(scheduler.close().map((claimed) => claimed.row.id)).to.deep.equal(['b1', 'b2']);
    expect(scheduler.queued).to.equal(0);
    await finish('a1');
    expect(started).to.deep.equal(['a1']);
    await scheduler.whenIdle(1000);
    expect(scheduler.running).to.equal(0);
  });

  it('gives a subscription that drains fast more room in the next claim than its floor, and marks full ones', async () => {
    const { scheduler, finish } = harness({ concurrency: 10, perSubscriptionConcurrency: 1, maxQueued: 100 });
    // Floor: twice the per-subscription cap.
    expect(scheduler.claimRoom()).to.deep.equal({ room: new Map(), full: [] });
    scheduler.enqueue(['f1', 'f2', 'f3', 'f4', 'f5'].map((id) => delivery('fast', id)));
    for (const id of ['f1', 'f2', 'f3', 'f4']) await finish(id);
    scheduler.enqueue(['s1', 's2', 's3'].map((id) => delivery('slow', id)));
    const { room, full } = scheduler.claimRoom();
    // fast: 4 done → allowance 8, nothing waiting (f5 runs); slow: floor 2, 2 waiting (s1 runs) → full.
    expect(room.get('fast')).to.equal(8);
    expect(room.get('slow')).to.equal(0);
    expect(full).to.deep.equal(['slow']);
  });
});
