export type {
  CheckpointResult,
  Database,
  Dialect,
  Migration,
  Row,
  SqlExecutor,
  StoreConfig,
  SyncResult,
  TransactionOptions,
} from './Database.js';
export { openDatabase, isUniqueViolation } from './openDatabase.js';
export { SqliteDatabase } from './SqliteDatabase.js';
export type { SqliteOptions } from './SqliteDatabase.js';
export { SqliteWorkerDatabase } from './SqliteWorkerDatabase.js';
export type { SqliteWorkerOptions } from './SqliteWorkerDatabase.js';
export { PostgresDatabase } from './PostgresDatabase.js';
export type { PostgresOptions } from './PostgresDatabase.js';
export { toSqlitePlaceholders } from './placeholders.js';
export { lockForProcess } from './processLock.js';
export type { ProcessLock } from './processLock.js';
export { LeaseTable } from './LeaseTable.js';
export type {
  LeaseTableOptions,
  ClaimOptions,
  CandidateOptions,
  GroupClaimOptions,
  GroupKeysOptions,
  GroupShare,
  SqlFragment,
} from './LeaseTable.js';
export { GroupCommit } from './GroupCommit.js';
export { jsonList } from './jsonList.js';
export { indexedBy } from './indexedBy.js';
export { shiftPlaceholders } from './placeholders.js';
