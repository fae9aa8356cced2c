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
  // The reconciler's claim: non-terminal rows by due time.
  'CREATE INDEX issuances_due ON issuances (status, next_check_at)',
  // Tenant listings, newest first.
  'CREATE INDEX issuances_tenant_created ON issuances (tenant_id, created_at, id)',
];

/**
 * The issuance journal (namespace `host`): one row per (tenant, reference),
 * unique across every host instance sharing the store.
 */
export const issuanceMigrations: Migration[] = [
  { id: 1, name: 'issuances journal', sqlite: [table('INTEGER'), ...indexes], postgres: [table('BIGINT'), ...indexes] },
];
