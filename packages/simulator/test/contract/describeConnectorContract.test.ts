import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Flaw } from './fixtures/flawedAirtimePlugin.js';

const here = dirname(fileURLToPath(import.meta.url));
const fixture = join(here, 'fixtures', 'flawedContract.js');
const mochaBin = createRequire(import.meta.url).resolve('mocha/bin/mocha.js');

interface Report {
  stats: { tests: number; passes: number; failures: number };
  failures: { title: string; err: { message?: string } }[];
  passes: { title: string }[];
}

/** Runs the contract suite against a flawed plugin in a child mocha (its own globals and process) and returns the JSON report. */
function runContract(flaw: Flaw, grep: string, env: Record<string, string> = {}): Promise<Report> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [mochaBin, '--no-config', '--no-package', '--timeout', '30000', '--reporter', 'json', '--grep', grep, fixture],
      {
        env: { ...process.env, CONTRACT_FLAW: flaw, CONTRACT_CHAOS_ISSUANCES: '200', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', () => {
      try {
        resolve(JSON.parse(out) as Report);
      } catch {
        reject(new Error(`child mocha wrote no JSON report; stderr:\n${err}\nstdout:\n${out.slice(0, 2000)}`));
      }
    });
  });
}

function failureOf(report: Report, title: RegExp): string {
  const f = report.failures.find((x) => title.test(x.title));
  expect(f, `expected case ${title} to fail; failures: ${report.failures.map((x) => x.title).join(' | ') || 'none'}`).to.not.equal(
    undefined,
  );
  return f?.err.message ?? '';
}

