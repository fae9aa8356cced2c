import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import express from 'express';
import { CONSOLE_CSP, consoleAssetRoutes, consoleSecurityHeaders, consoleShell, loadConsoleAssets } from '../src/index.js';

describe('console assets', () => {
  const assets = loadConsoleAssets();
  let url: string;
  let close: () => void;

  before(async () => {
    const app = express();
    app.use('/c', consoleSecurityHeaders, consoleAssetRoutes(assets));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/c`;
    close = () => server.close();
  });
  after(() => close());

  it('holds both applications and the stylesheet, under one hash of their contents', () => {
    expect([...assets.files.keys()]).to.include.members(['host/main.js', 'sim/main.js', 'common/dom.js', 'console.css']);
    expect(assets.hash).to.match(/^[0-9a-f]{16}$/);
  });

  it('serves a hashed asset for a year (immutable) with its type and the CSP', async () => {
    const res = await fetch(`${url}/assets/${assets.hash}/common/dom.js`);
    expect(res.status).to.equal(200);
    expect(res.headers.get('cache-control')).to.equal('public, max-age=31536000, immutable');
    expect(res.headers.get('content-type')).to.equal('text/javascript; charset=utf-8');
    expect(res.headers.get('content-security-policy')).to.equal(CONSOLE_CSP);
    expect(await res.text()).to.contain('createTextNode');
  });

  it('answers a stale hash or an unknown file with an uncached 404', async () => {
    for (const path of [
      `/assets/0123456789abcdef/common/dom.js`,
      `/assets/${assets.hash}/nope.js`,
      `/assets/${assets.hash}/../package.json`,
    ]) {
      const res = await fetch(`${url}${path}`);
      expect(res.status, path).to.equal(404);
    }
    const stale = await fetch(`${url}/assets/0123456789abcdef/common/dom.js`);
    expect(stale.headers.get('cache-control')).to.equal('no-store');
  });

  it('writes a page with no inline script or style, only hashed same-origin URLs', () => {
    const html = consoleShell({ app: 'sim', title: 'T <x>', base: '/__sim/console', assets });
    expect(html).to.contain('<title>T &#60;x&#62;</title>');
    expect(html.match(/<script[^>]*>/g)).to.deep.equal([`<script type="module" src="/__sim/console/assets/${assets.hash}/sim/main.js">`]);
    expect(html).not.to.match(/<style|style=|\son[a-z]+=/i);
  });

  it('never assigns HTML from strings in the browser code', () => {
    for (const [name, file] of assets.files) {
      if (!name.endsWith('.js')) continue;
      expect(file.body.toString('utf8'), name).not.to.match(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/);
    }
  });

  it('sets a policy that forbids inline script, framing and other origins', () => {
    expect(CONSOLE_CSP)
      .to.contain("default-src 'none'")
      .and.contain("script-src 'self'")
      .and.contain("frame-ancestors 'none'")
      .and.not.contain('unsafe');
  });
});
