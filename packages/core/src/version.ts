import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The running `@relaypoint/core` version (from its package.json). */
export const CORE_VERSION: string = (require('../../package.json') as { version: string }).version;
