import { expect } from 'chai';
import { join } from 'node:path';
import { ConfigError } from '@relaypoint/core';
import { configSecrets, redactHostConfig, resolveHostConfig } from '../src/index.js';
import { ADMIN_KEY, TENANT_A_KEY, fixturesDir, packageDir } from './helpers/harness.js';

function config(patch: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    storage: { driver: 'sqlite', path: 'data/relaypoint.db' },
    tenants: [{ id: 'tenant-a', apiKeys: [TENANT_A_KEY] }],
    admin: { apiKey: ADMIN_KEY },
    connectors: [
      {
        name: 'airtime',
        plugin: '@relaypoint/connector-airtime',
        config: { baseUrl: 'http://127.0.0.1:1/airtime', apiKey: 'provider-airtime-key', secret: 'provider-airtime-secret' },
      },
      {
        name: 'giftcard',
        plugin: '@relaypoint/connector-giftcard',
        config: { baseUrl: 'http://127.0.0.1:1/giftcard', apiKey: 'provider-giftcard-key' },
      },
    ],
    ...patch,
  };
}

async function problems(raw: unknown, env: NodeJS.ProcessEnv = {}): Promise<string[]> {
  try {
    await resolveHostConfig(raw, { dir: packageDir, env });
  } catch (e) {
    expect(e).to.be.instanceOf(ConfigError);
    return (e as ConfigError).errors;
  }
  throw new Error('expected a ConfigError');
}

