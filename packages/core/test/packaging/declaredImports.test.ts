import { expect } from 'chai';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// dist/test/packaging → the repository's packages/ folder.
const PACKAGES = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const BUILTINS = new Set(builtinModules);

/** Every module specifier a TypeScript source names: static and dynamic imports, re-exports, side-effect imports. */
export function importSpecifiers(source: string): string[] {
  const withoutComments = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\s[^'";]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /(?:^|;)\s*import\s*['"]([^'"]+)['"]/gm,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) for (const m of withoutComments.matchAll(pattern)) found.push(m[1]);
  return found;
}

/** The package a bare specifier resolves to (`@scope/name/sub` → `@scope/name`), or undefined for a relative path or a Node builtin. */
export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:') || specifier.startsWith('#'))
    return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  return BUILTINS.has(name) ? undefined : name;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|mts|cts)$/.test(entry) && !entry.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** `file: package` lines for every import in `packageDir/src` of a package its package.json does not declare (dependencies, peer or optional). */
export function undeclaredImports(packageDir: string): string[] {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as Record<
    string,
    Record<string, string> | string | undefined
  >;
  const declared = new Set<string>([manifest.name as string]);
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const name of Object.keys((manifest[field] as Record<string, string> | undefined) ?? {})) declared.add(name);
  }
  const problems: string[] = [];
  for (const file of sourceFiles(join(packageDir, 'src'))) {
    for (const specifier of importSpecifiers(readFileSync(file, 'utf8'))) {
      const name = packageOf(specifier);
      if (name && !declared.has(name))
        problems.push(`${relative(PACKAGES, file)}: imports "${name}", which ${manifest.name} does not declare`);
    }
  }
  return problems;
}

describe('declared imports', () => {
  describe('importSpecifiers / packageOf', () => {
    it('finds static, type-only, side-effect and dynamic imports and re-exports, and ignores comments', () => {
      const source = [
        "import type { AxiosInstance } from 'axios';",
        "import {\n  a,\n  b,\n} from '@scope/pkg/sub';",
        "import 'reflect-metadata';",
        "export { x } from 'lodash';",
        "const m = await import('undici');",
        "// import nope from 'commented-out';",
        "import { y } from './local.js';",
        "import { readFile } from 'node:fs';",
        "import path from 'path';",
      ].join('\n');
      const names = importSpecifiers(source).map(packageOf).filter(Boolean);
      expect(names.sort()).to.deep.equal(['@scope/pkg', 'axios', 'lodash', 'reflect-metadata', 'undici']);
    });
  });

  const packages = readdirSync(PACKAGES).filter((name) => {
    try {
      return statSync(join(PACKAGES, name, 'package.json')).isFile() && statSync(join(PACKAGES, name, 'src')).isDirectory();
    } catch {
      return false;
    }
  });

  it('scans every package under packages/', () => {
    expect(packages).to.include.members(['core', 'connector-airtime', 'connector-giftcard', 'host']);
  });

  // A plugin that imports a package it does not declare builds only inside the monorepo (TS2307 after install).
  for (const name of packages) {
    it(`packages/${name}/src imports only packages its package.json declares`, () => {
      expect(undeclaredImports(join(PACKAGES, name))).to.deep.equal([]);
    });
  }
});
