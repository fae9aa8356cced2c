import { expect } from 'chai';
import { launchBrowser } from './helpers/browser.js';

describe('launchBrowser', () => {
  it('fails under CI=true when there is no browser, so a browser suite can never pass by not running', async () => {
    let error: unknown;
    try {
      await launchBrowser('/nonexistent/chromium', true);
    } catch (e) {
      error = e;
    }
    expect(String(error)).to.contain('CI=true and no browser at /nonexistent/chromium');
  });

  it('answers null outside CI, which the suites turn into pending', async () => {
    expect(await launchBrowser('/nonexistent/chromium', false)).to.equal(null);
  });
});
