import { createHmac } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHost, type HostConfig, type RunningHost } from '@relaypoint/host';
import { startSimulator, type Simulator } from '@relaypoint/simulator';
import { tempSqlitePath } from '@relaypoint/store/testing';

export const TENANT_A_KEY = 'console-tenant-a-key-0123456789';
export const TENANT_B_KEY = 'console-tenant-b-key-9876543210';
export const ADMIN_KEY = 'console-admin-key-00112233445566';

/** docs/images at the repository root, where the screenshots go. */
export const imagesDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', '..', 'docs', 'images');

/** A simulator and a host (SQLite file) with tenants a and b, an admin key, both connectors, webhooks allowed to loopback with one attempt each. */
export interface ConsoleEnv {
  sim: Simulator;
  host: RunningHost;
  /** A `/v1` call with a key. */
  api(method: string, path: string, key: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

export async function startConsoleEnv(patch: Partial<HostConfig> = {}): Promise<ConsoleEnv> {
  const sim = await startSimulator({ seed: 24 });
  const db = tempSqlitePath('relaypoint-console-');
  const config = {
    server: { host: '127.0.0.1', port: 0, issuanceWaitMs: 3000, shutdownGraceMs: 1000 },
    storage: { driver: 'sqlite', path: db.path },
    tenants: [
      { id: 'tenant-a', name: 'Tenant A', apiKeys: [TENANT_A_KEY] },
      { id: 'tenant-b', name: 'Tenant B', apiKeys: [TENANT_B_KEY] },
    ],
    admin: { apiKey: ADMIN_KEY },
    connectors: [
      {
        name: 'airtime',
        plugin: '@relaypoint/connector-airtime',
        config: { baseUrl: `${sim.url}/airtime`, apiKey: 'sim-airtime-key', secret: 'sim-airtime-secret' },
      },
      {
        name: 'giftcard',
        plugin: '@relaypoint/connector-giftcard',
        config: { baseUrl: `${sim.url}/giftcard`, apiKey: 'sim-giftcard-key' },
      },
    ],
    // One attempt: a refused delivery is `failed` at once, for the retry test.
    webhooks: { retrySchedule: [0], requestTimeoutMs: 2000, ssrf: { allow: ['127.0.0.0/8'], allowHttp: true } },
    reconciliation: { intervalMs: 200, maxIntervalMs: 1000 },
    logging: { level: 'error' },
    ...patch,
  } as HostConfig;
  const host = await startHost(config);
  return {
    sim,
    host,
    async api(method, path, key, body) {
      const res = await fetch(`${host.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
    },
    async close() {
      await host.close();
      await sim.close();
      db.cleanup();
    },
  };
}

/** A signed airtime issue request straight to the simulator, as a provider client sends it. */
export async function airtimeIssue(sim: Simulator, reference: string): Promise<number> {
  const body = JSON.stringify({ product_id: 'AIRTIME_5', phone_number: '+15550001234', amount: '5.00', currency: 'USD', reference });
  const res = await fetch(`${sim.url}/airtime/issue`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-api-key': 'sim-airtime-key',
      'x-signature': createHmac('sha256', 'sim-airtime-secret').update(body).digest('hex'),
    },
    body,
  });
  await res.arrayBuffer();
  return res.status;
}

/** Makes docs/images if needed. */
export function ensureImagesDir(): string {
  mkdirSync(imagesDir, { recursive: true });
  return imagesDir;
}
