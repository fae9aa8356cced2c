import { expect } from 'chai';
import { startSimulator, type Simulator } from '@relaypoint/simulator';
import { describeEachStore } from '@relaypoint/store/testing';
import { FaultProxy } from '../helpers/FaultProxy.js';
import { airtime, ref, startEnv, type J, type TestEnv } from '../helpers/harness.js';

/** reconciliation.intervalMs. The bound below is 2 × this after the breaker closes; the machine running the test is shared. */
const INTERVAL_MS = 1500;
/** How long the proxy loses the provider's answers (`BLIP_BURST_MS` to measure other lengths). */
const BURST_MS = Number(process.env.BLIP_BURST_MS ?? 3000);
const ISSUANCES = Number(process.env.BLIP_ISSUANCES ?? 40);
const CONCURRENCY = 8;
/** Per-attempt timeout: a hung answer costs this much; generous, so a busy test machine does not open the breaker by itself. */
const TIMEOUT_MS = 2500;

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * After a short provider blip (answers lost after the provider committed,
 * long enough to open the breaker), issuances that arrived while the breaker
 * was open had never reached the provider, yet each sat `unknown` for about
 * `maxIntervalMs` before its first re-send: every check made while the
 * breaker was open (the waiting request's as much as the reconciler's) asked
 * nobody, yet counted toward the row's backoff. Here the proxy between host
 * and simulator is the test's own, and the never-sent issuances must be
 * terminal within 2 × `reconciliation.intervalMs` of the breaker closing,
 * while clients keep polling and repeating their POSTs.
 */
