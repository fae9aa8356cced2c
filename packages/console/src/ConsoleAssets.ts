import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One file the console serves. */
export interface ConsoleAsset {
  /** The bytes, read once at start. */
  body: Buffer;
  /** `Content-Type` header value. */
  contentType: string;
}

/**
 * The console's browser files (compiled modules and the stylesheet), read
 * once, with one hash over all of them. The hash is a path segment of every
 * asset URL, so a page always loads modules of one build together and each
 * URL can be cached for a year: a new build is a new URL.
 */
export interface ConsoleAssets {
  /** First 16 hex digits of the SHA-256 over every file's path and bytes. */
  readonly hash: string;
  /** Path under the asset root (`host/main.js`, `console.css`) to the file. */
  readonly files: ReadonlyMap<string, ConsoleAsset>;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** The package root: two levels above `dist/src`. */
const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function* walk(dir: string): Generator<string> {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else yield path;
  }
}

let loaded: ConsoleAssets | undefined;

/**
 * Reads `dist/browser/**\/*.js` and `assets/*` of this package (once per
 * process). Throws when the browser build is missing (run `npm run build`).
 */
export function loadConsoleAssets(): ConsoleAssets {
  if (loaded) return loaded;
  const files = new Map<string, ConsoleAsset>();
  const roots = [join(packageRoot, 'dist', 'browser'), join(packageRoot, 'assets')];
  for (const root of roots) {
    for (const path of walk(root)) {
      const type = TYPES[extname(path)];
      if (!type) continue;
      files.set(relative(root, path).split(sep).join('/'), { body: readFileSync(path), contentType: type });
    }
  }
  if (!files.has('host/main.js') || !files.has('sim/main.js')) {
    throw new Error(`the console's browser build is missing under ${join(packageRoot, 'dist', 'browser')}: run npm run build`);
  }
  const hash = createHash('sha256');
  for (const [name, file] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) hash.update(name).update('\0').update(file.body);
  loaded = { hash: hash.digest('hex').slice(0, 16), files };
  return loaded;
}
