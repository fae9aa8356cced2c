import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { startSimulator, type Simulator } from '@relaypoint/simulator';
import { createTempPostgresDatabase, postgresAvailableOrAnnounce, type TempPostgres } from '@relaypoint/store/testing';
import type { HostConfig } from '../../src/index.js';
import { simulatorConnectors } from '../helpers/harness.js';
import { getJson, pluginPath, postJson, spawnHost, writeConfig, type HostProcess } from './hostProcess.js';

/*
 * Invariant 1 across instances: two host processes (the real CLI) share one
 * fresh PostgreSQL database; every reference is POSTed to both at the same
 * moment. The provider must see exactly one issuance per reference, and both
 * hosts must answer with the same record.
 *   RELAYPOINT_TWO_INSTANCE_COUNT  issuances (default 1000)
 *   RELAYPOINT_TWO_INSTANCE_CONCURRENCY  references in flight at once (default 64)
 */
const COUNT = Number(process.env.RELAYPOINT_TWO_INSTANCE_COUNT ?? 1000);
const CONCURRENCY = Number(process.env.RELAYPOINT_TWO_INSTANCE_CONCURRENCY ?? 64);
const TENANT = 'pair';
const KEY = 'pair-tenant-key-0123456789abcdef';
const TITLE = 'two host instances on one PostgreSQL';

function pairConfig(sim: Simulator, url: string): HostConfig {
  const resilience = { timeoutMs: 5000, retry: { maxAttempts: 2, initialDelayMs: 20, maxDelayMs: 100 } };
  return {
    server: { host: '127.0.0.1', port: 0, issuanceWaitMs: 10_000, shutdownGraceMs: 2000 },
    storage: { driver: 'postgres', url, poolSize: 16 },
    tenants: [{ id: TENANT, name: 'Pair', apiKeys: [KEY] }],
    connectors: simulatorConnectors(sim, { resilience, plugin: pluginPath }),
    reconciliation: { intervalMs: 200, maxIntervalMs: 1000, leaseMs: 10_000 },
    logging: { level: 'info' },
  } as HostConfig;
}

function bodyFor(i: number): { provider: 'airtime' | 'giftcard'; body: Record<string, unknown> } {
  const reference = `pair-${i}`;
  return i % 2 === 0
    ? {
        provider: 'airtime',
        body: {
          connector: 'airtime',
          productId: 'AIRTIME_5',
          customerId: 'cust-pair',
          phoneNumber: '+263771234567',
          amount: '5.00',
          currency: 'USD',
          reference,
        },
      }
    : {
        provider: 'giftcard',
        body: { connector: 'giftcard', productId: 'GC-AMAZON-USD', customerId: 'cust-pair', amount: '25.00', currency: 'USD', reference },
      };
}

/** The fields two answers for one issuance must agree on. */
function essence(r: Record<string, unknown>): unknown {
  return {
    id: r.id,
    reference: r.reference,
    status: r.status,
    transactionId: r.transactionId,
    voucher: r.voucher,
    amount: r.amount,
    connector: r.connector,
  };
}

