import { join } from 'node:path';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { startSimulator, type Simulator } from '@relaypoint/simulator';
import { launchBrowser, takeScreenshots } from './helpers/browser.js';
import { airtimeIssue, ensureImagesDir } from './helpers/consoleEnv.js';

const MARKUP_REF = '<img src=x onerror="window.__pwned=1">R-9';

describe('simulator console (/__sim/console) in Chromium', function () {
  let sim: Simulator;
  let browser: Browser | null;
  let page: Page;

  before(async function () {
    browser = await launchBrowser();
    if (!browser) return this.skip();
    sim = await startSimulator({ seed: 7 });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${sim.url}/__sim/console`);
    await page.locator('.live[data-state=live]').waitFor();
  });

  after(async () => {
    await browser?.close();
    await sim?.close();
  });

  const applyScenario = async (scenario: unknown) => {
    await page.fill('#scenario-editor', JSON.stringify(scenario, null, 2));
    await page.click('#apply-scenario');
  };

  it('shows the path: message errors of an invalid scenario and keeps the one in force', async () => {
    await applyScenario({ rules: [{ route: 'airtime.issue', fault: { type: 'status-after-commit', status: 200 } }] });
    const errors = page.locator('#scenario-errors li');
    await errors.first().waitFor();
    const lines = await errors.allTextContents();
    expect(lines.some((l) => l.startsWith('rules[0].fault'))).to.equal(true, lines.join('\n'));
    expect(sim.scenario().rules).to.have.length(0);
  });

  it('loads a valid scenario, and the journal shows the faults the issuances met', async () => {
    await applyScenario({
      rules: [{ name: '503 twice', route: 'airtime.issue', calls: { first: 2 }, fault: { type: 'status-before-commit', status: 503 } }],
    });
    await page.locator('#scenario-status >> text=Scenario applied.').waitFor();
    expect(sim.scenario().rules).to.have.length(1);
    const statuses = [
      await airtimeIssue(sim, 'R-1'),
      await airtimeIssue(sim, 'R-1'),
      await airtimeIssue(sim, 'R-1'),
      await airtimeIssue(sim, MARKUP_REF),
    ];
    expect(statuses).to.deep.equal([503, 503, 200, 200]);
    await page.selectOption('#j-route', 'airtime.issue');
    await page.locator('#journal-rows tr[data-seq]').nth(3).waitFor();
    const rows = await page
      .locator('#journal-rows tr[data-seq]')
      .evaluateAll((trs) =>
        trs.map((tr) => ({ fault: tr.getAttribute('data-fault'), cells: [...tr.querySelectorAll('td')].map((td) => td.textContent) })),
      );
    expect(rows.map((r) => r.fault)).to.deep.equal(['none', 'none', 'status-before-commit', 'status-before-commit']);
    // Each answered request shows how long the simulator took (the journal's latencyMs).
    const headers = await page.locator('#journal-rows th').allTextContents();
    expect(headers).to.include('Latency');
    const latencies = await page.locator('#journal-rows tr[data-seq] td[data-label=Latency]').allTextContents();
    expect(latencies).to.have.length(4);
    for (const cell of latencies) expect(cell).to.match(/^\d+(\.\d)? ms$/);
    // The reference a client sent with markup in it is shown as text.
    expect(rows[0].cells).to.include(MARKUP_REF);
    expect(await page.locator('#journal img').count()).to.equal(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).to.equal(undefined);
    await page.check('#j-faults');
    await page.locator('#journal-rows tr[data-seq]').nth(1).waitFor();
    expect(await page.locator('#journal-rows tr[data-seq]').count()).to.equal(2);
  });

  it('shows the ledger and balances, and sink deliveries with their verification', async () => {
    await page.locator('#ledger-rows td.reference', { hasText: 'R-1' }).waitFor();
    expect(await page.locator('#ledger-rows dl').textContent()).to.contain('airtime balance');
    await fetch(`${sim.url}/__sim/sink/default`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"hello":"<i>sink</i>"}',
    });
    const row = page.locator('#sink-rows tr', { hasText: '<i>sink</i>' });
    await row.waitFor();
    expect(await row.textContent())
      .to.contain('unverified')
      .and.contain('NO_SECRET');
    if (takeScreenshots) {
      await page.uncheck('#j-faults');
      await page.selectOption('#j-route', '');
      await page.screenshot({ path: join(ensureImagesDir(), 'sim-console.png'), fullPage: true });
    }
  });

  it('resets the simulator in one click', async () => {
    page.once('dialog', (d) => void d.accept());
    await page.click('#reset');
    await page.locator('#sim-status >> text=Simulator reset.').waitFor();
    expect(sim.ledger.entries()).to.have.length(0);
    await page.locator('#ledger-rows caption', { hasText: '(0 of 0)' }).waitFor();
  });
});
