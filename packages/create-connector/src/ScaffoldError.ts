import { RelaypointError, type RelaypointErrorOptions } from '@relaypoint/core';

/** Codes of {@link ScaffoldError}. The CLI exits 2 for every one of them. */
export const ScaffoldErrorCodes = {
  /** The package name breaks npm's package-name rules, or no plugin id can be derived from it. */
  SCAFFOLD_INVALID_NAME: 'SCAFFOLD_INVALID_NAME',
  /** The target directory (or file) already exists; the scaffold never overwrites anything. */
  SCAFFOLD_DIR_EXISTS: 'SCAFFOLD_DIR_EXISTS',
  /** The `@relaypoint/core` range is not a valid semver range. */
  SCAFFOLD_INVALID_RANGE: 'SCAFFOLD_INVALID_RANGE',
} as const;

/** A stable code of {@link ScaffoldErrorCodes}. */
export type ScaffoldErrorCode = (typeof ScaffoldErrorCodes)[keyof typeof ScaffoldErrorCodes];

/** A refused scaffold request (bad name, existing directory, bad core range): a usage error, nothing was written. */
export class ScaffoldError extends RelaypointError {
  constructor(code: ScaffoldErrorCode, message: string, options: RelaypointErrorOptions = {}) {
    super(code, message, options);
  }
}
