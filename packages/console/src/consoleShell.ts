import type { ConsoleAssets } from './ConsoleAssets.js';

/** Options of {@link consoleShell}. */
export interface ConsoleShellOptions {
  /** Which application the page runs: the host console or the simulator console. */
  app: 'host' | 'sim';
  /** The page title. */
  title: string;
  /** Path the console is mounted at (`/console`, `/__sim/console`), no trailing slash. */
  base: string;
  /** The assets, for the hashed URLs. */
  assets: ConsoleAssets;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The one HTML page of a console: a stylesheet, one module script and an
 * empty root the script fills. No inline script or style (the CSP forbids
 * both); the base path travels in a data attribute.
 */
export function consoleShell(options: ConsoleShellOptions): string {
  const base = escapeHtml(options.base);
  const assets = `${base}/assets/${options.assets.hash}`;
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(options.title)}</title>`,
    `<link rel="stylesheet" href="${assets}/console.css">`,
    `<script type="module" src="${assets}/${options.app}/main.js"></script>`,
    '</head>',
    `<body><div id="app" data-base="${base}"><noscript>This console needs JavaScript.</noscript></div></body>`,
    '</html>',
    '',
  ].join('\n');
}
