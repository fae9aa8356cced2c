import { Writable } from 'node:stream';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulator, type Simulator } from '@relaypoint/simulator';
import { tempSqlitePath, type StoreTarget } from '@relaypoint/store/testing';
import { startHost, type HostConfig, type RunningHost } from '../../src/index.js';

/** The host package folder: plugins resolve from here (they are its dependencies). */
export const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const fixturesDir = join(packageDir, 'test', 'fixtures');

export const TENANT_A_KEY = 'tenant-a-key-0123456789abcdef';
export const TENANT_A_KEY2 = 'tenant-a-second-key-0123456789';
export const TENANT_B_KEY = 'tenant-b-key-fedcba9876543210';
export const ADMIN_KEY = 'admin-key-0123456789abcdef0000';

/** Collects every log line a host writes. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    for (const l of String(chunk).split('\n')) if (l) this.lines.push(l);
    cb();
  }
  get text(): string {
    return this.lines.join('\n');
  }
  json(): Array<Record<string, unknown>> {
    return this.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}

/**
 * The `airtime` and `giftcard` connectors against a running simulator, with
 * its sample credentials. `plugin` maps a package name to what the config
 * names (default: the name itself); `resilience`, when given, goes on both.
 */
export function simulatorConnectors(
  sim: Simulator,
  options: { resilience?: object; plugin?: (pkg: string) => string } = {},
): HostConfig['connectors'] {
  const plugin = options.plugin ?? ((pkg: string) => pkg);
  const resilience = options.resilience === undefined ? {} : { resilience: options.resilience };
  return [
    {
      name: 'airtime',
      plugin: plugin('@relaypoint/connector-airtime'),
      config: { baseUrl: `${sim.url}/airtime`, apiKey: 'sim-airtime-key', secret: 'sim-airtime-secret' },
      ...resilience,
    },
    {
      name: 'giftcard',
      plugin: plugin('@relaypoint/connector-giftcard'),
      config: { baseUrl: `${sim.url}/giftcard`, apiKey: 'sim-giftcard-key' },
      ...resilience,
    },
  ] as HostConfig['connectors'];
}

/** A config against a running simulator: tenants a and b, an admin key, connectors airtime and giftcard. */
export function baseConfig(sim: Simulator, storage: HostConfig['storage'], patch: Partial<HostConfig> = {}): HostConfig {
  return {
    server: { host: '127.0.0.1', port: 0, issuanceWaitMs: 3000, shutdownGraceMs: 2000 },
    storage,
    tenants: [
      { id: 'tenant-a', name: 'Tenant A', apiKeys: [TENANT_A_KEY, TENANT_A_KEY2] },
      { id: 'tenant-b', name: 'Tenant B', apiKeys: [TENANT_B_KEY] },
    ],
    admin: { apiKey: ADMIN_KEY },
    connectors: simulatorConnectors(sim, {
      resilience: {
        timeoutMs: 2000,
        retry: { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 100 },
        reconcile: { attempts: 2, delayMs: 50 },
      },
    }),
    webhooks: { retrySchedule: [0, 200, 500], requestTimeoutMs: 2000, ssrf: { allow: ['127.0.0.0/8', '::1/128'], allowHttp: true } },
    reconciliation: { intervalMs: 200, maxIntervalMs: 1000, maxAgeMs: 3_600_000, leaseMs: 10_000 },
    logging: { level: 'info' },
    ...patch,
  } as HostConfig;
}

/** A parsed JSON answer, loosely typed for assertions (`body.items[0].status`). */
export type J = { readonly [key: string]: J };

/** A simulator and a host over a store; `close()` stops both. */
export interface TestEnv {
  sim: Simulator;
  host: RunningHost;
  logs: LogCapture;
  url: string;
  /** fetch with a tenant's key (JSON body when given). */
  call(
    method: string,
    path: string,
    options?: { key?: string | null; body?: unknown; raw?: string; headers?: Record<string, string> },
  ): Promise<{ status: number; headers: Headers; body: J; text: string }>;
  close(): Promise<void>;
}

/** Storage for a test: a store target's config (describeEachStore) or a fresh SQLite file. */
export function storageOf(target?: StoreTarget): { storage: HostConfig['storage']; cleanup(): void } {
  if (target) return { storage: target.config() as HostConfig['storage'], cleanup: () => undefined };
  const tmp = tempSqlitePath('relaypoint-host-');
  return { storage: { driver: 'sqlite', path: tmp.path }, cleanup: tmp.cleanup };
}

/** Starts a simulator and a host (SQLite unless a target is given). */
export async function startEnv(
  options: { target?: StoreTarget; patch?: (sim: Simulator) => Partial<HostConfig>; sim?: Simulator } = {},
): Promise<TestEnv> {
  const sim = options.sim ?? (await startSimulator({ seed: 7 }));
  const { storage, cleanup } = storageOf(options.target);
  const logs = new LogCapture();
  const host = await startHost(baseConfig(sim, storage, options.patch?.(sim) ?? {}), { configDir: packageDir, logDestination: logs });
  return {
    sim,
    host,
    logs,
    url: host.url,
    async call(method, path, o = {}) {
      const headers: Record<string, string> = { ...(o.headers ?? {}) };
      const key = o.key === undefined ? TENANT_A_KEY : o.key;
      if (key) headers.authorization = `Bearer ${key}`;
      let body: string | undefined;
      if (o.raw !== undefined) body = o.raw;
      else if (o.body !== undefined) {
        body = JSON.stringify(o.body);
        headers['content-type'] ??= 'application/json';
      }
      const res = await fetch(`${host.url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      return { status: res.status, headers: res.headers, body: (parsed ?? {}) as J, text };
    },
    async close() {
      await host.close();
      if (!options.sim) await sim.close();
      cleanup();
    },
  };
}

let counter = 0;
/** A unique reference per call. */
export function ref(prefix = 'ref'): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}`;
}

/** An airtime issuance body. */
export function airtime(reference: string, patch: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    connector: 'airtime',
    productId: 'AIRTIME_5',
    customerId: 'cust-1',
    phoneNumber: '+263771234567',
    amount: '5.00',
    currency: 'USD',
    reference,
    ...patch,
  };
}

/** A gift-card issuance body. */
export function giftcard(reference: string, patch: Record<string, unknown> = {}): Record<string, unknown> {
  return { connector: 'giftcard', productId: 'GC-AMAZON-USD', customerId: 'cust-1', amount: '25.00', currency: 'USD', reference, ...patch };
}

/** Polls `fn` until it returns a truthy value (real time, bounded). */
export async function waitFor<T>(
  fn: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as T;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
