export { scaffoldConnector, CONFIG_TYPES_BANNER } from './scaffoldConnector.js';
export type { ScaffoldConnectorOptions, ScaffoldResult } from './scaffoldConnector.js';
export { validatePackageName } from './validatePackageName.js';
export { deriveConnectorId } from './deriveConnectorId.js';
export { ScaffoldError, ScaffoldErrorCodes } from './ScaffoldError.js';
export type { ScaffoldErrorCode } from './ScaffoldError.js';
export { runCli } from './runCli.js';