describeEachStore('regression: issuances that never reached the provider wait minutes after a blip', (target) =>
  describe('a burst of lost answers that opens the breaker, then a healthy provider', function () {
    this.timeout(90_000);
    let sim: Simulator;
    let proxy: FaultProxy;
    let env: TestEnv;
    before(async () => {
      sim = await startSimulator({ seed: 23 });
      // Every answer of the provider is lost during the burst (issues after they commit, lookups too): the breaker can
      // then close only once the provider is healthy again, as in the outage this reproduces.
      proxy = await FaultProxy.start(sim.url, (_method, path) => path.startsWith('/airtime/'));
      env = await startEnv({
        target,
        sim,
        patch: () => ({
          server: { host: '127.0.0.1', port: 0, issuanceWaitMs: 1000, shutdownGraceMs: 2000 },
          connectors: [
            {
              name: 'airtime',
              plugin: '@relaypoint/connector-airtime',
              config: { baseUrl: `${proxy.url}/airtime`, apiKey: 'sim-airtime-key', secret: 'sim-airtime-secret' },
              resilience: {
                timeoutMs: TIMEOUT_MS,
                retry: { maxAttempts: 2, initialDelayMs: 20, maxDelayMs: 50, maxRetryAfterMs: 1000 },
                breaker: { failureThreshold: 3, halfOpenAfterMs: 800 },
                reconcile: { attempts: 1, delayMs: 50 },
              },
            },
          ] as never,
          // A long maxIntervalMs: an issuance that waits for its backoff instead of the breaker shows at once.
          reconciliation: { intervalMs: INTERVAL_MS, maxIntervalMs: 120_000, maxAgeMs: 3_600_000, leaseMs: 5000 },
        }),
      });
    });
    after(async () => {
      await env?.close();
      await proxy?.close();
      await sim?.close();
    });

    it('issues each reference at most once, loses nothing, and resolves the never-sent ones as soon as the breaker closes', async () => {
      const breaker = env.host.connectors.get('airtime')!.resilient.breaker;
      const transitions: Array<{ state: string; at: number }> = [];
      const listener = breaker.onStateChange((state) => transitions.push({ state, at: Date.now() }));
      const references = Array.from({ length: ISSUANCES }, () => ref('blip'));
      const final = new Map<string, J>();
      const started = Date.now();
      proxy.startBurst(BURST_MS);
      // A refusal answers with a problem document that carries the issuance.
      const recordOf = (answer: { status: number; body: J }) =>
        answer.status >= 400 && answer.body.issuance ? answer.body.issuance : answer.body;
      const open = (body: J | undefined) => !body || ['in_flight', 'pending', 'unknown'].includes(String(body.status));
      // Clients POST each issuance once (8 at a time; a 202 after issuanceWaitMs lets them go on to the next), while
      // others keep asking about the open ones: half by repeating the POST, half by polling GET. Neither may delay them.
      let next = 0;
      const issuer = async () => {
        for (let i = next++; i < references.length; i = next++) {
          const reference = references[i];
          final.set(reference, recordOf(await env.call('POST', '/v1/issuances', { body: airtime(reference) })));
        }
      };
      const poller = async (slice: number) => {
        while (Date.now() - started < 60_000) {
          const mine = references.filter((_reference, i) => i % 4 === slice);
          // Done once every issuance of this slice has been answered (not only sent) and is terminal.
          if (mine.every((reference) => final.has(reference) && !open(final.get(reference)))) return;
          for (const reference of mine.filter((r) => final.has(r) && open(final.get(r)))) {
            const answer =
              slice % 2 === 0
                ? await env.call('POST', '/v1/issuances', { body: airtime(reference) })
                : await env.call('GET', `/v1/issuances/${reference}`);
            final.set(reference, recordOf(answer));
          }
          await new Promise((r) => setTimeout(r, 300));
        }
      };
      await Promise.all([...Array.from({ length: CONCURRENCY }, issuer), ...[0, 1, 2, 3].map(poller)]);
      listener.dispose();

      // Every issuance terminal; the money checks against the provider's ledger.
      for (const reference of references) {
        const record = final.get(reference)!;
        const sent = `tenant-a:${reference}`;
        const entries = sim.ledger.entries({ provider: 'airtime', reference: sent });
        expect(record.status, `${reference}: ${JSON.stringify(record)}`).to.be.oneOf(['succeeded', 'failed']);
        expect(sim.ledger.countByReference('airtime', sent), `${reference} issued twice`).to.be.at.most(1);
        if (record.status === ('succeeded' as unknown))
          expect(
            entries.filter((e) => e.debited),
            `${reference} succeeded without a ledger entry`,
          ).to.have.length(1);
        else
          expect(
            entries.filter((e) => e.debited),
            `${reference} failed but the ledger holds it`,
          ).to.deep.equal([]);
      }

      // The blip was real: answers were lost, the breaker opened, and some issuances never reached the provider.
      const lost = proxy.seen.filter((r) => r.lost);
      expect(lost.length, 'answers lost by the proxy').to.be.greaterThan(0);
      expect(
        transitions.some((t) => t.state === 'open'),
        'the breaker opened',
      ).to.equal(true);
      const closes = transitions.filter((t) => t.state === 'closed');
      expect(closes.length, 'the breaker closed again').to.be.greaterThan(0);
      const closedAt = closes[closes.length - 1].at;
      const firstSendAt = (reference: string) =>
        proxy.seen.find((r) => r.method === 'POST' && r.path.startsWith('/airtime/issue') && r.reference === `tenant-a:${reference}`)?.at ??
        Infinity;
      // Accepted before the breaker closed, yet not one send of them had reached the provider by then.
      const neverSent = references.filter(
        (reference) => Date.parse(String(final.get(reference)!.createdAt)) < closedAt && firstSendAt(reference) >= closedAt,
      );
      expect(neverSent.length, 'issuances that had not reached the provider when the breaker closed').to.be.greaterThan(0);
      if (process.env.BLIP_DEBUG) {
        for (const reference of neverSent) {
          const record = final.get(reference)!;
          const calls = proxy.seen
            .filter((e) => e.reference === `tenant-a:${reference}` || e.path.includes(`tenant-a:${reference}`))
            .map((e) => `${e.method[0]}@${e.at - closedAt}${e.lost ? 'L' : ''}+${(e.answeredAt ?? NaN) - e.at}`);
          console.log(
            reference,
            record.status,
            record.sends,
            record.checks,
            Date.parse(String(record.createdAt)) - closedAt,
            Date.parse(String(record.completedAt)) - closedAt,
            record.error?.code,
            calls.join(' '),
          );
        }
        for (const r of proxy.seen.filter(
          (e) => e.at > started + BURST_MS && (e.status === undefined || e.status >= 500 || e.answeredAt! - e.at > 500),
        ))
          console.log('slow/failed after burst', r.method, r.path, r.at - started, r.status, (r.answeredAt ?? NaN) - r.at);
        console.log(transitions.map((t) => `${t.state}@${t.at - started}`).join(' '), 'closedAt', closedAt - started);
      }
      const late = neverSent
        .map((reference) => ({ reference, afterCloseMs: Date.parse(String(final.get(reference)!.completedAt)) - closedAt }))
        .filter((r) => r.afterCloseMs > 2 * INTERVAL_MS);
      expect(late, `never-sent issuances terminal more than 2 × intervalMs (${2 * INTERVAL_MS} ms) after the breaker closed`).to.deep.equal(
        [],
      );

      // And every issuance, sent or not, within seconds of the recovery, not after a backoff of minutes: at most the
      // longest provider call (two attempts) and a few reconciler periods.
      const lastTerminal = Math.max(...references.map((reference) => Date.parse(String(final.get(reference)!.completedAt))));
      const recovered = Math.max(closedAt, started + BURST_MS);
      expect(lastTerminal - recovered, 'ms from recovery to the last terminal issuance').to.be.at.most(2 * TIMEOUT_MS + 4 * INTERVAL_MS);

      const toTerminal = references
        .map((reference) => Date.parse(String(final.get(reference)!.completedAt)) - Date.parse(String(final.get(reference)!.createdAt)))
        .sort((a, b) => a - b);
      const neverSentTimes = neverSent
        .map((reference) => Date.parse(String(final.get(reference)!.completedAt)) - Date.parse(String(final.get(reference)!.createdAt)))
        .sort((a, b) => a - b);
      console.log(
        `    [${target.dialect}] burst ${BURST_MS} ms, ${ISSUANCES} issuances (${CONCURRENCY} at a time), ${lost.length} answers lost, ${neverSent.length} never sent before the breaker closed ` +
          `(${closedAt - started} ms after the burst began); time to terminal p50 ${percentile(toTerminal, 50)} ms, p99 ${percentile(toTerminal, 99)} ms, max ${toTerminal[toTerminal.length - 1]} ms; ` +
          `never-sent p50 ${percentile(neverSentTimes, 50)} ms, max ${neverSentTimes[neverSentTimes.length - 1]} ms; last terminal ${lastTerminal - started} ms after the burst began`,
      );
    });
  }),
);
