import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { packageDir } from './helpers/harness.js';

const packagesDir = join(packageDir, '..');

/** Every bin of every workspace package: [package, bin name, target relative to the package]. */
function bins(): Array<[string, string, string]> {
  const out: Array<[string, string, string]> = [];
  for (const dir of readdirSync(packagesDir)) {
    const manifest = join(packagesDir, dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { bin?: Record<string, string> };
    for (const [name, target] of Object.entries(pkg.bin ?? {})) out.push([dir, name, target]);
  }
  return out;
}

// Regression: the bins pointed into dist/, which `npm ci` on a fresh clone runs before: npm linked none, and
// `npx relaypoint` fell through to the public registry.
describe('workspace bins', () => {
  it('are the documented three', () => {
    expect(
      bins()
        .map(([, name]) => name)
        .sort(),
    ).to.deep.equal(['create-relaypoint-connector', 'relaypoint', 'relaypoint-sim']);
  });

  for (const [dir, name, target] of bins()) {
    it(`${name} points at a committed launcher outside dist/ that runs --help`, () => {
      expect(target.replace(/^\.\//, '').startsWith('dist/'), `${dir}: ${target}`).to.equal(false);
      const file = join(packagesDir, dir, target);
      expect(existsSync(file), file).to.equal(true);
      const git = spawnSync('git', ['ls-files', '--error-unmatch', file], { cwd: packageDir, encoding: 'utf8' });
      expect(git.status, `${file} is not tracked by git`).to.equal(0);
      const r = spawnSync(process.execPath, [file, '--help'], { encoding: 'utf8', timeout: 20_000 });
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout).to.include(name);
    });
  }
});
