import { reloadlyModel } from './reloadlyModel.js';

export {
  createReloadlyModel,
  reloadlyModel,
  reloadlyModelConfig,
  RELOADLY_MODEL_CREDENTIALS,
  RELOADLY_MODEL_INVALID_NUMBER,
} from './reloadlyModel.js';
export type { ReloadlyModelOptions } from './reloadlyModel.js';
export { RELOADLY_MODEL_OPERATORS, RELOADLY_MODEL_WALLET_CURRENCY } from './reloadlyOperators.js';
export { reloadlyTopupRequestSchema } from './parseReloadlyTopup.js';
export type { ReloadlyTopupRequest } from './ReloadlyTopupRequest.types.js';
export default reloadlyModel;
