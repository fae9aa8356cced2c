#!/usr/bin/env node
// Generates TypeScript types for every JSON schema in the repo with
// json-schema-to-typescript: `src/**/NAME.schema.json` → `src/**/NAME.types.ts`.
// Before that, it rewrites the copies of core's resilience schema embedded in
// the connector schemas (see scripts/embedschemas.mjs), so their types are
// compiled from the fresh copy; each copy compiles to an import of core's
// ResilienceOptions type instead of a declaration of its own. `--check`
// writes nothing and exits 1 when a generated file is missing or stale (CI
// runs it through `npm test`).
import { compile } from 'json-schema-to-typescript';
import { embeddedSchemaCopies } from './embedschemas.mjs';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, dirname, relative, basename } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');

function* walk(dir) {
  for (const e of readdirSync(dir)) {
    if (e === 'node_modules' || e === 'dist') continue;
    const p = join(dir, e);
    if (statSync(p).isDirectory()) yield* walk(p);
    else if (e.endsWith('.schema.json')) yield p;
  }
}

/** Marks every copy of core's resilience schema below the root (`title: ResilienceOptions`) to compile to core's type; true if any. */
function useCoreResilienceType(node, isRoot = true) {
  if (Array.isArray(node)) return node.map((n) => useCoreResilienceType(n, false)).some(Boolean);
  if (node === null || typeof node !== 'object') return false;
  if (!isRoot && node.title === 'ResilienceOptions') {
    delete node.title;
    node.tsType = 'ResilienceOptions';
    return true;
  }
  return Object.values(node)
    .map((v) => useCoreResilienceType(v, false))
    .some(Boolean);
}

const stale = [];
let count = 0;
// Schemas that embed a copy of another (core's resilience options): rewritten first.
// With --check nothing is written; the types below are compiled from the content they should have.
const fresh = new Map();
for (const { path, content } of embeddedSchemaCopies(root)) {
  fresh.set(path, content);
  if (readFileSync(path, 'utf8') === content) continue;
  if (check) stale.push(relative(root, path));
  else {
    writeFileSync(path, content);
    console.log(`wrote ${relative(root, path)}`);
  }
}
for (const pkg of readdirSync(join(root, 'packages'))) {
  const src = join(root, 'packages', pkg, 'src');
  if (!existsSync(src)) continue;
  for (const file of walk(src)) {
    const schema = JSON.parse(fresh.get(file) ?? readFileSync(file, 'utf8'));
    const name = schema.title || basename(file, '.schema.json');
    const out = file.replace(/\.schema\.json$/, '.types.ts');
    // An embedded copy of core's resilience schema is typed as core's own ResilienceOptions, imported,
    // rather than declared again in every package that embeds it.
    const importsCore = pkg !== 'core' && useCoreResilienceType(schema);
    const ts = await compile(schema, name, {
      cwd: dirname(file),
      additionalProperties: false,
      bannerComment: `/* Generated from ${basename(file)} by scripts/codegen.mjs (json-schema-to-typescript). Do not edit: change the schema and run \`npm run codegen\`. */${importsCore ? "\nimport type { ResilienceOptions } from '@relaypoint/core';" : ''}`,
      format: true,
      style: { singleQuote: true, printWidth: 120, bracketSpacing: true },
    });
    count += 1;
    const current = existsSync(out) ? readFileSync(out, 'utf8') : null;
    if (current === ts) continue;
    if (check) stale.push(relative(root, out));
    else {
      writeFileSync(out, ts);
      console.log(`wrote ${relative(root, out)}`);
    }
  }
}
// Documentation generated from the schemas (see scripts/gendocs.mjs) is checked the same way.
if (existsSync(join(root, 'scripts', 'gendocs.mjs'))) {
  const { generateDocs } = await import('./gendocs.mjs');
  for (const { path, content } of await generateDocs(root)) {
    const current = existsSync(path) ? readFileSync(path, 'utf8') : null;
    if (current === content) continue;
    if (check) stale.push(relative(root, path));
    else {
      writeFileSync(path, content);
      console.log(`wrote ${relative(root, path)}`);
    }
  }
}
if (check && stale.length) {
  console.error(`generated files are stale (run \`npm run codegen\` and commit):\n  ${stale.join('\n  ')}`);
  process.exit(1);
}
if (check) console.error(`generated files are current (${count} schemas, ${fresh.size} embedded schema copies)`);
