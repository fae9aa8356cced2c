import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findUndocumentedExports } from './findUndocumentedExports.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

describe('@relaypoint/core public surface', () => {
  it('has a TSDoc comment on the declaration of every export of src/index.ts', function () {
    this.timeout(60_000);
    const offenders = findUndocumentedExports(join(repoRoot, 'packages', 'core', 'src', 'index.ts'));
    expect(offenders, `exports of @relaypoint/core without a TSDoc comment:\n  ${offenders.join('\n  ')}\n`).to.deep.equal([]);
  });
});

describe('findUndocumentedExports', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rp-tsdoc-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('names undocumented re-exports, types and consts, and accepts documented ones', () => {
    writeFileSync(
      join(dir, 'a.ts'),
      [
        '/** Documented. */',
        'export function good(): void {}',
        'export function bad(): void {}',
        '// a line comment is not TSDoc',
        'export const alsoBad = 1;',
        '/** Documented const. */',
        'export const fine = 2;',
        'export interface NoDoc { x: number }',
        '/** A type. */',
        'export type Doc = string;',
        '/**',
        ' * @deprecated tags alone count',
        ' */',
        'export class Tagged {}',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'index.ts'),
      "export { good, bad, alsoBad, fine, Tagged } from './a.js';\nexport type { NoDoc, Doc } from './a.js';\n",
    );
    const offenders = findUndocumentedExports(join(dir, 'index.ts'));
    expect(offenders.map((o) => o.split(' ')[0])).to.deep.equal(['NoDoc', 'alsoBad', 'bad']);
    expect(offenders.find((o) => o.startsWith('bad '))).to.match(/a\.ts:3\)$/);
  });

  it("accepts a type re-exported from another package when the re-export is documented (tsyringe's DependencyContainer in core)", () => {
    mkdirSync(join(dir, 'node_modules', 'dep'), { recursive: true });
    writeFileSync(join(dir, 'node_modules', 'dep', 'package.json'), JSON.stringify({ name: 'dep', version: '1.0.0', types: 'index.d.ts' }));
    writeFileSync(
      join(dir, 'node_modules', 'dep', 'index.d.ts'),
      'export interface Thing { x: number }\nexport interface Other { y: number }\n',
    );
    writeFileSync(
      join(dir, 'index.ts'),
      "/** Thing, re-exported so callers need not depend on dep. */\nexport type { Thing } from 'dep';\nexport type { Other } from 'dep';\n",
    );
    expect(findUndocumentedExports(join(dir, 'index.ts')).map((o) => o.split(' ')[0])).to.deep.equal(['Other']);
  });
});