describe('resolveHostConfig', () => {
  it('resolves a valid config: defaults filled in, plugins loaded, relative SQLite path from the config folder', async () => {
    const r = await resolveHostConfig(config(), { dir: packageDir, env: {} });
    expect(r.config.server).to.deep.include({ host: '127.0.0.1', port: 8080, bodyLimit: '100kb', issuanceWaitMs: 5000 });
    expect(r.config.reconciliation).to.deep.include({ intervalMs: 5000, maxAgeMs: 3_600_000 });
    expect(r.config.storage).to.deep.include({ driver: 'sqlite', path: join(packageDir, 'data/relaypoint.db') });
    expect(r.connectors.map((c) => [c.name, c.discovered.plugin.id])).to.deep.equal([
      ['airtime', 'airtime'],
      ['giftcard', 'giftcard'],
    ]);
  });

  it('allows two instances of one plugin under different names', async () => {
    const c = config();
    (c.connectors as unknown[]).push({
      name: 'airtime-eu',
      plugin: '@relaypoint/connector-airtime',
      config: { baseUrl: 'http://127.0.0.1:2/airtime', apiKey: 'k2', secret: 's2' },
    });
    const r = await resolveHostConfig(c, { dir: packageDir, env: {} });
    expect(r.connectors.map((x) => x.name)).to.deep.equal(['airtime', 'giftcard', 'airtime-eu']);
  });

  it('reports a config with three mistakes as exactly three path lines', async () => {
    const c = config({ server: { port: 'eighty' }, tenants: [{ id: 'tenant-a', apiKeys: ['short'] }] });
    delete ((c.connectors as Array<{ config: Record<string, unknown> }>)[0].config as Record<string, unknown>).apiKey;
    const lines = await problems(c);
    expect(lines).to.have.length(3);
    expect(lines.some((l) => l.startsWith('server.port: '))).to.equal(true);
    expect(lines.some((l) => l.startsWith('tenants[0].apiKeys[0]: '))).to.equal(true);
    expect(lines).to.include('connectors[0].config.apiKey: is required');
  });

  it('names plugin problems by path: missing package, not a plugin, core mismatch, duplicate name, plugin config', async () => {
    const lines = await problems(
      config({
        connectors: [
          { name: 'a', plugin: '@nope/missing-plugin' },
          { name: 'b', plugin: join(fixturesDir, 'not-a-plugin') },
          { name: 'c', plugin: join(fixturesDir, 'core-mismatch') },
          { name: 'a', plugin: '@relaypoint/connector-giftcard', config: { baseUrl: 'not a uri', apiKey: 'k' } },
        ],
      }),
    );
    expect(lines.find((l) => l.startsWith('connectors[0].plugin: ')))
      .to.include('cannot find package "@nope/missing-plugin"; looked in ')
      .and.to.include(packageDir);
    expect(lines.find((l) => l.startsWith('connectors[1].plugin: '))).to.match(/not a Relaypoint plugin/);
    const mismatch = lines.find((l) => l.startsWith('connectors[2].plugin: '));
    expect(mismatch).to.include('^99.0.0').and.to.include('0.1.0');
    expect(lines.find((l) => l.startsWith('connectors[3].name: '))).to.match(/duplicate connector name "a"/);
    expect(lines).to.include('connectors[3].config.baseUrl: must be a URI');
    expect(lines).to.have.length(5);
  });

  it('reports storage mistakes once, for the driver given', async () => {
    expect(await problems(config({ storage: { driver: 'sqlite' } }))).to.deep.equal(['storage.path: is required']);
    const wrong = await problems(config({ storage: { driver: 'mysql', url: 'x' } }));
    expect(wrong).to.have.length(1);
    expect(wrong[0]).to.match(/^storage\.driver: /);
  });

  it('checks connector resilience options against core schema', async () => {
    const c = config();
    (c.connectors as Array<Record<string, unknown>>)[0].resilience = { retry: { maxAttempts: 'lots' } };
    const lines = await problems(c);
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(/^connectors\[0\]\.resilience\.retry\.maxAttempts: /);
  });

  it("keeps the plugin config's resilience options the host entry leaves out, and lets the entry's win, section by section", async () => {
    const c = config();
    const airtime = (c.connectors as Array<Record<string, Record<string, unknown>>>)[0];
    airtime.config.resilience = { timeoutMs: 3000, retry: { maxAttempts: 5 }, bulkhead: { maxConcurrent: 4 } };
    airtime.resilience = { retry: { initialDelayMs: 50 }, bulkhead: { maxConcurrent: 8 } };
    const r = await resolveHostConfig(c, { dir: packageDir, env: {} });
    const resilience = r.connectors[0].resilience;
    // Before, defaults filled into the host entry (timeoutMs 10000, maxAttempts 3) silently replaced the plugin's.
    expect(resilience.timeoutMs).to.equal(3000);
    expect(resilience.retry).to.include({ maxAttempts: 5, initialDelayMs: 50 });
    expect(resilience.bulkhead).to.include({ maxConcurrent: 8 });
    // Left out everywhere: core's defaults apply when the connector is built, not here.
    const plain = await resolveHostConfig(config(), { dir: packageDir, env: {} });
    expect(plain.connectors[0].resilience).to.deep.equal({});
  });

  it('interpolates ${VAR} and names the path of a missing variable', async () => {
    const c = config({ admin: { apiKey: '${ADMIN_KEY_ENV}' } });
    const r = await resolveHostConfig(c, { dir: packageDir, env: { ADMIN_KEY_ENV: 'admin-from-env-0123456789' } });
    expect(r.config.admin?.apiKey).to.equal('admin-from-env-0123456789');
    const lines = await problems(c, {});
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(/^admin\.apiKey: .*ADMIN_KEY_ENV/);
  });

  it('reports an unset variable together with every other mistake, not alone', async () => {
    const c = config({ server: { port: 99999 }, storage: { driver: 'sqlite', path: '${DB_PATH_ENV}' } });
    (c.connectors as Array<Record<string, unknown>>)[1].plugin = 'no-such-plugin-package';
    let error: ConfigError | undefined;
    try {
      await resolveHostConfig(c, { dir: packageDir, env: {} });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).to.be.instanceOf(ConfigError);
    expect(error?.code).to.equal('CONFIG_ENV_MISSING');
    const lines = error?.errors ?? [];
    expect(lines[0]).to.equal('storage.path: environment variable DB_PATH_ENV is not set');
    expect(lines.some((l) => l.startsWith('server.port: '))).to.equal(true);
    expect(lines.some((l) => l.startsWith('connectors[1].plugin: cannot find package "no-such-plugin-package"'))).to.equal(true);
    // Nothing else is said about the path whose variable is missing.
    expect(lines.filter((l) => l.startsWith('storage.path'))).to.have.length(1);
    expect(lines).to.have.length(3);
  });

  it('refuses what the schema lets through but start would fail on: an SSRF allow entry that is no CIDR, a storage URL that is no PostgreSQL URL', async () => {
    const lines = await problems(config({ webhooks: { ssrf: { allow: ['127.0.0.0/8', 'notacidr', '10.0.0.0/33'] } } }));
    expect(lines).to.have.length(2);
    expect(lines[0]).to.match(/^webhooks\.ssrf\.allow\[1\]: "notacidr" is not a CIDR range/);
    expect(lines[1]).to.match(/^webhooks\.ssrf\.allow\[2\]: "10\.0\.0\.0\/33" has a bad prefix length/);

    const notUrl = await problems(config({ storage: { driver: 'postgres', url: 'Secr3tPw-xyz-notaurl' } }));
    expect(notUrl).to.deep.equal(['storage.url: is not a URL (write postgres://user:password@host:port/database)']);
    const badPort = await problems(config({ storage: { driver: 'postgres', url: 'postgres://u:Secr3tPw@127.0.0.1:notaport/db' } }));
    expect(badPort).to.have.length(1);
    expect(badPort[0]).to.match(/^storage\.url: is not a URL/);
    expect(badPort[0]).to.not.include('Secr3tPw');
    expect(await problems(config({ storage: { driver: 'postgres', url: 'mysql://u@db/x' } }))).to.deep.equal([
      'storage.url: must start with postgres:// or postgresql://, not mysql://',
    ]);
  });

  it('redacts every secret of the host schema and of each plugin schema; lists them for the log scrubber', async () => {
    const r = await resolveHostConfig(config({ storage: { driver: 'postgres', url: 'postgres://relay:pg-password-123@db:5432/rp' } }), {
      dir: packageDir,
      env: {},
    });
    const secrets = configSecrets(r);
    expect(secrets).to.include.members([
      TENANT_A_KEY,
      ADMIN_KEY,
      'provider-airtime-key',
      'provider-airtime-secret',
      'provider-giftcard-key',
      'pg-password-123',
    ]);
    const printed = JSON.stringify(redactHostConfig(r));
    for (const s of secrets) expect(printed).to.not.include(s);
    expect(printed).to.include('[redacted]');
    expect(printed).to.include('http://127.0.0.1:1/airtime');
  });
});
