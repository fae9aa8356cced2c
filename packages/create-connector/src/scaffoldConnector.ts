import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import semver from 'semver';
import { compile } from 'json-schema-to-typescript';
import { CORE_VERSION } from '@relaypoint/core';
import { ScaffoldError, ScaffoldErrorCodes } from './ScaffoldError.js';
import { validatePackageName } from './validatePackageName.js';
import { deriveConnectorId } from './deriveConnectorId.js';
import { renderTemplate } from './renderTemplate.js';

const PLUGIN_ID = /^[a-z][a-z0-9-]{0,62}$/;
const TEMPLATES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'templates');
/** Template files whose real name npm would mangle or hide (`npm pack` drops `.gitignore`). */
const RENAMES: Record<string, string> = { gitignore: '.gitignore', 'mocharc.json': '.mocharc.json' };
/** The banner `npm run codegen` in the generated package writes too, so regenerating changes nothing. */
export const CONFIG_TYPES_BANNER =
  '/* Generated from config.schema.json by json-schema-to-typescript (npm run codegen). Do not edit: change the schema and regenerate. */';

/** Options of {@link scaffoldConnector}. */
export interface ScaffoldConnectorOptions {
  /** npm package name of the new plugin, e.g. `@acme/relaypoint-connector-topup` (scoped names are fine). */
  name: string;
  /** Directory to create. Must not exist. Defaults to the name without its scope, under `cwd`. */
  dir?: string;
  /** `@relaypoint/core` semver range the plugin declares (peer dependency and `core` field). Defaults to `^` + the running core version. */
  coreRange?: string;
  /** Plugin id (`^[a-z][a-z0-9-]{0,62}$`). Defaults to one derived from the name (`@acme/relaypoint-connector-topup` → `topup`). */
  id?: string;
  /** Directory a relative `dir` is resolved from. Defaults to `process.cwd()`. */
  cwd?: string;
}

/** What {@link scaffoldConnector} wrote. */
export interface ScaffoldResult {
  /** The package name. */
  name: string;
  /** The plugin id (the `relaypoint.id` field and `defineConnectorPlugin({ id })`). */
  id: string;
  /** Absolute path of the new package directory. */
  dir: string;
  /** The `@relaypoint/core` range the plugin declares. */
  coreRange: string;
  /** Files written, relative to `dir`, sorted. */
  files: string[];
}

function* walk(dir: string): Generator<string> {
  for (const entry of readdirSync(dir).sort()) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) yield* walk(p);
    else yield p;
  }
}

function pascalCase(id: string): string {
  return id
    .split('-')
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
}

/**
 * Writes a complete connector plugin package into a new directory: package.json
 * (with the `relaypoint` field and the `@relaypoint/core` peer range),
 * tsconfig.json, .mocharc.json, src/config.schema.json and the types generated
 * from it, src/index.ts (`defineConnectorPlugin` and a connector for the
 * simulator's airtime API), test/contract.test.ts (the connector contract
 * suite against the simulator) and a README. The package passes its own
 * `npm test` as written.
 *
 * Throws a {@link ScaffoldError} and writes nothing when the name is invalid,
 * the core range is not a semver range, or the directory already exists
 * (nothing is ever overwritten).
 */
export async function scaffoldConnector(options: ScaffoldConnectorOptions): Promise<ScaffoldResult> {
  const { name } = options;
  const problems = validatePackageName(name);
  if (problems.length) {
    throw new ScaffoldError(ScaffoldErrorCodes.SCAFFOLD_INVALID_NAME, `invalid package name "${name}": ${problems.join('; ')}`, {
      details: { problems },
    });
  }
  const id = options.id ?? deriveConnectorId(name);
  if (id === undefined || !PLUGIN_ID.test(id)) {
    throw new ScaffoldError(
      ScaffoldErrorCodes.SCAFFOLD_INVALID_NAME,
      options.id === undefined
        ? `cannot derive a plugin id from "${name}": the name without scope must contain a letter (or pass an id)`
        : `invalid plugin id "${options.id}": must match ^[a-z][a-z0-9-]{0,62}$`,
    );
  }
  const coreRange = options.coreRange ?? `^${CORE_VERSION}`;
  if (semver.validRange(coreRange) === null) {
    throw new ScaffoldError(
      ScaffoldErrorCodes.SCAFFOLD_INVALID_RANGE,
      `invalid @relaypoint/core range "${coreRange}": not a semver range (e.g. "^${CORE_VERSION}")`,
    );
  }
  const dir = resolve(options.cwd ?? process.cwd(), options.dir ?? name.replace(/^@[^/]+\//, ''));
  if (existsSync(dir)) {
    throw new ScaffoldError(ScaffoldErrorCodes.SCAFFOLD_DIR_EXISTS, `${dir} already exists; choose another --dir (nothing was written)`, {
      details: { dir },
    });
  }

  const typeName = pascalCase(id);
  const values: Record<string, string> = {
    name,
    id,
    typeName,
    displayName: id
      .split('-')
      .map((w) => w[0].toUpperCase() + w.slice(1))
      .join(' '),
    envPrefix: id.toUpperCase().replace(/-/g, '_'),
    coreRange,
    // The simulator (and its contract suite) is released with core, under the same version.
    coreDevRange: `^${CORE_VERSION}`,
    simulatorRange: `^${CORE_VERSION}`,
  };
  const rendered = new Map<string, string>();
  for (const file of walk(TEMPLATES_DIR)) {
    const rel = relative(TEMPLATES_DIR, file).replace(/\.tmpl$/, '');
    const out = join(dirname(rel), RENAMES[rel.split('/').pop() ?? ''] ?? rel.split('/').pop() ?? rel);
    rendered.set(out, renderTemplate(readFileSync(file, 'utf8'), values));
  }
  const schemaText = rendered.get(join('src', 'config.schema.json'));
  if (schemaText === undefined) throw new Error(`templates in ${TEMPLATES_DIR} have no src/config.schema.json`);
  const schema = JSON.parse(schemaText) as Parameters<typeof compile>[0];
  rendered.set(
    join('src', 'config.types.ts'),
    await compile(schema, `${typeName}Config`, {
      additionalProperties: false,
      bannerComment: CONFIG_TYPES_BANNER,
      style: { singleQuote: true, printWidth: 120 },
    }),
  );

  mkdirSync(dirname(dir), { recursive: true });
  try {
    // Non-recursive: fails with EEXIST if someone created it since the check above.
    mkdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new ScaffoldError(ScaffoldErrorCodes.SCAFFOLD_DIR_EXISTS, `${dir} already exists; choose another --dir (nothing was written)`, {
        details: { dir },
      });
    }
    throw e;
  }
  try {
    for (const [rel, content] of rendered) {
      mkdirSync(dirname(join(dir, rel)), { recursive: true });
      writeFileSync(join(dir, rel), content, { flag: 'wx' });
    }
  } catch (e) {
    // Half a package is worse than none: remove what this call created.
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return { name, id, dir, coreRange, files: [...rendered.keys()].sort() };
}
