import { createHash, timingSafeEqual } from 'node:crypto';

/** Who a request authenticated as. */
export type Principal = { kind: 'tenant'; tenantId: string } | { kind: 'admin' };

interface KeyEntry {
  hash: Buffer;
  principal: Principal;
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/**
 * The API keys of every tenant and the admin, kept only as SHA-256 hashes.
 * A presented key is hashed and compared with every stored hash in
 * constant time (no early exit), so neither timing nor the map order tells
 * which key, or how much of one, matched.
 */
export class ApiKeys {
  private readonly entries: KeyEntry[] = [];

  constructor(tenants: ReadonlyArray<{ id: string; apiKeys: readonly string[] }>, adminKey?: string) {
    for (const t of tenants)
      for (const k of t.apiKeys) this.entries.push({ hash: sha256(k), principal: { kind: 'tenant', tenantId: t.id } });
    if (adminKey) this.entries.push({ hash: sha256(adminKey), principal: { kind: 'admin' } });
  }

  /** The principal whose key this is, or null. */
  authenticate(key: string): Principal | null {
    const presented = sha256(key);
    let found: Principal | null = null;
    for (const e of this.entries) {
      if (timingSafeEqual(presented, e.hash) && found === null) found = e.principal;
    }
    return found;
  }
}