if (postgresAvailableOrAnnounce(TITLE)) {
  describe(TITLE, function () {
    this.timeout(180_000);
    let pg: TempPostgres | undefined;
    let sim: Simulator;
    let dir: string;
    const hosts: HostProcess[] = [];

    before(async () => {
      pg = await createTempPostgresDatabase();
      // A few ms of provider latency widens the window in which both hosts race for one reference.
      sim = await startSimulator({
        seed: 11,
        scenario: { rules: [{ route: '*', fault: { type: 'latency', distribution: 'uniform', minMs: 2, maxMs: 15 } }] },
      });
      dir = mkdtempSync(join(tmpdir(), 'relaypoint-pair-'));
      const configFile = writeConfig(dir, pairConfig(sim, pg.url));
      // Both start together: migrations must also survive the race.
      hosts.push(...(await Promise.all([spawnHost(configFile), spawnHost(configFile)])));
    });

    after(async () => {
      const codes = await Promise.all(hosts.map((h) => h.stop(10_000)));
      await sim?.close();
      await pg?.drop();
      if (dir) rmSync(dir, { recursive: true, force: true });
      expect(codes, 'graceful exit codes').to.deep.equal(hosts.map(() => 0));
    });

    it(`issues each of ${COUNT} references once when every one is sent to both hosts at the same moment`, async () => {
      const statuses: Record<string, number> = {};
      const mismatches: string[] = [];
      let next = 0;
      const worker = async () => {
        for (let i = next++; i < COUNT; i = next++) {
          const { body } = bodyFor(i);
          const [a, b] = await Promise.all(hosts.map((h) => postJson(`${h.url}/v1/issuances`, KEY, body)));
          expect(a, `host A answered pair-${i}`).not.to.equal(null);
          expect(b, `host B answered pair-${i}`).not.to.equal(null);
          for (const r of [a!, b!]) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
          expect([a!.status, b!.status].sort(), `pair-${i}: ${JSON.stringify([a!.body, b!.body])}`).to.satisfy((s: number[]) =>
            s.every((x) => [200, 201, 202].includes(x)),
          );
          if (a!.body.id !== b!.body.id) mismatches.push(`pair-${i}: ${String(a!.body.id)} vs ${String(b!.body.id)}`);
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      expect(mismatches, 'both hosts answer with the same issuance').to.deep.equal([]);
      // Exactly one fresh issuance (201) per reference; the other host answered with it (200) or, still waiting, 202.
      expect(statuses[201] ?? 0, `answers by status ${JSON.stringify(statuses)}`).to.equal(COUNT);

      const doubled: string[] = [];
      const missing: string[] = [];
      for (let i = 0; i < COUNT; i++) {
        const n = sim.ledger.countByReference(bodyFor(i).provider, `${TENANT}:pair-${i}`);
        if (n > 1) doubled.push(`pair-${i}: ${n}`);
        if (n === 0) missing.push(`pair-${i}`);
      }
      expect(doubled, 'references issued more than once').to.deep.equal([]);
      expect(missing, 'references never issued').to.deep.equal([]);
      console.log(
        `      ${COUNT} references x 2 hosts: answers ${JSON.stringify(statuses)}, ledger ${sim.ledger.entries().length} transactions`,
      );
    });

    it('lists the same succeeded record for every reference on both hosts, and GET agrees', async () => {
      const listAll = async (h: HostProcess) => {
        const byRef = new Map<string, Record<string, unknown>>();
        let cursor: string | undefined;
        do {
          const page = await getJson(`${h.url}/v1/issuances?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, KEY);
          expect(page.status, JSON.stringify(page.body)).to.equal(200);
          for (const r of page.body.items as Array<Record<string, unknown>>) byRef.set(String(r.reference), r);
          cursor = page.body.nextCursor as string | undefined;
        } while (cursor);
        return byRef;
      };
      const [a, b] = await Promise.all(hosts.map(listAll));
      expect(a.size).to.equal(COUNT);
      expect(b.size).to.equal(COUNT);
      const differing: string[] = [];
      for (let i = 0; i < COUNT; i++) {
        const ra = a.get(`pair-${i}`)!;
        const rb = b.get(`pair-${i}`)!;
        expect(ra.status, `pair-${i}`).to.equal('succeeded');
        if (JSON.stringify(essence(ra)) !== JSON.stringify(essence(rb))) differing.push(`pair-${i}`);
      }
      expect(differing).to.deep.equal([]);
      // The provider's transaction is the one recorded, and GET by reference answers it on both hosts (a sample).
      for (const entry of sim.ledger.entries())
        expect(a.get(entry.reference.slice(TENANT.length + 1))?.transactionId, entry.reference).to.equal(entry.transactionId);
      for (let i = 0; i < COUNT; i += 50) {
        const got = await Promise.all(hosts.map((h) => getJson(`${h.url}/v1/issuances/pair-${i}`, KEY)));
        expect(got.map((g) => g.status)).to.deep.equal([200, 200]);
        expect(essence(got[0].body)).to.deep.equal(essence(a.get(`pair-${i}`)!));
        expect(essence(got[1].body)).to.deep.equal(essence(a.get(`pair-${i}`)!));
      }
    });
  });
}
