import { tremendousModel } from './tremendousModel.js';

export {
  createTremendousModel,
  tremendousModel,
  tremendousModelConfig,
  TREMENDOUS_MODEL_API_KEY,
  TREMENDOUS_MODEL_PRODUCTS,
} from './tremendousModel.js';
export type { TremendousModelOptions } from './tremendousModel.js';
export { tremendousCreateOrderSchema, TREMENDOUS_MODEL_ORG_CURRENCY } from './parseTremendousOrder.js';
export type { TremendousCreateOrderRequest } from './TremendousCreateOrderRequest.types.js';
export default tremendousModel;
