import { expect } from 'chai';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeConnectorContract, runContractInChild, type ContractProbe, type ContractReport } from '../../src/contract/index.js';
import { probeIssuances } from '../../src/contract/probeIssuances.js';
import { ZAPCASH_TOKEN, zapcashModel } from '../fixtures/zapcashModel.js';
import { zapcashPlugin } from './fixtures/zapcashPlugin.js';

const fixture = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'zapcashProxyContract.js');

/** Planted mistakes (and a token the sandbox refuses) the suite must still catch in proxy mode, judged by the probe and the proxy's journal. */
const BROKEN: { broken: string; case: string; message: RegExp }[] = [
  {
    broken: 'timeout-as-rejected',
    case: '21\\. ',
    message: /own timeout fired after the request left, and it reported error PROVIDER_BAD_REQUEST \(outcome rejected\)/,
  },
  {
    broken: '5xx-as-refusal',
    case: '5\\. 5xx after commit',
    message:
      /was issued by the provider .* but your plugin reported it as rejected \(PROVIDER_BAD_REQUEST\) after a "status-after-commit" fault/,
  },
  {
    broken: 'fresh-reference',
    case: '5\\. 5xx after commit',
    message: /reached the provider under other reference\(s\) too .*without a stable reference/,
  },
  {
    broken: 'float-amount',
    case: '14\\. ',
    message: /the provider recorded 0\.28 USD for an issuance of 0\.29 USD \(-1 minor unit\(s\) off\); that is binary float arithmetic/,
  },
  {
    broken: 'voucherless-success',
    case: '17\\. ',
    message: /answered a well-formed success without the voucher.*your plugin reported succeeded/,
  },
  { broken: 'retries-on-its-own', case: '19\\. ', message: /reached the issue route 2 times .*your plugin retries on its own/ },
  {
    broken: 'ignores-signal',
    case: '20\\. ',
    message: /its request stayed open and the provider issued it .*pass options\.signal to your HTTP client/,
  },
  { broken: '429-as-refusal', case: '7\\. 429', message: /and was never tried again: a 429 is retryable/ },
  {
    broken: 'wrong-token',
    case: '0\\. ',
    message:
      /never reached the model's issue route.*the provider refused its authentication: your plugin sent POST \/v2\/payouts \(credential headers authorization: Bearer zap_\*\*\*\) → 401.*The model zapcash expects POST \/v2\/payouts authenticated with Authorization: Bearer <account key>/,
  },
  {
    broken: 'secret-in-error',
    case: '(5\\. 5xx after commit|13\\. )',
    message: /the value of config\.token appears in .*of an error your plugin threw in case "5\. 5xx after commit/,
  },
];

const titles = (list: { title: string }[]) => list.map((t) => t.title.slice(0, t.title.indexOf(' ')));

