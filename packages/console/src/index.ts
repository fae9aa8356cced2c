export { loadConsoleAssets } from './ConsoleAssets.js';
export type { ConsoleAsset, ConsoleAssets } from './ConsoleAssets.js';
export { consoleAssetRoutes } from './consoleAssetRoutes.js';
export { consoleShell } from './consoleShell.js';
export type { ConsoleShellOptions } from './consoleShell.js';
export { CONSOLE_CSP, consoleSecurityHeaders } from './consoleSecurityHeaders.js';
