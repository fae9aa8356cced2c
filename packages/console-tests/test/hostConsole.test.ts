import { join } from 'node:path';
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, takeScreenshots } from './helpers/browser.js';
import { ADMIN_KEY, ensureImagesDir, startConsoleEnv, TENANT_A_KEY, TENANT_B_KEY, type ConsoleEnv } from './helpers/consoleEnv.js';

const MARKUP = '<img src=x onerror="window.__pwned=1"><b>bold</b>';

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('host console (/console) in Chromium', function () {
  let env: ConsoleEnv;
  let browser: Browser | null;
  let context: BrowserContext;
  let page: Page;
  let subscriptionId: string;
  let subscriptionSecret: string;
  let failedDelivery: string;

  const shot = async (name: string) => {
    if (takeScreenshots) await page.screenshot({ path: join(ensureImagesDir(), `${name}.png`), fullPage: true });
  };

  const signIn = async (key: string) => {
    await page.goto(`${env.host.url}/console`);
    await page.waitForURL('**/console/sign-in');
    await page.fill('#api-key', key);
    await page.click('#sign-in');
  };

  before(async function () {
    browser = await launchBrowser();
    if (!browser) return this.skip();
    env = await startConsoleEnv();
    const sinkUrl = `${env.sim.url}/__sim/sink/console`;
    // The sink refuses the first delivery: with one attempt per delivery it is `failed` at once.
    await fetch(sinkUrl, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ failNext: { status: 500, count: 1 } }),
    });
    const sub = await env.api('POST', '/v1/webhooks', TENANT_A_KEY, {
      url: sinkUrl,
      events: ['reward.issued'],
      description: 'console test sink',
    });
    expect(sub.status).to.equal(201);
    subscriptionId = String(sub.body.id);
    subscriptionSecret = String(sub.body.secret);
    for (const [key, reference, customerId] of [
      [TENANT_A_KEY, 'A-1', 'cust-1'],
      [TENANT_A_KEY, 'A-2', MARKUP],
      [TENANT_A_KEY, 'A-3', 'cust-3'],
      [TENANT_B_KEY, 'B-ONLY-1', 'cust-b'],
    ]) {
      const r = await env.api('POST', '/v1/issuances', key, {
        connector: 'airtime',
        productId: 'AIRTIME_5',
        customerId,
        phoneNumber: '+15550001234',
        amount: '5.00',
        currency: 'USD',
        reference,
        metadata: { note: '<script>window.__pwned=2</script>' },
      });
      expect(r.status, JSON.stringify(r.body)).to.equal(201);
    }
    failedDelivery = await until('the three deliveries to finish, one failed', async () => {
      const r = await env.api('GET', `/v1/webhooks/${subscriptionId}/deliveries`, TENANT_A_KEY);
      const items = r.body.items as Array<{ id: string; status: string }>;
      if (items.length !== 3 || items.some((d) => d.status === 'pending' || d.status === 'in_flight')) return undefined;
      const failed = items.filter((d) => d.status === 'failed');
      expect(failed, 'exactly one delivery refused by the sink').to.have.length(1);
      return failed[0].id;
    });
    context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    page = await context.newPage();
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await env?.close();
  });

  it('refuses a wrong key and stays on the sign-in page', async () => {
    await signIn('not-a-key-of-anyone');
    const alert = page.locator('#sign-in-status [role=alert]');
    await alert.waitFor();
    expect(await alert.textContent()).to.contain('the API key is not valid');
    expect(page.url()).to.match(/\/console\/sign-in$/);
    await shot('console-sign-in');
  });

  it("signs in with a tenant key, by keyboard alone, and lists only that tenant's issuances; the session cookie is out of the page's reach", async () => {
    await page.goto(`${env.host.url}/console`);
    await page.waitForURL('**/console/sign-in');
    // The key field has focus on arrival; Enter submits.
    await page.keyboard.type(TENANT_A_KEY);
    await page.keyboard.press('Enter');
    await page.locator('#issuance-results tr[data-reference="A-1"]').waitFor();
    const refs = await page
      .locator('#issuance-results tr[data-reference]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-reference')));
    expect(refs).to.have.members(['A-1', 'A-2', 'A-3']);
    expect(await page.evaluate(() => ({ cookie: document.cookie, stored: localStorage.length + sessionStorage.length }))).to.deep.equal({
      cookie: '',
      stored: 0,
    });
    const cookie = (await context.cookies()).find((c) => c.name === 'relaypoint_console');
    expect(cookie).to.include({ httpOnly: true, sameSite: 'Strict', path: '/console' });
    expect(cookie!.expires).to.be.greaterThan(Date.now() / 1000);
    await page.locator('.live[data-state=live]').waitFor();
    await shot('console-issuances');
  });

  it('shows markup from the API (customer id, metadata) as text, never as elements', async () => {
    // Opened from the keyboard: Tab to the row's link, Enter.
    await page.locator('a.reference:text-is("A-3")').focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).to.equal('A-2');
    await page.keyboard.press('Enter');
    await page.locator('#timeline li').first().waitFor();
    const detail = page.locator('#issuance-detail');
    expect(await detail.textContent())
      .to.contain(MARKUP)
      .and.contain('note=<script>window.__pwned=2</script>');
    expect(await detail.locator('img, b, script').count()).to.equal(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).to.equal(undefined);
  });

  it('opens an issuance and shows its timeline: intent, send, result, webhook', async () => {
    await page.goto(`${env.host.url}/console/issuances/A-1`);
    const items = page.locator('#timeline li');
    await page.locator('#timeline li.tl-webhook').waitFor();
    const text = (await items.allTextContents()).join('\n');
    expect(text)
      .to.contain('Intent recorded')
      .and.contain('Sent to the provider: succeeded')
      .and.contain('Recorded succeeded')
      .and.contain('Webhook queued for');
    // Voucher codes are masked as the reward.issued event masks them.
    expect(await page.locator('#issuance-detail dd').allTextContents()).to.satisfy((dds: string[]) =>
      dds.some((d) => /^••••.{4}$/.test(d)),
    );
    await shot('console-issuance');
  });

  it('retries a failed delivery and watches it turn delivered without a reload', async () => {
    await page.click('nav >> text=Webhooks');
    await page.click(`a[href*="/console/webhooks/${subscriptionId}"]`);
    const row = page.locator(`tr[data-delivery="${failedDelivery}"]`);
    await row.and(page.locator('[data-status=failed]')).waitFor();
    await row.locator('button:text-is("Retry")').click();
    await page.locator(`tr[data-delivery="${failedDelivery}"][data-status=delivered]`).waitFor({ timeout: 10_000 });
    await shot('console-subscription');
  });

  it('replays a time range of deliveries', async () => {
    const range = await page.evaluate(() => {
      const local = (t: number) => {
        const d = new Date(t - new Date(t).getTimezoneOffset() * 60_000);
        return d.toISOString().slice(0, 19);
      };
      return { from: local(Date.now() - 3_600_000), to: local(Date.now() + 60_000) };
    });
    await page.fill('#replay-from', range.from);
    await page.fill('#replay-to', range.to);
    await page.click('#replay');
    const status = page.locator('#actions-status');
    await status.locator('text=Replay scheduled').waitFor();
    expect(await status.textContent()).to.contain('Replay scheduled 3 deliveries');
  });

  it('sends a test event from the subscription page and watches its delivery turn delivered at the sink, signed', async () => {
    env.sim.sinks.configure('console', { secret: subscriptionSecret });
    await page.goto(`${env.host.url}/console/webhooks/${subscriptionId}`);
    await page.locator('button:text-is("Send test event")').click();
    const link = page.locator('#actions-status #test-delivery');
    await link.waitFor();
    const deliveryId = String(await link.textContent());
    expect(deliveryId).to.match(/^msg_/);
    const row = page.locator(`tr[data-delivery="${deliveryId}"][data-status=delivered]`);
    await row.waitFor({ timeout: 10_000 });
    expect(await row.locator('td[data-label=Event]').textContent()).to.equal('webhook.test');
    const received = env.sim.sinks.deliveries('console').filter((d) => d.headers['webhook-id'] === deliveryId);
    expect(received).to.have.length(1);
    expect(received[0].verified).to.equal(true);
    expect((received[0].json as { type: string }).type).to.equal('webhook.test');
  });

  it('refuses a state-changing call without the CSRF token, even with the session cookie', async () => {
    const answers = await page.evaluate(async (id) => {
      const post = async (headers: Record<string, string>) => {
        const r = await fetch(`/console/api/deliveries/${id}/retry`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: '{}',
        });
        return { status: r.status, type: r.headers.get('content-type'), code: ((await r.json()) as { code: string }).code };
      };
      return [await post({}), await post({ 'x-csrf-token': 'guessed' })];
    }, failedDelivery);
    for (const a of answers)
      expect(a).to.deep.equal({ status: 403, type: 'application/problem+json; charset=utf-8', code: 'CSRF_TOKEN_INVALID' });
  });

  it('lists connectors with breaker state and latency percentiles', async () => {
    await page.click('nav >> text=Connectors');
    const row = page.locator('tr', { hasText: '@relaypoint/connector-airtime' });
    await row.waitFor();
    const text = await row.textContent();
    expect(text)
      .to.contain('closed')
      .and.match(/\d+(\.\d+)? ms \/ /);
    await shot('console-connectors');
  });

  it('lets the admin see every tenant and narrow to one', async () => {
    await page.click('text=Sign out');
    await page.waitForURL('**/console/sign-in');
    await signIn(ADMIN_KEY);
    await page.locator('#issuance-results tr[data-reference="B-ONLY-1"]').waitFor();
    expect(await page.locator('#issuance-results tr[data-reference]').count()).to.equal(4);
    await page.selectOption('#tenant-filter', 'tenant-b');
    await page.waitForFunction(() => document.querySelectorAll('#issuance-results tr[data-reference]').length === 1);
    expect(await page.locator('#issuance-results tr[data-reference]').getAttribute('data-reference')).to.equal('B-ONLY-1');
    expect(new URL(page.url()).searchParams.get('tenant')).to.equal('tenant-b');
  });

  it('stays readable at 320 px wide: no horizontal scrolling', async () => {
    await page.setViewportSize({ width: 320, height: 800 });
    await page.goto(`${env.host.url}/console?tenant=tenant-a`);
    await page.locator('#issuance-results tr[data-reference="A-1"]').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).to.be.at.most(320);
    await shot('console-issuances-320px');
  });
});
