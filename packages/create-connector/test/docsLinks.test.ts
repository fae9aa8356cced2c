import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const docsDir = join(repoRoot, 'docs');

function* markdownFiles(dir: string): Generator<string> {
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) yield* markdownFiles(p);
    else if (e.endsWith('.md')) yield p;
  }
}

/** Relative link targets of a markdown file (no URLs, no pure anchors), without their #fragment. */
function relativeLinks(file: string): string[] {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1])
    .filter((href) => !/^[a-z][a-z0-9+.-]*:/i.test(href) && !href.startsWith('#'))
    .map((href) => href.split('#')[0]);
}

describe('docs/', () => {
  it('README.md links every guide and reference page', () => {
    const linked = new Set(relativeLinks(join(docsDir, 'README.md')).map((h) => resolve(docsDir, h)));
    const unlinked = [...markdownFiles(docsDir)]
      .filter((f) => f !== join(docsDir, 'README.md') && !linked.has(f))
      .map((f) => relative(repoRoot, f));
    expect(unlinked, 'docs not linked from docs/README.md').to.deep.equal([]);
  });

  it('has no broken relative links (nor has the root README or any package README)', () => {
    const packageReadmes = readdirSync(join(repoRoot, 'packages'))
      .sort()
      .map((d) => join(repoRoot, 'packages', d, 'README.md'))
      .filter((f) => existsSync(f));
    const broken: string[] = [];
    for (const file of [...markdownFiles(docsDir), join(repoRoot, 'README.md'), ...packageReadmes]) {
      for (const href of relativeLinks(file)) {
        if (!existsSync(resolve(dirname(file), href))) broken.push(`${relative(repoRoot, file)} → ${href}`);
      }
    }
    expect(broken, 'links to files that do not exist').to.deep.equal([]);
  });
});
