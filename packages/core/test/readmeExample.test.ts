import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

describe('README example', () => {
  it('runs and issues once, reconciling the lost answer', async () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const block = /<!-- example -->\n```js\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block, 'example block').to.be.a('string');
    const coreUrl = new URL('../src/index.js', import.meta.url).href;
    const dir = mkdtempSync(join(tmpdir(), 'relaypoint-readme-'));
    const file = join(dir, 'example.mjs');
    writeFileSync(file, (block as string).replace("'@relaypoint/core'", JSON.stringify(coreUrl)));
    const lines: unknown[][] = [];
    const log = console.log;
    console.log = (...args: unknown[]) => void lines.push(args);
    try {
      await import(pathToFileURL(file).href);
    } finally {
      console.log = log;
      rmSync(dir, { recursive: true, force: true });
    }
    expect(lines).to.deep.equal([['succeeded', 't-1', 'provider calls: 1']]);
  });
});

describe('README error table', () => {
  it('has one row for every code in ErrorCodes, and no other', async () => {
    const { ErrorCodes } = await import('../src/index.js');
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.split('\n## ').find((part) => part.startsWith('Error codes\n'));
    expect(section, 'the "Error codes" section').to.be.a('string');
    const rows = [...(section as string).matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect([...rows].sort()).to.deep.equal(Object.values(ErrorCodes).sort());
  });
});
