import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Simulator } from '@relaypoint/simulator';
import type { HostConfig } from '../config.types.js';
import { loadOptional } from '../loadOptional.js';
import { startHost, type RunningHost } from '../startHost.js';
import { readDemoState, writeDemoState } from './demoState.js';

/** The demo simulator's port when none is kept from an earlier run (the simulator CLI's default too). */
const DEMO_SIMULATOR_PORT = 4010;

/**
 * Webhook subscriptions of the demo tenant that point at a simulator sink (an
 * earlier run's, on this or another port) are re-pointed at this simulator
 * and their secrets given to its sink, so they deliver, verified, after a
 * restart. Returns how many there were.
 */
async function reconnectDemoSinks(host: RunningHost, simulator: Simulator): Promise<number> {
  const rows = await host.db.query<{ id: string; url: string; secret: string }>(
    'SELECT id, url, secret FROM webhook_subscriptions WHERE tenant_id = $1 AND deleted_at IS NULL',
    ['demo'],
  );
  let n = 0;
  for (const row of rows) {
    const m = /^http:\/\/127\.0\.0\.1:(\d+)\/__sim\/sink\/([A-Za-z0-9._-]+)$/.exec(row.url);
    if (!m) continue;
    const url = `${simulator.url}/__sim/sink/${m[2]}`;
    if (url !== row.url) await host.webhooks.subscriptions.update('demo', row.id, { url });
    simulator.sinks.configure(m[2], { secret: row.secret });
    n += 1;
  }
  return n;
}

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Host port. Defaults to `$PORT`, else 8080. */
  port?: number;
  /** Folder for the demo's SQLite store. Defaults to `./.relaypoint` under the current directory. */
  dataDir?: string;
  /** Tenant key. Defaults to `$RELAYPOINT_DEMO_KEY`, else a generated one. */
  apiKey?: string;
  /** Where the instructions go. Defaults to stdout. */
  print?: (text: string) => void;
  /** Log level of the host. Defaults to `warn` so the instructions stay readable. */
  logLevel?: 'info' | 'warn' | 'error' | 'silent';
}

/** A running demo. */
export interface Demo {
  host: RunningHost;
  simulator: Simulator;
  apiKey: string;
  /** The printed instructions. */
  text: string;
  /** Stops both. */
  close(): Promise<void>;
}

// The connectors are dependencies of this package: resolve them from here, wherever the demo is started.
const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * What `npm start` runs: the simulator in-process on a free port, a host
 * on `PORT` with SQLite under `./.relaypoint/`, connectors `airtime`,
 * `giftcard`, `reloadly` and `tremendous` against the simulator's models, webhooks allowed to loopback only, a
 * `demo` tenant; then prints curl commands that work as printed.
 */
