import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', '..');

/**
 * The files docs/testing-your-own-provider.md shows (named by the first line of each code block), the
 * repository files they are, and the import specifiers that differ: a package of your own imports the
 * published packages where the fixtures, inside this repository, import by path.
 */
const SHOWN: Record<string, { file: string; imports: [string, string][] }> = {
  'test/zapcashModel.ts': {
    file: 'packages/simulator/test/fixtures/zapcashModel.ts',
    imports: [["'../../src/index.js'", "'@relaypoint/simulator'"]],
  },
  'src/index.ts': { file: 'packages/simulator/test/contract/fixtures/zapcashPlugin.ts', imports: [] },
  'test/contract.test.ts': {
    file: 'packages/simulator/test/contract/fixtures/zapcashContract.ts',
    imports: [
      ["'../../../src/contract/index.js'", "'@relaypoint/simulator/contract'"],
      ["'../../fixtures/zapcashModel.js'", "'./zapcashModel.js'"],
      ["'./zapcashPlugin.js'", "'../src/index.js'"],
    ],
  },
};

/** The file as the page shows it. */
function asShown(path: string): string {
  const shown = SHOWN[path];
  let text = readFileSync(join(repoRoot, shown.file), 'utf8');
  for (const [from, to] of shown.imports) text = text.split(from).join(to);
  return `// ${path}\n${text}`;
}

describe('docs/testing-your-own-provider.md', () => {
  const doc = readFileSync(join(repoRoot, 'docs', 'testing-your-own-provider.md'), 'utf8');
  const blocks = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);

  for (const path of Object.keys(SHOWN)) {
    it(`shows ${path} exactly as the tested fixture ${SHOWN[path].file} (imports from the published packages)`, () => {
      const block = blocks.find((b) => b.startsWith(`// ${path}\n`));
      expect(block, `a \`\`\`ts block starting with "// ${path}"`).to.not.equal(undefined);
      expect(block).to.equal(asShown(path));
    });
  }
});
