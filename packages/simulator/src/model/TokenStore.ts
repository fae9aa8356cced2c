import { randomBytes } from 'node:crypto';
import type { AccountState } from './AccountState.js';

interface IssuedToken {
  account: AccountState;
  /** ms epoch, by the simulator clock. */
  expiresAt: number;
}

/**
 * Bearer tokens an OAuth2 model issued on its token route. They expire by
 * the simulator clock; `expireAll` makes every token expired at once (the
 * control API's `POST /__sim/tokens/expire`). Reset forgets them.
 */
export class TokenStore {
  private readonly tokens = new Map<string, IssuedToken>();

  constructor(
    private readonly ttlSeconds: number,
    private readonly now: () => number,
  ) {}

  issue(account: AccountState): { accessToken: string; expiresInSeconds: number } {
    const accessToken = `simtok_${randomBytes(18).toString('base64url')}`;
    this.tokens.set(accessToken, { account, expiresAt: this.now() + this.ttlSeconds * 1000 });
    return { accessToken, expiresInSeconds: this.ttlSeconds };
  }

  /** The account a token belongs to, `expired`, or undefined for a token never issued. */
  check(token: string): AccountState | 'expired' | undefined {
    const t = this.tokens.get(token);
    if (!t) return undefined;
    return this.now() >= t.expiresAt ? 'expired' : t.account;
  }

  /** Expires every token issued so far (they answer token-expired from now on). */
  expireAll(): number {
    const at = this.now();
    for (const t of this.tokens.values()) t.expiresAt = Math.min(t.expiresAt, at);
    return this.tokens.size;
  }

  clear(): void {
    this.tokens.clear();
  }
}