describe("describeConnectorContract in proxy mode (the fault proxy in front of a stand-in sandbox, judged by the author's probe)", function () {
  this.timeout(120_000);

  it("passes the correct ZapCash plugin judged by the provider's own lookup; what proxy mode cannot know is pending, saying so", async () => {
    const report = await runContractInChild(fixture);
    expect(report.failures.map((f) => `${f.title}: ${f.err.message}`)).to.deep.equal([]);
    expect(titles(report.pending)).to.have.members(['1b.', '2b.', '8.', '8b.', '9.']);
    const reason = (n: string) => report.pending.find((p) => p.title.startsWith(n))?.title;
    expect(reason('9.')).to.match(/\(pending: proxy mode cannot know or set the account balance/);
    expect(reason('1b.')).to.match(/\(pending: the probe gives no count of transactions per reference/);
    const matrix = report.passes.find((p) => p.title.startsWith('14.'))?.title;
    expect(matrix, 'the amount matrix runs its small amounts').to.match(
      /not tried: 1000000\.01 USD: proxy mode cannot set the balance it needs/,
    );
    expect(titles(report.passes)).to.include.members([
      '0.',
      '4.',
      '6.',
      '7.',
      '10.',
      '11.',
      '12.',
      '13.',
      '17.',
      '18.',
      '18b.',
      '19.',
      '20.',
      '21.',
    ]);
  });

  it('runs the per-reference count (case 1b) when the probe can count', async () => {
    const report = await runContractInChild(fixture, { grep: '1b\\. ', env: { ZAPCASH_PROBE: 'ledger' } });
    expect([report.stats.passes, report.stats.pending, report.stats.failures]).to.deep.equal([1, 0, 0]);
  });

  describe('planted mistakes', () => {
    let report: ContractReport;
    before(async () => {
      const grep = `^broken (${BROKEN.map((b) => `${b.broken}: .*${b.case}`).join('|')})`;
      report = await runContractInChild(fixture, { grep, env: { ZAPCASH_BROKEN: BROKEN.map((b) => b.broken).join(',') } });
    });

    for (const b of BROKEN) {
      it(`fails the plugin with ${b.broken} in proxy mode too, naming the mistake`, () => {
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
  });

  describe('its options and its probe', () => {
    const configFor = (baseUrl: string) => ({ baseUrl, token: ZAPCASH_TOKEN });
    const probe: ContractProbe = () => Promise.resolve(undefined);

    it('refuses proxy mode without a model or without a probe, saying what is missing', () => {
      expect(() =>
        describeConnectorContract({ plugin: zapcashPlugin, proxy: { target: 'https://sandbox.zapcash.example', probe }, configFor }),
      ).to.throw(/proxy mode needs the provider's model \(proxy\.model or model\)/);
      expect(() =>
        describeConnectorContract({
          plugin: zapcashPlugin,
          proxy: { target: 'https://sandbox.zapcash.example', model: zapcashModel, probe: undefined as never },
          configFor,
        }),
      ).to.throw(/proxy\.probe must be a function/);
      expect(() =>
        describeConnectorContract({
          plugin: zapcashPlugin,
          proxy: { target: 'sandbox.zapcash.example', model: zapcashModel, probe },
          configFor,
        }),
      ).to.throw(/proxy\.target must be an http or https URL/);
    });

    it("reads the probe in the ledger's terms: the amount with its currency's decimals, the model's success word, one entry per counted transaction", async () => {
      const found = await probeIssuances(
        async (reference) =>
          reference === 'R-1'
            ? { status: 'succeeded', transactionId: 'po_1', amount: '5', currency: 'USD', voucherCode: 'V', count: 2 }
            : undefined,
        ['R-1', 'R-2'],
        'paid',
      );
      expect(found).to.deep.equal([
        {
          issuance: {
            reference: 'R-1',
            transactionId: 'po_1',
            status: 'paid',
            amount: '5.00',
            currency: 'USD',
            debited: true,
            voucherCode: 'V',
          },
          count: 2,
        },
      ]);
    });

    it('fails naming the probe, not the plugin, when the probe throws or answers out of shape', async () => {
      const failure = async (p: ContractProbe) =>
        probeIssuances(p, ['R-1'], 'paid').then(
          () => expect.fail('no failure'),
          (e: Error) => e.message,
        );
      expect(await failure(() => Promise.reject(new Error('HTTP 401')))).to.match(
        /^the probe \(proxy\.probe\) threw for reference R-1: HTTP 401\. The suite cannot judge the plugin without it/,
      );
      expect(await failure(async () => ({ status: 'paid' as never, transactionId: 'po_1', amount: '5.00', currency: 'USD' }))).to.match(
        /the probe \(proxy\.probe\) for reference R-1 returned status 'paid': expected "succeeded", "pending" or "failed"/,
      );
      expect(await failure(async () => ({ status: 'succeeded', transactionId: '', amount: '5.00', currency: 'USD' }))).to.match(
        /returned no transactionId/,
      );
      expect(await failure(async () => ({ status: 'succeeded', transactionId: 'po_1', amount: 5 as never, currency: 'USD' }))).to.match(
        /returned amount 5 'USD': expected a decimal string/,
      );
    });
  });
});
