import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { startSimulator, type Simulator } from '@relaypoint/simulator';
import type { HostConfig } from '../../src/index.js';
import { simulatorConnectors } from '../helpers/harness.js';
import {
  getJson,
  pluginPath,
  postJson,
  seededRandom,
  spawnHost,
  warmHost,
  writeConfig,
  type HostProcess,
  type WarmHost,
} from './hostProcess.js';

/*
 * Invariants 1 and 2 under kill -9: a host process (the real CLI) on SQLite is
 * SIGKILLed at a seeded random moment while a batch of issuances is in flight
 * against a simulator that commits and then fails, drops, resets, hangs,
 * lags, processes requests after the host gave up on them, and refuses some
 * (operator down). It is restarted on the same store; the client re-sends what
 * got no answer (as a real client would). Then, per reference: the host
 * answers for it (terminal, or visibly pending/unknown), the provider ledger
 * holds at most one transaction, a host `succeeded` is a debited ledger entry,
 * and a host `failed` is not; once more at the end, after every late commit
 * has landed.
 *
 * The first host is the plain CLI. Restarts run the same CLI in a process
 * that loaded the host's modules beforehand (`warmHost`), so a run costs the
 * host's own start (open the store, recover orphans, listen), not 2 s of
 * module loading on a busy machine. The restarted host is the next run's
 * victim, and the store accumulates history as a real one does.
 *   RELAYPOINT_CRASH_RUNS   runs (default 50)
 *   RELAYPOINT_CRASH_SEED   seed of the kill moments and of the simulator's faults (default 6)
 *   RELAYPOINT_CRASH_BATCH  issuances per run (default 12)
 *   RELAYPOINT_CRASH_VERBOSE  print each run's kill moment and restart time
 */
const RUNS = Number(process.env.RELAYPOINT_CRASH_RUNS ?? 50);
const SEED = Number(process.env.RELAYPOINT_CRASH_SEED ?? 6);
const BATCH = Number(process.env.RELAYPOINT_CRASH_BATCH ?? 12);
/** Longest pause between firing a batch and the kill, ms. */
const MAX_KILL_DELAY_MS = 300;
/** How long a late-commit fault holds a request before the provider processes it, ms. */
const LATE_COMMIT_MS = 400;
/** How long a run waits for its references to become terminal after the restart, ms. */
const SETTLE_MS = 6000;

const TENANT = 'crash';
const KEY = 'crash-tenant-key-0123456789abcdef';
const OPEN = ['in_flight', 'pending', 'unknown'];
const KNOWN = [...OPEN, 'succeeded', 'failed'];

type Provider = 'airtime' | 'giftcard';

function bodyFor(reference: string, provider: Provider): Record<string, unknown> {
  return provider === 'airtime'
    ? {
        connector: 'airtime',
        productId: 'AIRTIME_5',
        customerId: 'cust-crash',
        phoneNumber: '+263771234567',
        amount: '5.00',
        currency: 'USD',
        reference,
      }
    : { connector: 'giftcard', productId: 'GC-AMAZON-USD', customerId: 'cust-crash', amount: '25.00', currency: 'USD', reference };
}

function crashConfig(sim: Simulator, dbPath: string): HostConfig {
  // Fast enough to fit 50 runs: short provider timeouts (a hang becomes an unknown outcome quickly) and a reconciler that looks every 100 ms.
  const resilience = {
    timeoutMs: 300,
    retry: { maxAttempts: 2, initialDelayMs: 10, maxDelayMs: 50 },
    breaker: { failureThreshold: 1000, halfOpenAfterMs: 100 },
    reconcile: { attempts: 1, delayMs: 20 },
  };
  return {
    server: { host: '127.0.0.1', port: 0, issuanceWaitMs: 300, shutdownGraceMs: 1000 },
    storage: { driver: 'sqlite', path: dbPath },
    tenants: [{ id: TENANT, name: 'Crash', apiKeys: [KEY] }],
    connectors: simulatorConnectors(sim, { resilience, plugin: pluginPath }),
    reconciliation: { intervalMs: 100, maxIntervalMs: 300, maxAgeMs: 3_600_000, leaseMs: 1000, batchSize: 50 },
    logging: { level: 'info' },
  } as HostConfig;
}

interface Sent {
  reference: string;
  provider: Provider;
  body: Record<string, unknown>;
  /** What the killed host answered before dying (null: no answer). */
  first: { status: number; body: Record<string, unknown> } | null;
}

