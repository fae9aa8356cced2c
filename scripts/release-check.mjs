#!/usr/bin/env node
// `npm run release:check`: publishes every public @relaypoint package to a
// throwaway local registry (verdaccio, loopback, storage in a temp dir) and
// does what users do from empty directories, each npm call with an empty
// cache: scaffold a connector with `npm create`, install and test it, pack
// it, install the host with it, validate a config, list plugins, start the
// simulator and the host, and issue once through the host's API. Checks
// that no manifest holds a `file:` or `link:` path and that each tarball
// holds what it needs and nothing from test/. Exits 0 when all of it
// passed; cleans up its processes and temp dirs either way.
// Third-party packages come from the usual registry: the local one serves
// only the @relaypoint scope (a scoped `@relaypoint:registry=` line).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const VERDACCIO = '6.8.0'; // 6.10 wants Node 22
const toolDir = join(root, 'node_modules', '.cache', 'relaypoint-release-check', `verdaccio-${VERDACCIO}`);
const work = mkdtempSync(join(tmpdir(), 'relaypoint-release-'));
const children = new Set();
const started = Date.now();
// Under `npm run`/`npm test` the outer npm exports npm_config_* (workspace, prefix, userconfig…): no inner npm may inherit them.
const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
baseEnv.NO_COLOR = '1';
baseEnv.NX_DAEMON = 'false';

