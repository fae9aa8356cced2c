/*
 * Child-process entry of `warmHost()`: loads the host's modules (and the two
 * plugins), then reads one line from stdin, a config path, and runs the CLI's
 * own `relaypoint start --config FILE` in this process.
 */
import { createInterface } from 'node:readline';
import { cliPath } from './hostProcess.js';

await Promise.all([
  import('../../src/index.js'),
  import('@relaypoint/connector-airtime'),
  import('@relaypoint/connector-giftcard'),
  import('yargs'),
]);

const rl = createInterface({ input: process.stdin });
const configFile = await new Promise<string>((resolve) => rl.once('line', (line) => resolve(line.trim())));
rl.close();
process.stdin.destroy();
process.argv = [process.argv[0], cliPath, 'start', '--config', configFile];
await import('../../src/cli.js');