describe('describeConnectorContract', function () {
  this.timeout(90_000);

  it('passes a correct plugin on the same cases the flawed plugins fail (control)', async () => {
    const report = await runContract('none', '(1\\. happy|1c\\. |3\\. auth|3b\\. |4\\. 5xx|5\\. |7\\. 429|12\\. chaos)');
    expect(report.failures.map((f) => `${f.title}: ${f.err.message}`)).to.deep.equal([]);
    expect(report.stats.passes).to.equal(16);
  });

  it("fails a plugin whose status lookup takes a different request's transaction under the reference, and says to compare with query.request", async () => {
    const report = await runContract('lookup-ignores-request', '1c\\. ');
    expect(failureOf(report, /^1c\. /)).to.match(
      /looking up reference \S+ for a request of \S+ USD returned succeeded .*but the transaction holding that reference was issued for \S+ USD: reconciliation would record another request's voucher as this one's\. Compare the transaction you find with query\.request/,
    );
  });

  it("fails a plugin that reads any 404 on a lookup as not found, and says only the provider's own answer means that", async () => {
    const report = await runContract('any-404-not-found', '3b\\. ');
    expect(failureOf(report, /^3b\. /)).to.match(
      /a status lookup by transaction id against a server that answers every request with a bare 404 page returned not_found \(no transaction id\): reconciliation would conclude that nothing was issued\. Say not_found only on the provider's own "no such transaction" answer/,
    );
  });

  it('fails a plugin that takes a 4xx answer to an issue for a success, and says a 4xx is never a success', async () => {
    const report = await runContract('4xx-as-success', '3b\\. ');
    expect(failureOf(report, /^3b\. /)).to.match(
      /with a base URL whose server answers every request with a bare 404 page, issuing reference \S+ returned succeeded \(no transaction id\): a 4xx is never a success/,
    );
  });

  it('fails a plugin that calls a redirect after the POST a refusal, and says an unexpected 3xx is outcome unknown', async () => {
    const report = await runContract('3xx-as-rejected', '5\\. 303');
    expect(failureOf(report, /^5\. 303 redirect after commit/)).to.match(
      /was issued by the provider \(transaction \S+, status success\) but your plugin reported it as rejected \(PROVIDER_BAD_REQUEST\) after a "status-after-commit" fault on the first attempt: .*so may an unexpected 1xx\/3xx \(a 303 See Other to the POST that created the transaction, say\): PROVIDER_BAD_RESPONSE, outcome unknown/,
    );
  });

  it('fails a plugin that trusts a refusal code in a 5xx body over the status, and says the status wins', async () => {
    const report = await runContract('body-over-status', '5\\. 500 after commit with a refusal');
    expect(failureOf(report, /^5\. 500 after commit with a refusal code/)).to.match(
      /was issued by the provider \(transaction \S+, status success\) but your plugin reported it as rejected \(PROVIDER_INSUFFICIENT_BALANCE\) after a "status-after-commit" fault on the first attempt: .*The status wins over the body: a 5xx is outcome unknown even when its body carries a refusal code/,
    );
  });

  it("fails a plugin that calls a 408 a refusal, and says a gateway's 408 must be outcome unknown", async () => {
    const report = await runContract('408-as-rejected', '5\\. 408');
    expect(failureOf(report, /^5\. 408 from a gateway after commit/)).to.match(
      /was issued by the provider \(transaction \S+, status success\) but your plugin reported it as rejected \(PROVIDER_BAD_REQUEST\) after a "status-after-commit" fault on the first attempt: a 5xx answer \(or a gateway's 408\) may come after the provider committed/,
    );
  });

  it('fails a plugin that re-sends with a fresh reference after an unknown outcome, and says it re-sent without a stable reference', async () => {
    const report = await runContract('fresh-reference', '(5\\. 5xx after commit|12\\. chaos)');
    expect(failureOf(report, /^5\. 5xx after commit/)).to.match(
      /one issuance of reference \S+ reached the provider under other reference\(s\) too \(\S+-retry1\), and it recorded 2 issuance\(s\) for it: your plugin re-sent a request whose outcome was unknown without a stable reference/,
    );
    expect(failureOf(report, /^12\. chaos/)).to.match(/which was never requested: your plugin re-sent without a stable reference/);
  });

  it('fails a plugin that reports failed on a 5xx after commit, and says a 5xx must be outcome unknown', async () => {
    const report = await runContract('failed-after-5xx', '(4\\. 5xx before|5\\. 5xx after commit|12\\. chaos)');
    expect(failureOf(report, /^5\. 5xx after commit/)).to.match(
      /was issued by the provider \(transaction \S+, status success\) but your plugin reported failed after a "status-after-commit" fault on the first attempt: a 5xx answer \(or a gateway's 408\) may come after the provider committed: map it to outcome unknown/,
    );
    expect(failureOf(report, /^4\. 5xx before/)).to.match(
      /your plugin reported failed \(no transaction id\): a 5xx answer \(or a gateway's 408\) may come after the provider committed/,
    );
    expect(failureOf(report, /^12\. chaos/)).to.match(/reported failed but the provider issued it/);
  });

  it('fails a plugin that swallows a malformed 200 body as success, and says the body must be outcome unknown', async () => {
    const report = await runContract('swallow-malformed', '5\\. malformed');
    expect(failureOf(report, /^5\. malformed/)).to.match(
      /but your plugin reported succeeded \(no transaction id\) after a "malformed" fault on the first attempt: .*a 2xx body that does not parse must be outcome unknown/,
    );
  });

  it('fails a plugin that labels every unknown outcome not_sent, though re-sends hide it from the end result, and says the attempt must be outcome unknown', async () => {
    const report = await runContract('unknown-as-not-sent', '5\\. ');
    const faults: [RegExp, RegExp][] = [
      [
        /^5\. 5xx after commit/,
        /^a 500 after the provider committed must be outcome unknown: the voucher may exist \(this time the provider did issue reference \S+: transaction \S+, status success\), but on a single attempt \(no retry, no reconciliation\) your plugin reported error PROVIDER_UNREACHABLE \(outcome not_sent, retryable\)/,
      ],
      [/^5\. 503 after commit/, /^a 503 after the provider committed must be outcome unknown: the voucher may exist/],
      [
        /^5\. connection dropped after commit/,
        /^a connection dropped after the provider committed must be outcome unknown: the voucher may exist/,
      ],
      [
        /^5\. TCP reset/,
        /^a connection reset after the request left must be outcome unknown: the voucher may exist \(this time the provider issued nothing for reference \S+, but your plugin cannot tell/,
      ],
      [/^5\. truncated body/, /^a success body cut short after the provider committed must be outcome unknown/],
      [/^5\. malformed 200 body/, /^a 200 whose body does not parse must be outcome unknown/],
    ];
    for (const [title, message] of faults) {
      const m = failureOf(report, title);
      expect(m).to.match(message);
      expect(m).to.match(
        /Your duplicateReference "reject-duplicate" does not change this: a re-send that gets the original back only hides the label from the end result/,
      );
    }
  });

  it('fails a plugin that ignores Retry-After, and says how soon it came back', async () => {
    const report = await runContract('ignore-retry-after', '7\\. 429');
    expect(failureOf(report, /^7\. 429/)).to.match(
      /second attempt reached the provider \d+ ms after a 429 that asked for Retry-After: 1 s: read the Retry-After header into the error's retryAfterMs/,
    );
  });

  it('fails a plugin that puts credentials in an error cause, and names the secret field', async () => {
    const report = await runContract('leak-secret', '3\\. auth');
    expect(failureOf(report, /^3\. auth/)).to.match(
      /the value of config\.apiKey \(or another secret\) appears in the error or its cause chain/,
    );
  });
});