const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)}s`;
const say = (line) => process.stderr.write(`[release-check ${elapsed()}] ${line}\n`);

class CheckFailed extends Error {}
function fail(what, detail = '') {
  throw new CheckFailed(`${what}${detail ? `\n${detail.trimEnd()}` : ''}`);
}

function cleanup() {
  for (const child of children) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  children.clear();
  rmSync(work, { recursive: true, force: true });
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    say(`${signal}: stopping`);
    cleanup();
    process.exit(130);
  });
}

let cacheCount = 0;
/** A fresh, empty npm cache: what a new machine has. */
const freshCache = () => {
  const dir = join(work, 'caches', String(++cacheCount));
  mkdirSync(dir, { recursive: true });
  return dir;
};

/** Runs a command to completion; fails the check with its output when it exits non-zero. */
function run(cmd, args, { cwd, what, env = {}, timeoutMs = 300_000 }) {
  const r = spawnSync(cmd, args, { cwd, env: { ...baseEnv, ...env }, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) {
    const why = r.error ? r.error.message : r.signal ? `killed by ${r.signal}` : `exit ${r.status}`;
    fail(
      `${what} failed (${why}): ${cmd} ${args.join(' ')} in ${cwd}`,
      `${r.stdout ?? ''}\n${r.stderr ?? ''}`.split('\n').slice(-60).join('\n'),
    );
  }
  return r.stdout;
}

/** npm as a user runs it: @relaypoint from the local registry, everything else from the usual one, an empty cache. */
function npm(args, cwd, what, timeoutMs) {
  // npm's own options go before any `--`: what follows it belongs to the command npm runs.
  const [command, ...rest] = args;
  return run(
    'npm',
    [command, '--userconfig', userconfig, '--cache', freshCache(), '--no-audit', '--no-fund', '--loglevel=error', ...rest],
    { cwd, what, timeoutMs },
  );
}

/** Starts a long-running process in its own process group (so cleanup stops its children too); keeps its output for errors. */
function background(cmd, args, cwd, name) {
  const child = spawn(cmd, args, { cwd, env: baseEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.output = '';
  const keep = (d) => {
    child.output = (child.output + d).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.on('exit', (code, signal) => {
    child.exited = { code, signal };
  });
  child.label = name;
  return child;
}

/** SIGTERM to the process itself (it must shut down and exit on its own), SIGKILL to its group after 10 s. */
async function stop(child) {
  if (!children.has(child)) return;
  children.delete(child);
  if (child.exited) return;
  const done = new Promise((resolve) => child.on('exit', resolve));
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }, 10_000);
  await done;
  clearTimeout(timer);
  try {
    process.kill(-child.pid, 'SIGKILL'); // whatever it left behind in its group (npx's child)
  } catch {
    // nothing left
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Polls `url` until it answers 2xx; fails with the process's output if it exits or times out. */
async function waitFor(url, child, timeoutMs = 60_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exited) fail(`${child.label} exited (${JSON.stringify(child.exited)}) before ${url} answered`, child.output);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  fail(`${child.label}: ${url} did not answer within ${timeoutMs / 1000} s`, child.output);
}

/** Every dependency field of a manifest that holds a `file:` or `link:` path. */
function localPaths(manifest) {
  const bad = [];
  for (const field of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const [name, spec] of Object.entries(manifest[field] ?? {})) {
      if (/^(file|link):/.test(String(spec))) bad.push(`${field}.${name}: ${spec}`);
    }
  }
  return bad;
}

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

// ---------------------------------------------------------------------------------------------------------------
let userconfig;

async function main() {
  say(`work dir ${work}`);
  // 1. The registry.
  if (!existsSync(join(toolDir, 'node_modules', 'verdaccio', 'package.json'))) {
    say(`installing verdaccio@${VERDACCIO} into ${toolDir}`);
    mkdirSync(toolDir, { recursive: true });
    writeFileSync(join(toolDir, 'package.json'), JSON.stringify({ name: 'release-check-tools', private: true }));
    run('npm', ['install', `verdaccio@${VERDACCIO}`, '--cache', freshCache(), '--no-audit', '--no-fund', '--loglevel=error', '--no-save'], {
      cwd: toolDir,
      what: 'installing verdaccio',
    });
  }
  const port = await freePort();
  const registry = `http://127.0.0.1:${port}/`;
  const storage = join(work, 'registry-storage');
  mkdirSync(storage);
  writeFileSync(
    join(work, 'verdaccio.yaml'),
    [
      `storage: ${storage}`,
      'uplinks: {}',
      'packages:',
      "  '@relaypoint/*':",
      '    access: $all',
      '    publish: $anonymous',
      "  '**':",
      '    access: $all',
      'max_body_size: 100mb',
      'log: { type: stdout, format: pretty, level: warn }',
      '',
    ].join('\n'),
  );
  userconfig = join(work, 'npmrc');
  // The token is what npm asks for before it publishes; verdaccio lets anonymous publish the scope.
  // The machine's own npm settings (proxy CA, nodedir for native builds…) stay: a user's npm has them too.
  const own = process.env.npm_config_userconfig || join(homedir(), '.npmrc');
  const kept = existsSync(own)
    ? readFileSync(own, 'utf8')
        .split('\n')
        .filter((l) => !/^\s*(@relaypoint:registry|registry)\s*=/.test(l))
    : [];
  writeFileSync(userconfig, [...kept, `@relaypoint:registry=${registry}`, `//127.0.0.1:${port}/:_authToken=release-check`, ''].join('\n'));
  const verdaccio = background(
    process.execPath,
    [
      join(toolDir, 'node_modules', 'verdaccio', 'bin', 'verdaccio'),
      '--config',
      join(work, 'verdaccio.yaml'),
      '--listen',
      `127.0.0.1:${port}`,
    ],
    work,
    'verdaccio',
  );
  await waitFor(`${registry}-/ping`, verdaccio);
  say(`registry up at ${registry}`);

  // 2. Pack and publish every public package at the workspace version.
  const version = readJson(join(root, 'lerna.json')).version;
  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs);
  const published = [];
  for (const dir of readdirSync(join(root, 'packages')).sort()) {
    const pkgDir = join(root, 'packages', dir);
    if (!existsSync(join(pkgDir, 'package.json'))) continue;
    const manifest = readJson(join(pkgDir, 'package.json'));
    if (manifest.private) continue;
    if (manifest.version !== version) fail(`${manifest.name} is at ${manifest.version}, not the workspace version ${version} (lerna.json)`);
    const bad = localPaths(manifest);
    if (bad.length) fail(`${manifest.name}'s package.json holds local paths`, bad.join('\n'));
    const [info] = JSON.parse(
      run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: pkgDir, what: `npm pack --dry-run of ${manifest.name}` }),
    );
    checkTarballContents(
      manifest,
      info.files.map((f) => f.path),
    );
    const out = run('npm', ['pack', '--pack-destination', tarballs, '--ignore-scripts', '--silent'], {
      cwd: pkgDir,
      what: `npm pack of ${manifest.name}`,
    });
    const tgz = join(tarballs, out.trim().split('\n').pop());
    run(
      'npm',
      ['publish', tgz, '--registry', registry, '--userconfig', userconfig, '--tag', 'latest', '--ignore-scripts', '--loglevel=error'],
      { cwd: work, what: `publishing ${manifest.name}` },
    );
    published.push(`${manifest.name}@${manifest.version}`);
  }
  if (published.length === 0) fail('no public package to publish');
  say(`published ${published.length} packages: ${published.join(', ')}`);

  // 3. The plugin author's first hour: npm create, npm install, npm test, npm pack.
  const author = join(work, 'author');
  mkdirSync(author);
  say('npm create @relaypoint/connector@latest @acme/relaypoint-connector-acme (empty dir, empty cache)');
  npm(
    ['create', '@relaypoint/connector@latest', '--yes', '--', '@acme/relaypoint-connector-acme', '--dir', 'acme'],
    author,
    'npm create @relaypoint/connector',
  );
  const acme = join(author, 'acme');
  const acmeManifest = readJson(join(acme, 'package.json'));
  const acmeBad = localPaths(acmeManifest);
  if (acmeBad.length) fail('the generated package.json holds local paths', acmeBad.join('\n'));
  say('generated package: npm install');
  npm(['install'], acme, 'npm install in the generated package');
  say('generated package: npm test (tsc, then the contract suite against the simulator)');
  const testOut = run('npm', ['test', '--silent'], { cwd: acme, what: 'npm test in the generated package', timeoutMs: 300_000 });
  const passing = /(\d+) passing/.exec(testOut);
  if (!passing || Number(passing[1]) === 0 || !/contract/i.test(testOut))
    fail('npm test of the generated package ran no contract test', testOut);
  if (/\d+ failing/.test(testOut)) fail('npm test of the generated package reported failures', testOut);
  say(`generated package: ${passing[1]} passing`);
  const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', tarballs], acme, 'npm pack of the generated package'))[0];
  checkTarballContents(
    acmeManifest,
    packed.files.map((f) => f.path),
  );
  const acmeTgz = join(tarballs, packed.filename);

  // 4. The operator's first hour: install the host, the simulator and the packed plugin into an empty project.
  const ops = join(work, 'operator');
  mkdirSync(ops);
  writeFileSync(join(ops, 'package.json'), JSON.stringify({ name: 'relaypoint-deployment', private: true }, null, 2));
  say(
    `npm install @relaypoint/host @relaypoint/simulator ${packed.filename} (empty dir, empty cache; builds better-sqlite3 if no prebuilt binary fits)`,
  );
  npm(['install', '@relaypoint/host', '@relaypoint/simulator', acmeTgz], ops, 'npm install of the host', 600_000);
  for (const name of ['host', 'core', 'store', 'webhooks', 'simulator', 'connector-airtime', 'connector-giftcard']) {
    const manifest = join(ops, 'node_modules', '@relaypoint', name, 'package.json');
    if (!existsSync(manifest)) fail(`@relaypoint/${name} was not installed with the host`);
    if (readJson(manifest).version !== version) fail(`@relaypoint/${name} installed at ${readJson(manifest).version}, not ${version}`);
  }
  const simPort = await freePort();
  const hostPort = await freePort();
  const tenantKey = 'release-check-tenant-key-0123456789';
  const config = {
    server: { host: '127.0.0.1', port: hostPort },
    storage: { driver: 'sqlite', path: 'data/relaypoint.db' },
    tenants: [{ id: 'acme', apiKeys: [tenantKey] }],
    admin: { apiKey: 'release-check-admin-key-0123456789' },
    connectors: [
      {
        name: 'acme',
        plugin: '@acme/relaypoint-connector-acme',
        config: { baseUrl: `http://127.0.0.1:${simPort}/airtime`, apiKey: 'sim-airtime-key', secret: 'sim-airtime-secret' },
      },
      // Shipped with the host: resolves by name from a folder where only the host installed it.
      {
        name: 'giftcard',
        plugin: '@relaypoint/connector-giftcard',
        config: { baseUrl: `http://127.0.0.1:${simPort}/giftcard`, apiKey: 'sim-giftcard-key' },
      },
    ],
  };
  writeFileSync(join(ops, 'relaypoint.json'), JSON.stringify(config, null, 2));
  say('npx relaypoint config validate --config relaypoint.json');
  const validate = run('npx', ['--no-install', 'relaypoint', 'config', 'validate', '--config', 'relaypoint.json'], {
    cwd: ops,
    what: 'relaypoint config validate',
  });
  if (!validate.includes('valid (2 connectors: acme, giftcard)')) fail('config validate did not say valid', validate);
  say('npx relaypoint plugins list --config relaypoint.json');
  const list = run('npx', ['--no-install', 'relaypoint', 'plugins', 'list', '--config', 'relaypoint.json', '--json'], {
    cwd: ops,
    what: 'relaypoint plugins list',
  });
  const rows = list
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const acmeRow = rows.find((r) => r.name === 'acme');
  if (!acmeRow || acmeRow.package !== '@acme/relaypoint-connector-acme' || acmeRow.version !== '0.1.0')
    fail('plugins list does not show the acme plugin', list);
  if (!rows.some((r) => r.name === 'giftcard' && r.package === '@relaypoint/connector-giftcard'))
    fail('plugins list does not show the giftcard plugin', list);

  say(`npx relaypoint-sim start --port ${simPort} (another process)`);
  const sim = background('npx', ['--no-install', 'relaypoint-sim', 'start', '--port', String(simPort)], ops, 'relaypoint-sim');
  await waitFor(`http://127.0.0.1:${simPort}/__sim/journal`, sim);
  say(`npx relaypoint start --config relaypoint.json (port ${hostPort})`);
  // The bin npx runs, started directly: the check sends SIGTERM to the host itself, as a supervisor would.
  const host = background(
    join(ops, 'node_modules', '.bin', 'relaypoint'),
    ['start', '--config', 'relaypoint.json'],
    ops,
    'relaypoint start',
  );
  await waitFor(`http://127.0.0.1:${hostPort}/readyz`, host);
  const res = await fetch(`http://127.0.0.1:${hostPort}/v1/issuances`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tenantKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      connector: 'acme',
      productId: 'AIRTIME_5',
      customerId: 'cust-1',
      phoneNumber: '+263771234567',
      amount: '5.00',
      currency: 'USD',
      reference: 'release-check-1',
    }),
  });
  const body = await res.text();
  if (res.status !== 201 || JSON.parse(body).status !== 'succeeded')
    fail(
      `the issuance through the packed plugin answered ${res.status}, not 201 succeeded`,
      `${body}\n--- host output ---\n${host.output}`,
    );
  say(`POST /v1/issuances through the packed plugin: 201 ${JSON.parse(body).status}`);
  await stop(host);
  if (host.exited?.code !== 0) fail(`relaypoint start did not exit 0 on SIGTERM (${JSON.stringify(host.exited)})`, host.output);
  say('relaypoint start: SIGTERM → exit 0');
  await stop(sim);

  // 5. A plugin built on the public toolkit alone, outside the workspace (wired once its fixture exists).
  const stripeStyle = join(root, 'packages', 'core', 'test', 'fixtures', 'stripeStylePlugin');
  if (existsSync(stripeStyle)) {
    say('building the stripe-style fixture plugin outside the workspace');
    const out = join(work, 'stripe-style');
    run('cp', ['-r', stripeStyle, out], { cwd: work, what: 'copying the stripe-style fixture' });
    rmSync(join(out, 'node_modules'), { recursive: true, force: true });
    npm(['install'], out, 'npm install of the stripe-style fixture plugin');
    const scripts = readJson(join(out, 'package.json')).scripts ?? {};
    if (scripts.build) npm(['run', 'build'], out, 'build of the stripe-style fixture plugin');
    if (scripts.test) npm(['test'], out, 'test of the stripe-style fixture plugin');
  } else {
    say(`skipped: ${stripeStyle} does not exist (the stripe-style fixture plugin is not in this tree)`);
  }
  await stop(verdaccio);
}

