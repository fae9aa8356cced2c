import { expect } from 'chai';
import { loadOptional } from '../src/loadOptional.js';

describe('loadOptional', () => {
  it('loads an installed package', async () => {
    const simulator = await loadOptional<{ startSimulator: unknown }>('@relaypoint/simulator', 'the demo');
    expect(simulator.startSimulator).to.be.a('function');
  });

  it('names the missing package, what needs it and how to install it', async () => {
    let error: unknown;
    try {
      await loadOptional('@relaypoint/not-installed-anywhere', 'the demo');
    } catch (e) {
      error = e;
    }
    expect(String(error)).to.equal(
      'Error: the demo needs @relaypoint/not-installed-anywhere, which is not installed; install it with: npm install @relaypoint/not-installed-anywhere',
    );
  });
});
