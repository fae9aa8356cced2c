#!/usr/bin/env node
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { isConfigError } from '@relaypoint/core';
import { openDatabase } from '@relaypoint/store';
import { createWebhookService } from '@relaypoint/webhooks';
import { redactHostConfig } from './config/configSecrets.js';
import { configWarnings } from './config/configWarnings.js';
import { loadHostConfig, type ResolvedHostConfig } from './config/resolveHostConfig.js';
import { issuanceMigrations } from './issuance/issuanceMigrations.js';
import { loadOptional } from './loadOptional.js';
import { startResolvedHost, type RunningHost } from './startHost.js';
import { HOST_VERSION } from './version.js';

/** Exit codes: 0 ok, 1 runtime failure, 2 usage or config error. */
const EXIT_RUNTIME = 1;
const EXIT_USAGE = 2;

class ExitError extends Error {
  constructor(
    readonly exitCode: number,
    readonly lines: string[],
  ) {
    super(lines.join('\n'));
  }
}

async function load(path: string): Promise<ResolvedHostConfig> {
  try {
    return await loadHostConfig(path);
  } catch (e) {
    if (isConfigError(e)) throw new ExitError(EXIT_USAGE, e.errors);
    throw e;
  }
}

/**
 * Catches SIGTERM/SIGINT from now on. Installed before the host starts: a
 * supervisor that signals as soon as it reads the `listening` line must not
 * meet Node's default action (an exit by signal, no graceful shutdown).
 */
function catchSignals(): { hold(host: RunningHost, extra?: () => Promise<void>): Promise<void>; release(): void } {
  let received: string | undefined;
  let onSignal: ((signal: string) => void) | undefined;
  const handle = (signal: string) => {
    if (received !== undefined) return;
    received = signal;
    onSignal?.(signal);
  };
  const onTerm = () => handle('SIGTERM');
  const onInt = () => handle('SIGINT');
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  const release = () => {
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
  };
  return {
    release,
    /** Runs until a signal (or at once if one came during the start), then shuts down gracefully. */
    hold(host, extra) {
      return new Promise((resolve, reject) => {
        const stop = (signal: string) => {
          host.logger.info({ signal }, 'signal received');
          release();
          host
            .close()
            .then(() => extra?.())
            .then(resolve, reject);
        };
        if (received !== undefined) stop(received);
        else onSignal = stop;
      });
    },
  };
}

const configOption = { config: { type: 'string', demandOption: true, describe: 'Host config file (JSON)', normalize: true } } as const;

