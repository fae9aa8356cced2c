import type { Migration } from '@relaypoint/store';

const table = (bigint: string) => `CREATE TABLE issuances (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  reference TEXT NOT NULL,
  connector TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  params TEXT NOT NULL,
  status TEXT NOT NULL,
  transaction_id TEXT,
  result TEXT,
  error_code TEXT,
  error_message TEXT,
  sends INTEGER NOT NULL DEFAULT 0,
  checks INTEGER NOT NULL DEFAULT 0,
  lease_owner TEXT,
  lease_until ${bigint} NOT NULL DEFAULT 0,
  next_check_at ${bigint} NOT NULL,
  created_at ${bigint} NOT NULL,
  updated_at ${bigint} NOT NULL,
  completed_at ${bigint},
  CONSTRAINT issuances_tenant_reference UNIQUE (tenant_id, reference)
)`;

const indexes = [
  // The reconciler's claim: non-terminal rows by due time (replaced by a partial index in migration 2).
  'CREATE INDEX issuances_due ON issuances (status, next_check_at)',
  // Tenant listings, newest first.
  'CREATE INDEX issuances_tenant_created ON issuances (tenant_id, created_at, id)',
];

/** Open statuses, as the reconciler's queries spell them (see migration 2). */
export const OPEN_STATUSES_SQL = `('in_flight', 'pending', 'unknown')`;

const settleColumn = (bigint: string) => `ALTER TABLE issuances ADD COLUMN settle_until ${bigint} NOT NULL DEFAULT 0`;

const openDueIndex = [
  'DROP INDEX issuances_due',
  `CREATE INDEX issuances_open_due ON issuances (next_check_at) WHERE status IN ${OPEN_STATUSES_SQL}`,
];

/**
 * The issuance journal (namespace `host`): one row per (tenant, reference),
 * unique across every host instance sharing the store.
 */
export const issuanceMigrations: Migration[] = [
  { id: 1, name: 'issuances journal', sqlite: [table('INTEGER'), ...indexes], postgres: [table('BIGINT'), ...indexes] },
  // The reconciler only ever looks for open rows; indexing every terminal row made the index grow with the
  // journal's whole history, and moved each row's entry to another page when it ended (one more page written
  // per issuance). Its queries repeat this exact condition, which SQLite needs to use a partial index.
  { id: 2, name: 'index open issuances only', sqlite: openDueIndex, postgres: openDueIndex },
  // Until when an earlier send of the reference may still take effect at the provider (a call that timed out, or
  // one another host was making when it went silent): a later send's refusal is not final before then.
  { id: 3, name: 'settle time of uncertain sends', sqlite: [settleColumn('INTEGER')], postgres: [settleColumn('BIGINT')] },
];