export async function runDemo(options: DemoOptions = {}): Promise<Demo> {
  const print = options.print ?? ((t: string) => process.stdout.write(t));
  // The simulator and the provider models are test harnesses: loaded only here, so a production install need not carry them.
  const { startSimulator } = await loadOptional<typeof import('@relaypoint/simulator')>('@relaypoint/simulator', 'the demo');
  const { reloadlyModel, reloadlyModelConfig } = await loadOptional<typeof import('@relaypoint/connector-reloadly/model')>(
    '@relaypoint/connector-reloadly/model',
    'the demo',
  );
  const { tremendousModel, tremendousModelConfig } = await loadOptional<typeof import('@relaypoint/connector-tremendous/model')>(
    '@relaypoint/connector-tremendous/model',
    'the demo',
  );
  const models = ['airtime', 'giftcard', reloadlyModel, tremendousModel] as const;
  const dataDir = options.dataDir ?? join(process.cwd(), '.relaypoint');
  const statePath = join(dataDir, 'demo.json');
  const saved = readDemoState(statePath);
  // A stable simulator address: the webhook subscriptions of an earlier run point at it.
  const wantedSimPort = saved.simulatorPort ?? DEMO_SIMULATOR_PORT;
  let simulator: Simulator;
  let simulatorMoved = false;
  try {
    simulator = await startSimulator({ port: wantedSimPort, models: [...models] });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
    simulator = await startSimulator({ models: [...models] });
    simulatorMoved = true;
  }
  const envKey = process.env.RELAYPOINT_DEMO_KEY;
  const fromEnv = envKey !== undefined && envKey.length >= 16;
  const apiKey = options.apiKey ?? (fromEnv ? envKey : (saved.apiKey ?? `rp_demo_${randomBytes(16).toString('hex')}`));
  const keyKept = options.apiKey === undefined && !fromEnv && saved.apiKey !== undefined;
  const port = options.port ?? (process.env.PORT ? Number(process.env.PORT) : 8080);
  const config: HostConfig = {
    server: { host: '127.0.0.1', port, issuanceWaitMs: 5000 },
    storage: { driver: 'sqlite', path: join(dataDir, 'demo.db') },
    tenants: [{ id: 'demo', name: 'Demo tenant', apiKeys: [apiKey] }],
    connectors: [
      {
        name: 'airtime',
        plugin: '@relaypoint/connector-airtime',
        config: { baseUrl: `${simulator.url}/airtime`, apiKey: 'sim-airtime-key', secret: 'sim-airtime-secret' },
      },
      {
        name: 'giftcard',
        plugin: '@relaypoint/connector-giftcard',
        config: { baseUrl: `${simulator.url}/giftcard`, apiKey: 'sim-giftcard-key' },
      },
      { name: 'reloadly', plugin: '@relaypoint/connector-reloadly', config: reloadlyModelConfig(`${simulator.url}/reloadly`) },
      { name: 'tremendous', plugin: '@relaypoint/connector-tremendous', config: tremendousModelConfig(`${simulator.url}/tremendous`) },
    ],
    webhooks: { retrySchedule: [0, 1000, 5000, 30000], ssrf: { allow: ['127.0.0.0/8', '::1/128'], allowHttp: true } },
    reconciliation: { intervalMs: 1000 },
    logging: { level: options.logLevel ?? 'warn' },
  };
  let host: RunningHost;
  try {
    host = await startHost(config, { configDir: packageDir });
  } catch (e) {
    await simulator.close();
    throw e;
  }
  let sinks: number;
  try {
    sinks = await reconnectDemoSinks(host, simulator);
    writeDemoState(statePath, {
      ...(options.apiKey === undefined && !fromEnv ? { apiKey } : saved.apiKey ? { apiKey: saved.apiKey } : {}),
      simulatorPort: Number(new URL(simulator.url).port),
    });
  } catch (e) {
    await host.close();
    await simulator.close();
    throw e;
  }
  const h = host.url;
  const sink = `${simulator.url}/__sim/sink/demo`;
  const auth = `-H "Authorization: Bearer ${apiKey}"`;
  const jsonH = `-H "Content-Type: application/json"`;
  const ref = Date.now().toString(36);
  const text = `
Relaypoint demo
  host       ${h}   (SQLite at ${config.storage.driver === 'sqlite' ? config.storage.path : ''})
  simulator  ${simulator.url}   (airtime at /airtime, gift cards at /giftcard, Reloadly's API at /reloadly, Tremendous's at /tremendous)
  tenant     demo, API key ${apiKey}${options.apiKey !== undefined ? '' : fromEnv ? ' (from RELAYPOINT_DEMO_KEY)' : keyKept ? ` (the same as the last run: kept in ${statePath})` : ` (generated and kept in ${statePath} for the next run; set RELAYPOINT_DEMO_KEY to choose it)`}${
    simulatorMoved
      ? `\n  NOTE       the simulator's port ${wantedSimPort} of the last run is in use, so it runs on ${new URL(simulator.url).port}: the commands below use the new port`
      : ''
  }${sinks > 0 ? `\n  webhooks   ${sinks} subscription${sinks === 1 ? '' : 's'} of an earlier run to the simulator's sink ${simulatorMoved ? 're-pointed to this simulator, ' : ''}with ${sinks === 1 ? 'its secret' : 'their secrets'} given to the sink again` : ''}
  webhooks   allowed to loopback addresses only (127.0.0.0/8, ::1), http allowed: this is a local demo
  consoles   ${h}/console (sign in with the API key above) and ${simulator.url}/__sim/console (the simulator's journal, ledger and scenarios)

1. Subscribe the simulator's webhook sink to reward.issued, and give the sink the signing secret so it can verify:
   SECRET=$(curl -s -X POST ${h}/v1/webhooks ${auth} ${jsonH} -d '{"url":"${sink}","events":["reward.issued"],"description":"demo sink"}' | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).secret))')
   curl -s -w '\\n' -X PUT ${simulator.url}/__sim/sink/demo ${jsonH} -d "{\\"secret\\":\\"$SECRET\\"}"

2. Issue airtime (201 when the provider confirms):
   curl -s -w '\\n' -X POST ${h}/v1/issuances ${auth} ${jsonH} -d '{"connector":"airtime","productId":"AIRTIME_5","customerId":"cust-1","phoneNumber":"+263771234567","amount":"5.00","currency":"USD","reference":"demo-air-${ref}"}'

3. Issue a gift card:
   curl -s -w '\\n' -X POST ${h}/v1/issuances ${auth} ${jsonH} -d '{"connector":"giftcard","productId":"GC-AMAZON-USD","customerId":"cust-1","amount":"25.00","currency":"USD","reference":"demo-gc-${ref}"}'

4. Top up through the Reloadly plugin (the simulator's model of Reloadly's airtime API):
   curl -s -w '\\n' -X POST ${h}/v1/issuances ${auth} ${jsonH} -d '{"connector":"reloadly","productId":"341","customerId":"cust-1","phoneNumber":"+2348031234567","amount":"500.00","currency":"NGN","reference":"demo-rl-${ref}"}'

5. Order a reward through the Tremendous plugin (the simulator's model of Tremendous's API):
   curl -s -w '\\n' -X POST ${h}/v1/issuances ${auth} ${jsonH} -d '{"connector":"tremendous","productId":"OKMHM2X2OHYV","customerId":"cust-1","amount":"25.00","currency":"USD","reference":"demo-tr-${ref}"}'

6. See the signed deliveries the sink received ("verified": true):
   curl -s -w '\\n' ${sink}

More: curl -s ${h}/v1/issuances ${auth}   |   curl -s ${h}/v1/connectors ${auth}   |   curl -s ${h}/metrics   |   curl -s ${h}/openapi.json
Stop with Ctrl-C.
`;
  print(text);
  return {
    host,
    simulator,
    apiKey,
    text,
    async close() {
      await host.close();
      await simulator.close();
    },
  };
}
