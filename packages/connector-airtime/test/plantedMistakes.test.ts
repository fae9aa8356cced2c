import { expect } from 'chai';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runContractInChild, type ContractReport, type PlantedMistake } from '@relaypoint/simulator/contract';

const fixture = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'plantedMistakesContract.js');

/** Each planted mistake, the case that must catch it, and what its failure must say. */
const EXPECTED: { mistake: PlantedMistake; case: string; message: RegExp }[] = [
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

describe('the contract suite on the airtime plugin with planted mistakes', function () {
  this.timeout(120_000);
  let report: ContractReport;

  before(async () => {
    const grep = `^planted (${EXPECTED.map((e) => `${e.mistake}: .*${e.case}`).join('|')})`;
    report = await runContractInChild(fixture, { grep, env: { PLANTED_MISTAKES: EXPECTED.map((e) => e.mistake).join(',') } });
  });

  for (const e of EXPECTED) {
    it(`fails the plugin with ${e.mistake}, naming the mistake`, () => {
      const failure = report.failures.find(
        (f) => f.title.length > 0 && f.fullTitle?.startsWith(`planted ${e.mistake}:`) && new RegExp(`^${e.case}`).test(f.title),
      );
      expect(
        failure,
        `no failing case ${e.case} for ${e.mistake}; failures: ${report.failures.map((f) => f.fullTitle).join(' | ')}`,
      ).to.not.equal(undefined);
      expect(failure?.err.message).to.match(e.message);
    });
  }
});
