/**
 * Test support shared by the packages that need a real store: a fresh
 * PostgreSQL database per suite, a temporary SQLite file, and
 * `describeEachStore` which runs one suite on both engines.
 *
 * PostgreSQL comes from `RELAYPOINT_TEST_PG_URL` (`.ci/run` starts a server
 * and sets it). Under `CI=true` a suite that cannot reach it FAILS; outside
 * CI, with the variable unset, it prints one line and is not registered.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Database } from '../Database.js';
import { openDatabase } from '../openDatabase.js';

/** The PostgreSQL server tests use, from `RELAYPOINT_TEST_PG_URL`. */
export function postgresTestUrl(): string | undefined {
  return process.env.RELAYPOINT_TEST_PG_URL || undefined;
}

/** True under `CI=true`, where a missing PostgreSQL fails the suite. */
export function isCi(): boolean {
  return process.env.CI === 'true' || process.env.CI === '1';
}

const announced = new Set<string>();

/**
 * Whether PostgreSQL suites should be registered. Outside CI with no URL,
 * prints one line (once per title) and returns false.
 */
export function postgresAvailableOrAnnounce(title: string): boolean {
  if (postgresTestUrl()) return true;
  if (isCi()) return true; // registered, and fails in its `before` hook with a clear message
  if (!announced.has(title)) {
    announced.add(title);
    console.log(`[skip] ${title} on PostgreSQL: RELAYPOINT_TEST_PG_URL is not set (CI sets it; under CI=true this fails)`);
  }
  return false;
}

/** A throwaway database on the test server. */
export interface TempPostgres {
  /** Connection URL of the new database. */
  url: string;
  /** Drops the database (terminating leftover connections). */
  drop(): Promise<void>;
}

/** Creates an empty database `rp_test_<random>` on the test server; throws a clear error when unreachable. */
export async function createTempPostgresDatabase(baseUrl = postgresTestUrl()): Promise<TempPostgres> {
  if (!baseUrl) throw new Error('PostgreSQL is required here (CI=true) but RELAYPOINT_TEST_PG_URL is not set');
  const name = `rp_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  try {
    await admin.connect();
  } catch (e) {
    throw new Error(`PostgreSQL at RELAYPOINT_TEST_PG_URL is unreachable: ${(e as Error).message}`);
  }
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const u = new URL(baseUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: baseUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** A temporary SQLite file path and a cleanup function. */
export function tempSqlitePath(prefix = 'relaypoint-test-'): { path: string; dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { path: join(dir, 'store.db'), dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** What a suite registered by {@link describeEachStore} receives. */
export interface StoreTarget {
  /** `sqlite` or `postgres`. */
  readonly dialect: 'sqlite' | 'postgres';
  /** Opens a new connection to this suite's fresh store (several may be open at once, as several processes would). */
  open(): Promise<Database>;
  /** The store config for child processes (`{ driver, path }` or `{ driver, url }`). */
  config(): { driver: 'sqlite'; path: string; thread?: 'worker' } | { driver: 'postgres'; url: string };
}

/**
 * Registers `fn` twice, as `<title> [sqlite]` and `<title> [postgres]`, each
 * with a fresh empty store created in `before` and removed in `after`; with
 * `sqliteWorker`, a third time on SQLite with its connection on a worker thread.
 */
export function describeEachStore(title: string, fn: (target: StoreTarget) => void, options: { sqliteWorker?: boolean } = {}): void {
  const sqlite = (label: string, thread: 'main' | 'worker') =>
    describe(`${title} [${label}]`, function () {
      let tmp: ReturnType<typeof tempSqlitePath>;
      const target: StoreTarget = {
        dialect: 'sqlite',
        open: () => openDatabase({ driver: 'sqlite', path: tmp.path, thread }),
        config: () => ({ driver: 'sqlite', path: tmp.path, ...(thread === 'worker' ? { thread } : {}) }),
      };
      before(() => {
        tmp = tempSqlitePath();
      });
      after(() => tmp?.cleanup());
      fn(target);
    });
  sqlite('sqlite', 'main');
  if (options.sqliteWorker) sqlite('sqlite worker thread', 'worker');
  if (!postgresAvailableOrAnnounce(title)) return;
  describe(`${title} [postgres]`, function () {
    let temp: TempPostgres | undefined;
    const target: StoreTarget = {
      dialect: 'postgres',
      open: () => openDatabase({ driver: 'postgres', url: temp!.url }),
      config: () => ({ driver: 'postgres', url: temp!.url }),
    };
    before(async function () {
      this.timeout(30_000);
      temp = await createTempPostgresDatabase();
    });
    after(async () => {
      await temp?.drop();
    });
    fn(target);
  });
}
