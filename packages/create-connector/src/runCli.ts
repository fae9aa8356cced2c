import yargs from 'yargs';
import { isRelaypointError } from '@relaypoint/core';
import { scaffoldConnector } from './scaffoldConnector.js';
import { ScaffoldError } from './ScaffoldError.js';

/** Where {@link runCli} writes and resolves paths. Defaults to the process's. */
export interface CliIo {
  stdout?: { write(s: string): unknown };
  stderr?: { write(s: string): unknown };
  /** Directory `--dir` is resolved from. Defaults to `process.cwd()`. */
  cwd?: string;
}

/**
 * `create-relaypoint-connector <name> [--dir DIR] [--core-range R] [--id ID]`.
 * Resolves to the exit code: 0 written, 2 usage error (bad flag, invalid
 * name or range, existing directory; one line on stderr, nothing written),
 * 1 anything else.
 */
export async function runCli(argv: string[], io: CliIo = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  let usageError: string | undefined;
  const parser = yargs(argv)
    .scriptName('create-relaypoint-connector')
    .usage(
      '$0 <name> [--dir DIR] [--core-range RANGE]\n\nWrites a Relaypoint connector plugin package that passes the connector contract suite as generated.',
    )
    .command('$0 <name>', 'scaffold a connector plugin package', (y) =>
      y.positional('name', { type: 'string', describe: 'npm package name, e.g. @acme/relaypoint-connector-topup', demandOption: true }),
    )
    .option('dir', { type: 'string', describe: 'directory to create (must not exist). Defaults to ./<name without scope>' })
    .option('core-range', {
      type: 'string',
      describe: '@relaypoint/core semver range the plugin declares. Defaults to ^<running core version>',
    })
    .option('id', { type: 'string', describe: 'plugin id. Defaults to one derived from the name' })
    .example('$0 @acme/relaypoint-connector-topup', 'creates ./relaypoint-connector-topup with plugin id "topup"')
    .strict()
    .help()
    .version()
    .exitProcess(false)
    .fail((msg: string | undefined, err: Error | undefined) => {
      usageError = msg ?? err?.message ?? 'invalid arguments';
    });
  let args: { name?: string; dir?: string; coreRange?: string; id?: string; help?: boolean; version?: boolean };
  let output = '';
  try {
    args = (await parser.parseAsync(argv, {}, (_err: Error | undefined, _argv: unknown, out: string) => {
      output = out;
    })) as typeof args;
  } catch (e) {
    usageError ??= (e as Error).message;
    args = {};
  }
  if (output) stdout.write(output + '\n');
  if (usageError !== undefined) {
    stderr.write(`create-relaypoint-connector: ${usageError}\n`);
    return 2;
  }
  if (args.help || args.version || typeof args.name !== 'string') return typeof args.name === 'string' || output ? 0 : 2;
  try {
    const r = await scaffoldConnector({ name: args.name, dir: args.dir, coreRange: args.coreRange, id: args.id, cwd: io.cwd });
    stdout.write(
      `created ${r.name} (plugin id "${r.id}", @relaypoint/core ${r.coreRange}) in ${r.dir}\n` +
        r.files.map((f) => `  ${f}\n`).join('') +
        `next:\n  cd ${r.dir}\n  npm install\n  npm test\n`,
    );
    return 0;
  } catch (e) {
    if (e instanceof ScaffoldError) {
      stderr.write(`create-relaypoint-connector: ${e.message}\n`);
      return 2;
    }
    stderr.write(`create-relaypoint-connector: ${isRelaypointError(e) ? `${e.code}: ` : ''}${(e as Error).message}\n`);
    return 1;
  }
}
