import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The `@relaypoint/host` version, from its package.json. */
export const HOST_VERSION: string = (require('../../package.json') as { version: string }).version;
