import { expect } from 'chai';
import { validatePackageName } from '../src/index.js';

describe('validatePackageName', () => {
  for (const name of ['topup', 'relaypoint-connector-topup', '@acme/relaypoint-connector-topup', 'a.b_c-d', 'x'.repeat(214)]) {
    it(`accepts ${name.length > 40 ? `a ${name.length}-character name` : name}`, () => {
      expect(validatePackageName(name)).to.deep.equal([]);
    });
  }
  const bad: Array<[string, RegExp]> = [
    ['', /empty/],
    ['TopUp', /capital letters/],
    ['.hidden', /period/],
    ['_private', /underscore/],
    [' spaced', /spaces/],
    ['has space', /URL-friendly/],
    ['no!pe', /special characters/],
    ['fs', /built-in/],
    ['http', /built-in/],
    ['node_modules', /reserved/],
    ['@acme/', /"name" or "@scope\/name"/],
    ['@/x', /"name" or "@scope\/name"|scope/],
    ['a/b', /"name" or "@scope\/name"/],
    ['@acme/.x', /period/],
    ['x'.repeat(215), /at most 214/],
  ];
  for (const [name, problem] of bad) {
    it(`refuses ${JSON.stringify(name.length > 40 ? `${name.slice(0, 10)}…(${name.length})` : name)}`, () => {
      const problems = validatePackageName(name);
      expect(problems.join('; ')).to.match(problem);
    });
  }
});
