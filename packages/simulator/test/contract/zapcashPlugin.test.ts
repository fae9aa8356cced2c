import { expect } from 'chai';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runContractInChild, type ContractReport } from '../../src/contract/index.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

/** Each broken variant of the ZapCash plugin, the case that must catch it, and what its failure must say. */
const BROKEN: { broken: string; case: string; message: RegExp }[] = [
  {
    broken: 'timeout-as-rejected',
    case: '21\\. ',
    message:
      /own timeout fired after the request left, and it reported error PROVIDER_BAD_REQUEST \(outcome rejected\).*a timeout after the request left is outcome unknown/,
  },
  {
    broken: 'float-amount',
    case: '14\\. ',
    message: /the provider recorded \S+ \w+ for an issuance of \S+ \w+ \(-1 minor unit\(s\) off\); that is binary float arithmetic/,
  },
  {
    broken: '5xx-as-refusal',
    case: '5\\. 5xx after commit',
    message:
      /was issued by the provider .* but your plugin reported it as rejected \(PROVIDER_BAD_REQUEST\) after a "status-after-commit" fault/,
  },
  { broken: '429-as-refusal', case: '7\\. 429', message: /and was never tried again: a 429 is retryable/ },
  {
    broken: 'fresh-reference',
    case: '5\\. 5xx after commit',
    message: /reached the provider under other reference\(s\) too .*without a stable reference/,
  },
  {
    broken: 'voucherless-success',
    case: '17\\. ',
    message: /answered a well-formed success without the voucher.*your plugin reported succeeded/,
  },
  {
    broken: 'secret-in-error',
    case: '(5\\. 5xx after commit|13\\. )',
    message: /the value of config\.token appears in .*of an error your plugin threw in case "5\. 5xx after commit/,
  },
  { broken: 'retries-on-its-own', case: '19\\. ', message: /reached the issue route 2 times .*your plugin retries on its own/ },
  {
    broken: 'ignores-signal',
    case: '20\\. ',
    message: /its request stayed open and the provider issued it .*pass options\.signal to your HTTP client/,
  },
  {
    broken: 'wrong-path',
    case: '0\\. ',
    message:
      /never reached the model's issue route.*your plugin sent POST \/zapcash\/api\/v2\/payouts \(credential headers authorization: Bearer zap_\*\*\*\) → 404, which is not the model's issue route\. The model zapcash expects POST \/zapcash\/v2\/payouts authenticated with Authorization: Bearer <account key>/,
  },
  {
    broken: 'model-without-lookup',
    case: '0b\\. ',
    message:
      /the plugin declares statusByReference: true, but the model zapcash has no route with role "status-by-reference": reconciliation would ask a lookup that does not exist/,
  },
  {
    broken: 'wrong-token',
    case: '0\\. ',
    message:
      /never reached the model's issue route.*the model refused its authentication: your plugin sent POST \/zapcash\/v2\/payouts \(credential headers authorization: Bearer zap_\*\*\*\) → 401/,
  },
];

describe('the contract suite on a third-party plugin (ZapCash: bearer token, integer minor units, lookup by reference only, 409 on a repeated reference)', function () {
  this.timeout(180_000);

  it('passes the correct plugin, with only the cases its provider rules out pending (no catalogue, no async issuance)', async () => {
    const report = await runContractInChild(join(fixtures, 'zapcashContract.js'));
    expect(report.failures.map((f) => `${f.title}: ${f.err.message}`)).to.deep.equal([]);
    const pending = report.pending.map((p) => p.title);
    expect(pending.map((t) => t.slice(0, t.indexOf(' ')))).to.deep.equal(['2b.', '8.', '8b.']);
    expect(pending.join('\n'))
      .to.match(/has no catalogue/)
      .and.to.match(/has no product that stays pending/);
    expect(report.stats.passes).to.be.greaterThan(30);
  });

  describe('broken variants', () => {
    let report: ContractReport;
    before(async () => {
      const grep = `^broken (${BROKEN.map((b) => `${b.broken}: .*${b.case}`).join('|')})`;
      report = await runContractInChild(join(fixtures, 'zapcashBrokenContract.js'), {
        grep,
        env: { ZAPCASH_BROKEN: BROKEN.map((b) => b.broken).join(',') },
      });
    });

    for (const b of BROKEN) {
      it(`fails the plugin with ${b.broken}, naming the mistake`, () => {
        const failure = report.failures.find(
          (f) => f.fullTitle.startsWith(`broken ${b.broken}:`) && new RegExp(`^${b.case}`).test(f.title),
        );
        expect(
          failure,
          `no failing case ${b.case} for ${b.broken}; failures: ${report.failures.map((f) => f.fullTitle).join(' | ')}`,
        ).to.not.equal(undefined);
        expect(failure?.err.message).to.match(b.message);
      });
    }

    it('leaves out, saying so, what a model whose lookups echo no amount cannot compare: case 1c pending, case 18b without amount and currency', async () => {
      const run = await runContractInChild(join(fixtures, 'zapcashBrokenContract.js'), {
        grep: '(1c|18b)\\. ',
        env: { ZAPCASH_BROKEN: 'model-echoes-no-amount' },
      });
      expect(run.failures.map((f) => f.err.message)).to.deep.equal([]);
      expect(run.pending.map((p) => p.title)).to.have.length(1);
      expect(run.pending[0].title).to.match(
        /^1c\. .*\(pending: the provider's lookups \(model zapcash\) echo no amount, so a lookup cannot compare it: a different amount is no conflict there\)$/,
      );
      expect(run.passes.map((p) => p.title)).to.have.length(1);
      expect(run.passes[0].title).to.match(
        /^18b\. .*not tried: .*amount: the model's lookups echo no amount or currency, so a lookup cannot compare it \(no conflict\); currency: /,
      );
    });

    it('runs no later case once case 0 finds the requests do not reach the model: they are pending, saying why', async () => {
      const wrong = await runContractInChild(join(fixtures, 'zapcashBrokenContract.js'), { env: { ZAPCASH_BROKEN: 'wrong-path' } });
      expect(wrong.failures.map((f) => f.title.slice(0, f.title.indexOf(' ')))).to.deep.equal(['0.']);
      expect(wrong.pending.length).to.be.greaterThan(25);
      for (const p of wrong.pending) expect(p.title).to.match(/\(pending: the plugin's requests do not reach the model: see case 0\)$/);
    });
  });
});
