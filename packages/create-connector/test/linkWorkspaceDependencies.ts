import { existsSync, mkdirSync, readFileSync, realpathSync, symlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * Makes a package outside the workspace runnable offline: every dependency
 * and devDependency named in its package.json is symlinked from the
 * workspace's node_modules (workspace packages resolve to their folders, so
 * the build under test is what runs), and their bins are linked into
 * node_modules/.bin the way npm would. Throws when a dependency is not
 * installed in the workspace.
 */
export function linkWorkspaceDependencies(pkgDir: string, workspaceRoot: string): string[] {
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  const names = [...new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})])].sort();
  const binDir = join(pkgDir, 'node_modules', '.bin');
  mkdirSync(binDir, { recursive: true });
  for (const name of names) {
    const source = join(workspaceRoot, 'node_modules', name);
    if (!existsSync(source)) throw new Error(`${name} is not installed in ${workspaceRoot}/node_modules`);
    const target = join(pkgDir, 'node_modules', name);
    mkdirSync(dirname(target), { recursive: true });
    symlinkSync(realpathSync(source), target, 'dir');
    const dep = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8')) as { name: string; bin?: string | Record<string, string> };
    const bins = typeof dep.bin === 'string' ? { [dep.name.replace(/^@[^/]+\//, '')]: dep.bin } : (dep.bin ?? {});
    for (const [bin, file] of Object.entries(bins)) {
      const link = join(binDir, bin);
      if (!existsSync(link)) symlinkSync(resolve(realpathSync(source), file), link);
    }
  }
  return names;
}
