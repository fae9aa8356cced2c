import { expect } from 'chai';
import { startSimulator, type Simulator } from '../src/index.js';

describe('simulator console (/__sim/console)', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ seed: 1 });
  });
  after(async () => sim.close());

  it('serves its page with a strict CSP, no caching, and the hashed script it names', async () => {
    const page = await fetch(`${sim.url}/__sim/console`);
    expect(page.status).to.equal(200);
    expect(page.headers.get('content-type')).to.contain('text/html');
    expect(page.headers.get('cache-control')).to.equal('no-store');
    expect(page.headers.get('content-security-policy')).to.contain("script-src 'self'").and.not.contain('unsafe');
    const src = /<script type="module" src="(\/__sim\/console\/assets\/[0-9a-f]{16}\/sim\/main\.js)"><\/script>/.exec(await page.text());
    expect(src, 'module script').not.to.equal(null);
    const script = await fetch(`${sim.url}${src![1]}`);
    expect(script.status).to.equal(200);
    expect(script.headers.get('cache-control')).to.equal('public, max-age=31536000, immutable');
  });

  it('leaves the control API and its 404 problems as they were', async () => {
    expect((await fetch(`${sim.url}/__sim/scenario`)).status).to.equal(200);
    const missing = await fetch(`${sim.url}/__sim/console-nope`);
    expect(missing.status).to.equal(404);
    expect(((await missing.json()) as { code: string }).code).to.equal('NOT_FOUND');
  });
});
