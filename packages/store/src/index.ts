export type { Database, Dialect, Migration, Row, SqlExecutor, StoreConfig, TransactionOptions } from './Database.js';
export { openDatabase, isUniqueViolation } from './openDatabase.js';
export { SqliteDatabase } from './SqliteDatabase.js';
export type { SqliteOptions, CheckpointResult, SyncResult } from './SqliteDatabase.js';
export { SqliteWorkerDatabase } from './SqliteWorkerDatabase.js';
export type { SqliteWorkerOptions } from './SqliteWorkerDatabase.js';
export { PostgresDatabase } from './PostgresDatabase.js';
export type { PostgresOptions } from './PostgresDatabase.js';
export { toSqlitePlaceholders } from './placeholders.js';
