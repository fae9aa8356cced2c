import type { ContractHarness } from '../ContractHarness.js';
import { fail } from '../explain.js';
import { leaks } from './leaks.js';

/**
 * Case 13: no secret of the config appears in the log output of the whole
 * run, nor in any error a connector call threw in any case: its message,
 * its JSON, or its cause chain as `util.inspect` prints it.
 */
export function secretsCase(h: ContractHarness): void {
  it('13. no secret from the config appears in the log output of the whole run, nor in any error any case saw (message, JSON, cause chain)', () => {
    const secrets = h.secrets();
    for (const s of secrets) {
      const line = h.logger.lines.find((l) => l.line.includes(s.value));
      if (line) fail(`the value of ${s.path} appears in a ${line.level} log line: never log credentials, headers or the request config`);
    }
    for (const seen of h.errorsSeen) {
      for (const s of secrets) {
        const where = leaks(s.value, seen.error, []);
        if (where.length > 0) {
          fail(
            `the value of ${s.path} appears in ${where.join(' and ')} of an error your plugin threw in case "${seen.title}": ` +
              'never put credentials, headers or the request config in errors or their causes (use toConnectorError, which keeps a sanitised cause)',
          );
        }
      }
    }
  });
}
