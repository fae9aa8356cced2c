export { defineProviderModel } from './defineProviderModel.js';
export { loadProviderModel } from './loadProviderModel.js';
export { ModelDefinitionError, ModelErrorCodes, isModelDefinitionError } from './ModelDefinitionError.js';
export type { ModelDefinitionErrorOptions } from './ModelDefinitionError.js';
export { parseAmount } from '../http/parseAmount.js';
export { createAirtimeModel, airtimeModel } from '../models/airtime.js';
export { createGiftcardModel, giftcardModel } from '../models/giftcard.js';
export type {
  ProviderModel,
  ModelRoute,
  RouteRole,
  ModelMethod,
  ModelRequest,
  ModelAnswer,
  ModelAccountSpec,
  ModelAccount,
  PendingLifecycle,
  ModelProduct,
  ModelAuth,
  IssueTerms,
  ModelRefusal,
  ModelDecline,
  ModelErrorKind,
  ModelErrorDetail,
  ModelTransaction,
  IssuedInfo,
  ModelRender,
  ModelDuplicateRule,
  ModelContext,
  ModelScenarioView,
  ModelExamples,
} from './ProviderModel.js';
