import { runContractInChild, type ContractReport } from './runContractInChild.js';
import type { PlantedMistake } from './plantMistake.js';

/** A planted mistake, the case (a regular expression on its title) that must fail, and what the failure must say. */
export interface PlantedMistakeExpectation {
  mistake: PlantedMistake;
  /** Pattern of the case title's start (`'21\\. '`). */
  case: string;
  message: RegExp;
}

/** Each planted mistake on a built-in-style plugin: the case that must catch it, and what its failure must say. */
export const PLANTED_MISTAKE_EXPECTATIONS: readonly PlantedMistakeExpectation[] = [
  {
    mistake: 'timeout-as-rejected',
    case: '21\\. ',
    message:
      /own timeout fired after the request left, and it reported error PROVIDER_BAD_REQUEST \(outcome rejected\).*a timeout after the request left is outcome unknown/,
  },
  {
    mistake: 'float-amount',
    case: '14\\. ',
    message: /the provider recorded \S+ USD for an issuance of \S+ USD \(-1 minor unit\(s\) off\); that is binary float arithmetic/,
  },
  {
    mistake: '5xx-as-refusal',
    case: '5\\. 5xx after commit',
    message:
      /was issued by the provider .* but your plugin reported it as rejected \(PROVIDER_BAD_REQUEST\) after a "status-after-commit" fault/,
  },
  {
    mistake: '429-as-refusal',
    case: '7\\. 429',
    message:
      /after a 429 with Retry-After: 1 the call ended with error PROVIDER_BAD_REQUEST .* and was never tried again: a 429 is retryable/,
  },
  {
    mistake: 'fresh-reference',
    case: '5\\. 5xx after commit',
    message: /reached the provider under other reference\(s\) too .*without a stable reference/,
  },
  {
    mistake: 'voucherless-success',
    case: '17\\. ',
    message:
      /answered a well-formed success without the voucher.*and your plugin reported succeeded \(transaction|answered a well-formed success without the voucher.*your plugin reported succeeded/,
  },
  {
    mistake: 'secret-in-error',
    case: '(5\\. 5xx after commit|13\\. )',
    message: /the value of config\.\w+ appears in .*of an error your plugin threw in case "5\. 5xx after commit/,
  },
  { mistake: 'retries-on-its-own', case: '19\\. ', message: /reached the issue route 2 times .*your plugin retries on its own/ },
  {
    mistake: 'ignores-signal',
    case: '20\\. ',
    message: /its request stayed open and the provider issued it .*pass options\.signal to your HTTP client/,
  },
];

/**
 * Registers a mocha `describe(title)` that runs `contractFile` (a test file
 * that, for each mistake named in `PLANTED_MISTAKES`, registers
 * `describe('planted <mistake>:')` around `describeConnectorContract` with
 * `plantMistake(plugin, mistake)`) in a child mocha, and one `it` per
 * expectation checking that its case failed with its message: proof that
 * the suite catches each mistake in your plugin. Defaults to
 * {@link PLANTED_MISTAKE_EXPECTATIONS}.
 */
export function describePlantedMistakes(
  title: string,
  contractFile: string,
  expectations: readonly PlantedMistakeExpectation[] = PLANTED_MISTAKE_EXPECTATIONS,
): void {
  describe(title, function () {
    this.timeout(120_000);
    let report: ContractReport;

    before(async () => {
      const grep = `^planted (${expectations.map((e) => `${e.mistake}: .*${e.case}`).join('|')})`;
      report = await runContractInChild(contractFile, { grep, env: { PLANTED_MISTAKES: expectations.map((e) => e.mistake).join(',') } });
    });

    for (const e of expectations) {
      it(`fails the plugin with ${e.mistake}, naming the mistake`, () => {
        const failure = report.failures.find(
          (f) => f.title.length > 0 && f.fullTitle?.startsWith(`planted ${e.mistake}:`) && new RegExp(`^${e.case}`).test(f.title),
        );
        if (!failure) {
          throw new Error(`no failing case ${e.case} for ${e.mistake}; failures: ${report.failures.map((f) => f.fullTitle).join(' | ')}`);
        }
        const message = failure.err.message ?? '';
        if (!e.message.test(message))
          throw new Error(`case ${failure.title} failed for ${e.mistake}, but its message does not match ${e.message}: ${message}`);
      });
    }
  });
}
