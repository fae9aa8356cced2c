import type { Logger } from '../plugins/ConnectorPlugin.js';

/** A {@link Logger} that drops everything (tests, libraries used without a host). */
export const noopLogger: Logger = Object.freeze({
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return noopLogger;
  },
});