describe('crash recovery: SIGKILL during issuance, restart on the same SQLite store', function () {
  this.timeout(60_000);
  let sim: Simulator;
  let dir: string;
  let configFile: string;
  let host: HostProcess | undefined;
  let spare: WarmHost | undefined;
  const random = seededRandom(SEED);
  const all: Sent[] = [];
  const tally: Record<string, number> = {};
  /** Faults the simulator applied, over every run (the journal is cleared after each run to keep polling it cheap). */
  const faults = new Map<string, number>();

  before(async () => {
    sim = await startSimulator({
      seed: SEED,
      scenario: {
        rules: [
          { name: 'lag', route: '*', fault: { type: 'latency', distribution: 'lognormal', medianMs: 30, sigma: 0.8, capMs: 250 } },
          {
            name: 'faulty provider',
            route: '*',
            probability: 0.5,
            fault: [
              { type: 'status-after-commit', status: 502 },
              { type: 'drop-after-commit' },
              { type: 'reset' },
              { type: 'hang' },
              { type: 'status-before-commit', status: 503 },
              // Processed after the host's 300 ms timeout gave up on it: the issuance lands while it is unknown.
              { type: 'late-commit', ms: LATE_COMMIT_MS },
            ],
          },
          // A refusal the airtime API documents as "nothing recorded": after a late commit, a re-send may meet it.
          {
            name: 'operator briefly down',
            route: 'airtime.issue',
            probability: 0.1,
            fault: { type: 'status-before-commit', status: 503, code: 'OPERATOR_UNAVAILABLE' },
          },
          { name: 'flaky airtime lookups', route: 'airtime.lookup', probability: 0.15, fault: { type: 'reset' } },
          {
            name: 'flaky gift-card lookups',
            route: 'giftcard.lookup',
            probability: 0.15,
            fault: { type: 'status-before-commit', status: 503 },
          },
        ],
      },
    });
    dir = mkdtempSync(join(tmpdir(), 'relaypoint-crash-'));
    configFile = writeConfig(dir, crashConfig(sim, join(dir, 'store.db')));
    host = await spawnHost(configFile);
    spare = warmHost();
  });

  after(async () => {
    spare?.discard();
    if (host) expect(await host.stop(5000), 'graceful exit code after the last run').to.equal(0);
    await sim?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    console.log(
      `      crash runs: ${RUNS} x ${BATCH} issuances, seed ${SEED}; final statuses and accepted-but-unanswered references recovered after the restart: ${JSON.stringify(tally)}`,
    );
  });

  for (let run = 1; run <= RUNS; run++) {
    it(`run ${run}: no reference is lost or issued twice`, async () => {
      const victim = host!;
      const batch: Sent[] = Array.from({ length: BATCH }, (_, i) => {
        const provider: Provider = i % 2 === 0 ? 'airtime' : 'giftcard';
        const reference = `crash-s${SEED}-r${run}-${i}`;
        return { reference, provider, body: bodyFor(reference, provider), first: null };
      });
      all.push(...batch);

      // Fire the batch, kill the host at a seeded moment, keep whatever answers came back before it died. Most kills wait
      // until the provider has seen k of the batch's requests (whatever the machine's speed, they land mid-issuance); some
      // are purely time-based and may come before anything was sent.
      const byArrival = random() < 0.8;
      const k = 1 + Math.floor(random() * BATCH);
      const jitter = Math.floor(random() * (byArrival ? 40 : MAX_KILL_DELAY_MS));
      const killAt = byArrival ? `after ${k} provider requests + ${jitter} ms` : `${jitter} ms after firing`;
      const answers = Promise.all(
        batch.map(async (s) => {
          s.first = await postJson(`${victim.url}/v1/issuances`, KEY, s.body);
        }),
      );
      const prefix = `${TENANT}:crash-s${SEED}-r${run}-`;
      const seen = () =>
        sim.journal
          .entries()
          .filter((j) => j.reference?.startsWith(prefix) && (j.route === 'airtime.issue' || j.route === 'giftcard.order')).length;
      const waitUntil = Date.now() + 5000;
      while (byArrival && seen() < k && Date.now() < waitUntil) await sleep(3);
      await sleep(jitter);
      await victim.kill();
      await answers;
      host = undefined;

      // Restart on the same store: recovery of orphaned in_flight rows runs before it listens.
      const t0 = Date.now();
      host = await spare!.start(configFile);
      spare = warmHost();
      const tStart = Date.now() - t0;
      const url = host.url;

      // References the dead host accepted (journal row) without answering: the cases crash recovery exists for.
      for (const s of batch.filter((b) => b.first === null)) {
        if ((await getJson(`${url}/v1/issuances/${encodeURIComponent(s.reference)}`, KEY)).status === 200)
          tally.recovered = (tally.recovered ?? 0) + 1;
      }

      // The client re-sends, with the same body, every request that got no answer.
      await Promise.all(
        batch
          .filter((s) => s.first === null)
          .map(async (s) => {
            const again = await postJson(`${url}/v1/issuances`, KEY, s.body);
            expect(again, `re-send of ${s.reference} after the restart`).not.to.equal(null);
            expect([200, 201, 202, 422, 503], `re-send of ${s.reference}: ${JSON.stringify(again?.body)}`).to.include(again!.status);
          }),
      );

      // Wait (bounded) for reconciliation; an issuance still open afterwards is acceptable if visible.
      const final = new Map<string, Record<string, unknown>>();
      const deadline = Date.now() + SETTLE_MS;
      for (;;) {
        for (const s of batch) {
          if (final.has(s.reference) && !OPEN.includes(String(final.get(s.reference)!.status))) continue;
          const got = await getJson(`${url}/v1/issuances/${encodeURIComponent(s.reference)}`, KEY);
          expect(got.status, `GET ${s.reference}: ${JSON.stringify(got.body)}`).to.equal(200);
          final.set(s.reference, got.body);
        }
        if ([...final.values()].every((r) => !OPEN.includes(String(r.status))) || Date.now() > deadline) break;
        await sleep(100);
      }

      if (process.env.RELAYPOINT_CRASH_VERBOSE)
        console.log(`      run ${run}: killed ${killAt}, restart ${tStart} ms, settled ${Date.now() - t0 - tStart} ms later`);
      for (const j of sim.journal.entries()) for (const f of j.fault.split(',')) faults.set(f, (faults.get(f) ?? 0) + 1);
      sim.journal.clear();
      for (const s of batch) {
        const record = final.get(s.reference)!;
        const status = String(record.status);
        tally[status] = (tally[status] ?? 0) + 1;
        expect(KNOWN, `${s.reference} status`).to.include(status);
        const entries = sim.ledger.entries({ provider: s.provider, reference: `${TENANT}:${s.reference}` });
        const what = `${s.reference} (${s.provider}, killed ${killAt}): host says ${status}; ledger ${JSON.stringify(entries.map((e) => e.status))}`;
        expect(entries.length, `at most one provider transaction for ${what}`).to.be.at.most(1);
        if (status === 'succeeded') {
          expect(entries.length, `a host success is in the ledger: ${what}`).to.equal(1);
          expect(entries[0].debited, what).to.equal(true);
          expect(record.transactionId, what).to.equal(entries[0].transactionId);
        }
        if (status === 'failed')
          expect(
            entries.filter((e) => e.debited),
            `a host failure issued nothing: ${what}`,
          ).to.have.length(0);
        if (s.first?.status === 201) expect(status, `answered 201 before the kill: ${what}`).to.equal('succeeded');
      }
    });
  }

  it('after every run, still at most one provider transaction per reference (late reconciler re-sends included)', async () => {
    // Let the last host finish whatever it still reconciles, and every late commit land, then look at the whole ledger once more.
    await sleep(LATE_COMMIT_MS + 500);
    expect(all.length).to.equal(RUNS * BATCH);
    const counts = new Map<string, number>();
    for (const e of sim.ledger.entries()) counts.set(`${e.provider}|${e.reference}`, (counts.get(`${e.provider}|${e.reference}`) ?? 0) + 1);
    const doubled = [...counts.entries()].filter(([, n]) => n > 1);
    expect(doubled, 'references issued more than once').to.deep.equal([]);
    // The scenario did hit the host with every fault kind (otherwise this test proves little).
    for (const kind of ['status-after-commit', 'drop-after-commit', 'reset', 'hang', 'latency', 'late-commit', 'status-before-commit']) {
      expect(faults.get(kind) ?? 0, `${kind} faults applied`).to.be.greaterThan(0);
    }
  });

  it('after every run and every late commit, what the last host says agrees with the ledger for every reference', async () => {
    // A run checks its references when they settle; a request the provider processed late may land after that. The
    // journal must never say failed for a reference the provider issued, nor succeeded for one it did not.
    const url = host!.url;
    const disagree: string[] = [];
    for (const s of all) {
      const got = await getJson(`${url}/v1/issuances/${encodeURIComponent(s.reference)}`, KEY);
      const status = String(got.body.status);
      const issued = sim.ledger.entries({ provider: s.provider, reference: `${TENANT}:${s.reference}` }).filter((e) => e.debited).length;
      if ((status === 'failed' && issued > 0) || (status === 'succeeded' && issued !== 1))
        disagree.push(`${s.reference}: host ${status}, ledger ${issued}`);
    }
    expect(disagree).to.deep.equal([]);
  });
});