/** What every tarball must hold (its entry, types, bins, schemas) and must not (anything from test/). */
function checkTarballContents(manifest, files) {
  const problems = [];
  const has = (p) => files.includes(p.replace(/^\.\//, ''));
  for (const f of files) if (/^(dist\/)?test\//.test(f)) problems.push(`ships ${f} (a test file)`);
  const entries = [
    manifest.types,
    ...Object.values(manifest.exports ?? {}).flatMap((e) => (typeof e === 'string' ? [e] : Object.values(e))),
  ];
  for (const e of entries)
    if (typeof e === 'string' && !e.endsWith('package.json') && !has(e)) problems.push(`lacks ${e} (named in exports/types)`);
  for (const b of Object.values(typeof manifest.bin === 'string' ? { bin: manifest.bin } : (manifest.bin ?? {})))
    if (!has(b)) problems.push(`lacks its bin ${b}`);
  if (!has('package.json') || !has('README.md')) problems.push('lacks package.json or README.md');
  if (manifest.relaypoint && !files.some((f) => f.endsWith('config.schema.json'))) problems.push('lacks its config.schema.json');
  if (problems.length) fail(`the tarball of ${manifest.name} is wrong`, problems.join('\n'));
}

try {
  await main();
  say(`PASSED in ${elapsed()}`);
  cleanup();
  process.exit(0);
} catch (e) {
  say(`FAILED: ${e instanceof CheckFailed ? e.message : (e?.stack ?? String(e))}`);
  cleanup();
  process.exit(1);
}