async function main(argv: string[]): Promise<number> {
  let code = 0;
  const parser = yargs(argv)
    .scriptName('relaypoint')
    .usage('$0 <command> [options]')
    .version(HOST_VERSION)
    .strict()
    .demandCommand(1, 'name a command (see --help)')
    .recommendCommands()
    .exitProcess(false)
    .fail((msg, err) => {
      if (err) throw err;
      throw new ExitError(EXIT_USAGE, [msg]);
    })
    .command(
      'start',
      'Run the host from a config file',
      (y) => y.options({ ...configOption, port: { type: 'number', describe: 'Override server.port' } }),
      async (args) => {
        // Checked before anything opens the store: a typo in a flag is a usage error (2), not a failed start (1).
        if (args.port !== undefined && !(Number.isInteger(args.port) && args.port >= 0 && args.port <= 65535)) {
          throw new ExitError(EXIT_USAGE, ['--port: must be an integer from 0 to 65535']);
        }
        const resolved = await load(args.config);
        const signals = catchSignals();
        let host: RunningHost;
        try {
          host = await startResolvedHost(resolved, args.port !== undefined ? { port: args.port } : {});
        } catch (e) {
          signals.release();
          throw e;
        }
        await signals.hold(host);
      },
    )
    .command('config', 'Check or print a config', (y) =>
      y
        .command(
          'validate',
          'Check a config (schema, plugins, plugin configs); one line per problem',
          (yy) => yy.options(configOption),
          async (args) => {
            const resolved = await load(args.config);
            // What `start` would warn about, said now (valid still: exit 0).
            for (const w of configWarnings(resolved)) process.stderr.write(`warning: ${w.path}: ${w.message}\n`);
            process.stdout.write(
              `${args.config}: valid (${resolved.connectors.length} connector${resolved.connectors.length === 1 ? '' : 's'}: ${resolved.connectors.map((c) => c.name).join(', ') || 'none'})\n`,
            );
          },
        )
        .command(
          'print',
          'Print the resolved config (defaults filled in) with every secret redacted',
          (yy) => yy.options(configOption),
          async (args) => {
            const resolved = await load(args.config);
            process.stdout.write(`${JSON.stringify(redactHostConfig(resolved), null, 2)}\n`);
          },
        )
        .demandCommand(1, 'name a config command: validate or print'),
    )
    .command('plugins', 'Inspect the plugins a config uses', (y) =>
      y
        .command(
          'list',
          'Connector instances: name, package, version, capabilities',
          (yy) => yy.options({ ...configOption, json: { type: 'boolean', default: false, describe: 'One JSON object per line' } }),
          async (args) => {
            const resolved = await load(args.config);
            for (const c of resolved.connectors) {
              const row = {
                name: c.name,
                plugin: c.discovered.plugin.id,
                package: c.discovered.packageName,
                version: c.discovered.version,
                capabilities: c.discovered.plugin.capabilities,
              };
              if (args.json) process.stdout.write(`${JSON.stringify(row)}\n`);
              else {
                const caps = c.discovered.plugin.capabilities;
                process.stdout.write(
                  `${c.name}\t${row.package}@${row.version}\tplugin=${row.plugin}\tduplicateReference=${caps.duplicateReference}\tstatusByReference=${caps.statusByReference}\tamountUnit=${caps.amountUnit}\tasync=${caps.asyncIssuance ?? false}${caps.referenceWindowMs !== undefined ? `\treferenceWindowMs=${caps.referenceWindowMs}` : ''}\n`,
                );
              }
            }
          },
        )
        .demandCommand(1, 'name a plugins command: list'),
    )
    .command(
      'migrate',
      'Apply the store migrations (the host also applies them at start)',
      (y) => y.options(configOption),
      async (args) => {
        const resolved = await load(args.config);
        const s = resolved.config.storage;
        const db = await openDatabase(s.driver === 'sqlite' ? { driver: 'sqlite', path: s.path } : { driver: 'postgres', url: s.url });
        try {
          const host = await db.migrate('host', issuanceMigrations);
          await createWebhookService({ db }); // applies the webhooks namespace
          process.stdout.write(`migrations applied: host ${JSON.stringify(host.applied)}; webhooks up to date\n`);
        } finally {
          await db.close();
        }
      },
    )
    .command('new', 'Create things', (y) =>
      y
        .command(
          'connector <name>',
          'Scaffold a connector plugin package that passes the contract suite as generated',
          (yy) =>
            yy
              .positional('name', {
                type: 'string',
                demandOption: true,
                describe: 'npm package name, e.g. @acme/relaypoint-connector-topup',
              })
              .options({
                dir: { type: 'string', describe: 'Directory to create (must not exist). Defaults to ./<name without scope>' },
                'core-range': {
                  type: 'string',
                  describe: '@relaypoint/core semver range the plugin declares. Defaults to ^<running core version>',
                },
                id: { type: 'string', describe: 'Plugin id. Defaults to one derived from the name' },
              }),
          async (args) => {
            // Loaded on demand: only this command needs the templates.
            const { scaffoldConnector, ScaffoldError } = await loadOptional<typeof import('@relaypoint/create-connector')>(
              '@relaypoint/create-connector',
              '`relaypoint new connector`',
            );
            try {
              const r = await scaffoldConnector({ name: args.name, dir: args.dir, coreRange: args['core-range'], id: args.id });
              process.stdout.write(
                `created ${r.name} (plugin id "${r.id}", @relaypoint/core ${r.coreRange}) in ${r.dir}\n` +
                  r.files.map((f) => `  ${f}\n`).join('') +
                  `next:\n  cd ${r.dir}\n  npm install\n  npm test\n`,
              );
            } catch (e) {
              if (e instanceof ScaffoldError) throw new ExitError(EXIT_USAGE, [`new connector: ${e.message}`]);
              throw e;
            }
          },
        )
        .demandCommand(1, 'name what to create: connector'),
    )
    .command(
      'demo',
      'Run the simulator and a host with both connectors, and print curl commands to try them',
      (y) => y.options({ port: { type: 'number', describe: 'Host port. Defaults to $PORT, else 8080' } }),
      async (args) => {
        // Loaded on demand: the simulator is only needed here.
        const { runDemo } = await import('./demo/runDemo.js');
        const signals = catchSignals();
        let demo: Awaited<ReturnType<typeof runDemo>>;
        try {
          demo = await runDemo({ ...(args.port !== undefined ? { port: args.port } : {}) });
        } catch (e) {
          signals.release();
          throw e;
        }
        await signals.hold(demo.host, () => demo.simulator.close());
        // The demo logs at warn: say plainly that Ctrl-C did what it should (exit 0 follows).
        process.stdout.write('stopped\n');
      },
    )
    .help()
    .alias('h', 'help');
  try {
    await parser.parseAsync();
  } catch (e) {
    if (e instanceof ExitError) {
      for (const line of e.lines) process.stderr.write(`${line}\n`);
      if (e.exitCode === EXIT_USAGE && !e.lines.some((l) => l.includes(': '))) process.stderr.write('run "relaypoint --help" for usage\n');
      return e.exitCode;
    }
    if (isConfigError(e)) {
      for (const line of e.errors) process.stderr.write(`${line}\n`);
      return EXIT_USAGE;
    }
    process.stderr.write(`error: ${(e as Error)?.message ?? String(e)}\n`);
    code = EXIT_RUNTIME;
  }
  return code;
}

main(hideBin(process.argv)).then(
  (code) => {
    process.exitCode = code;
    // If a stray handle kept the loop alive after a clean shutdown, do not hang the supervisor.
    setTimeout(() => process.exit(code), 3000).unref();
  },
  (e: unknown) => {
    process.stderr.write(`error: ${(e as Error)?.message ?? String(e)}\n`);
    process.exitCode = EXIT_RUNTIME;
  },
);
