#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { isConfigError } from '@relaypoint/core';
import { loadConfig } from './config/loadConfig.js';
import type { ResolvedConfig } from './config/ResolvedConfig.js';
import { loadProviderModel } from './model/loadProviderModel.js';
import { pluginModelFile } from './model/pluginModelFile.js';
import { isModelDefinitionError } from './model/ModelDefinitionError.js';
import type { ProviderModel } from './model/ProviderModel.js';
import { createAirtimeModel } from './models/airtime.js';
import { createGiftcardModel } from './models/giftcard.js';
import { startFaultProxy } from './proxy/startFaultProxy.js';
import { loadScenario } from './scenario/loadScenario.js';
import { resolveModels, startSimulator, type BuiltInModelName } from './startSimulator.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** Exit code for a bad flag or an unreadable/invalid config or scenario file. */
const EXIT_USAGE = 2;

function usageError(lines: string[]): never {
  for (const line of lines) process.stderr.write(`${line}\n`);
  process.exit(EXIT_USAGE);
}

await yargs(hideBin(process.argv))
  .scriptName('relaypoint-sim')
  .usage(
    '$0 start [options]: run the provider simulator (the built-in airtime and gift-card models, or --model ones)\n$0 proxy --target URL [options]: put the fault engine and journal in front of any HTTP API',
  )
  .command(
    'start',
    'start the simulator',
    (y) =>
      y
        .option('port', { type: 'number', default: 4010, describe: 'TCP port (0: any free port)' })
        .option('host', { type: 'string', default: '127.0.0.1', describe: 'interface to listen on' })
        .option('seed', {
          type: 'number',
          describe: 'seed of every random draw (wins over the scenario file; default: the scenario’s, else random and logged)',
        })
        .option('model', {
          type: 'string',
          array: true,
          describe:
            'a provider model to serve, repeatable: a built-in name (airtime, giftcard), the name of an installed plugin that ships a model (reloadly: @relaypoint/connector-reloadly/model), or a module file whose default export (or export "model") is a defineProviderModel(...) result; each is mounted under its prefix (default /<id>). Default: airtime and giftcard',
        })
        .option('config', { type: 'string', describe: 'simulator config JSON (accounts, keys, balances, products of the built-in models)' })
        .option('scenario', { type: 'string', describe: 'scenario JSON (faults, balances, operatorDown)' })
        .option('journal-size', { type: 'number', default: 10_000, describe: 'request journal capacity, entries' })
        .option('ledger-size', { type: 'number', describe: 'transactions kept per provider (default: unbounded)' })
        .option('log-level', {
          choices: ['silent', 'info', 'debug'] as const,
          default: 'info' as const,
          describe: 'debug: one JSON line per request on stderr',
        })
        .check((a) => {
          if (!Number.isInteger(a.port) || a.port < 0 || a.port > 65535) throw new Error('--port must be an integer from 0 to 65535');
          if (a.seed !== undefined && (!Number.isInteger(a.seed) || a.seed < 0 || a.seed > 4294967295))
            throw new Error('--seed must be an integer from 0 to 4294967295');
          if (!Number.isInteger(a['journal-size']) || a['journal-size'] < 0)
            throw new Error('--journal-size must be a non-negative integer');
          if (a['ledger-size'] !== undefined && (!Number.isInteger(a['ledger-size']) || a['ledger-size'] < 1))
            throw new Error('--ledger-size must be a positive integer');
          return true;
        }),
    async (a) => {
      // Each file is checked on its own so every error line can name the file it is about;
      // the scenario's balances are checked against the config's currencies.
      let config: ResolvedConfig | undefined;
      const specs = a.model ?? ['airtime', 'giftcard'];
      const models: (ProviderModel | BuiltInModelName)[] = [];
      for (const spec of specs) {
        if (spec === 'airtime' || spec === 'giftcard') {
          models.push(spec);
          continue;
        }
        try {
          models.push(await loadProviderModel(pluginModelFile(spec) ?? spec));
        } catch (e) {
          if (!isModelDefinitionError(e)) throw e;
          usageError([e.file === undefined ? `${spec}: ${e.message}` : e.message]);
        }
      }
      const files: [string | undefined, (f: string) => unknown][] = [
        [a.config, (f) => (config = loadConfig(f))],
        [a.scenario, (f) => loadScenario(f, resolveModels(models, config ?? loadConfig(undefined)))],
      ];
      for (const [file, load] of files) {
        if (file === undefined) continue;
        try {
          load(file);
        } catch (e) {
          if (!isConfigError(e)) throw e;
          usageError(e.errors.map((line) => (line.startsWith(`${file}:`) ? line : `${file}: ${line}`)));
        }
      }
      let sim;
      try {
        sim = await startSimulator({
          port: a.port,
          host: a.host,
          ...(a.seed !== undefined ? { seed: a.seed } : {}),
          ...(a.config !== undefined ? { config: a.config } : {}),
          models,
          ...(a.scenario !== undefined ? { scenario: a.scenario } : {}),
          journalSize: a['journal-size'],
          ...(a['ledger-size'] !== undefined ? { ledgerSize: a['ledger-size'] } : {}),
          logLevel: a['log-level'],
        });
      } catch (e) {
        if (isConfigError(e)) usageError(e.errors);
        if (isModelDefinitionError(e)) usageError([e.message]);
        const err = e as NodeJS.ErrnoException;
        process.stderr.write(`relaypoint-sim: cannot start: ${err.code ?? ''} ${err.message}\n`);
        process.exit(1);
      }
      const stop = (): void => {
        void sim.close().then(() => process.exit(0));
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    },
  )
  .command(
    'proxy',
    'forward every request to --target with seeded faults before and after the upstream answers',
    (y) =>
      y
        .option('target', {
          type: 'string',
          demandOption: true,
          describe: 'base URL to forward to (a sandbox, a hand-written fake), e.g. https://sandbox.example/api',
        })
        .option('model', {
          type: 'string',
          describe:
            'the provider model: a module file, a built-in name, or an installed plugin that ships one (reloadly) (routes named by it, references from its issue parse, omit-voucher); default: routes are "proxy.<METHOD> <path>"',
        })
        .option('port', { type: 'number', default: 4020, describe: 'TCP port (0: any free port)' })
        .option('host', { type: 'string', default: '127.0.0.1', describe: 'interface to listen on' })
        .option('seed', { type: 'number', describe: 'seed of every random draw (wins over the scenario file)' })
        .option('scenario', {
          type: 'string',
          describe: 'scenario JSON (rules; route "*" = the model’s issue route, or every request without a model)',
        })
        .option('journal-size', { type: 'number', default: 10_000, describe: 'request journal capacity, entries' })
        .option('log-level', {
          choices: ['silent', 'info', 'debug'] as const,
          default: 'info' as const,
          describe: 'debug: one JSON line per request on stderr',
        })
        .check((a) => {
          if (!Number.isInteger(a.port) || a.port < 0 || a.port > 65535) throw new Error('--port must be an integer from 0 to 65535');
          if (a.seed !== undefined && (!Number.isInteger(a.seed) || a.seed < 0 || a.seed > 4294967295))
            throw new Error('--seed must be an integer from 0 to 4294967295');
          return true;
        }),
    async (a) => {
      let model: ProviderModel | undefined =
        a.model === 'airtime' ? createAirtimeModel() : a.model === 'giftcard' ? createGiftcardModel() : undefined;
      if (a.model !== undefined && model === undefined) {
        try {
          model = await loadProviderModel(pluginModelFile(a.model) ?? a.model);
        } catch (e) {
          if (!isModelDefinitionError(e)) throw e;
          usageError([e.message]);
        }
      }
      let proxy;
      try {
        proxy = await startFaultProxy({
          target: a.target,
          ...(model ? { model } : {}),
          port: a.port,
          host: a.host,
          ...(a.seed !== undefined ? { seed: a.seed } : {}),
          ...(a.scenario !== undefined ? { scenario: a.scenario } : {}),
          journalSize: a['journal-size'],
          logLevel: a['log-level'],
        });
      } catch (e) {
        if (isConfigError(e))
          usageError(
            e.errors.map((line) => (a.scenario !== undefined && !line.startsWith(`${a.scenario}:`) ? `${a.scenario}: ${line}` : line)),
          );
        if (e instanceof TypeError) usageError([`relaypoint-sim: --${e.message}`]);
        const err = e as NodeJS.ErrnoException;
        process.stderr.write(`relaypoint-sim: cannot start: ${err.code ?? ''} ${err.message}\n`);
        process.exit(1);
      }
      const stop = (): void => {
        void proxy.close().then(() => process.exit(0));
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    },
  )
  .demandCommand(1, 'a command is required: start or proxy')
  .strict()
  .version(pkg.version)
  .help()
  .fail((msg, err) => {
    usageError([`relaypoint-sim: ${msg ?? err?.message ?? 'invalid arguments'}`, 'run relaypoint-sim --help for usage']);
  })
  .parseAsync();
