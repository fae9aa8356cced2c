export { describeConnectorContract, DEFAULT_CONTRACT_SEED } from './describeConnectorContract.js';
export type { ConnectorContractOptions } from './describeConnectorContract.js';
export type { ChaosOptions } from './cases/chaosCase.js';
export { CHAOS_FAULTS } from './cases/chaosCase.js';
export { CONTRACT_RESILIENCE } from './ContractHarness.js';
export { captureLogger } from './captureLogger.js';
export type { CapturedLogger, CapturedLine } from './captureLogger.js';
