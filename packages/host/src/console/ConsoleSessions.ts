import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Principal } from '../http/ApiKeys.js';

/** A signed-in console user. */
export interface ConsoleSession {
  principal: Principal;
  /** Sent back in `X-CSRF-Token` on every state-changing call; held by the page in memory only. */
  csrfToken: string;
  /** Epoch ms. */
  expiresAt: number;
}

/** Options of {@link ConsoleSessions}. */
export interface ConsoleSessionsOptions {
  /** Lifetime of a session from sign-in, ms. Defaults to 8 hours. */
  ttlMs?: number;
  /** Sessions kept at once; signing in beyond it ends the oldest. Defaults to 10000. */
  maxSessions?: number;
  /** Clock, epoch ms. Defaults to `Date.now`. */
  now?: () => number;
}

const digest = (id: string) => createHash('sha256').update(id, 'utf8').digest('base64url');

/**
 * Console sessions, in this process' memory, keyed by the SHA-256 of the
 * cookie value (a memory dump shows no usable cookie). The API key a user
 * signed in with is never kept: only who it identified. With several host
 * instances behind one address, route `/console` with session affinity.
 */
export class ConsoleSessions {
  private readonly sessions = new Map<string, ConsoleSession>();
  private readonly ttlMs: number;
  private readonly maxSessions: number;
  private readonly now: () => number;

  constructor(options: ConsoleSessionsOptions = {}) {
    this.ttlMs = options.ttlMs ?? 8 * 3_600_000;
    this.maxSessions = options.maxSessions ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** Opens a session; returns the cookie value (shown to nobody but the browser) and the session. */
  open(principal: Principal): { id: string; session: ConsoleSession } {
    this.sweep();
    while (this.sessions.size >= this.maxSessions) this.sessions.delete(this.sessions.keys().next().value as string);
    const id = randomBytes(32).toString('base64url');
    const session: ConsoleSession = { principal, csrfToken: randomBytes(32).toString('base64url'), expiresAt: this.now() + this.ttlMs };
    this.sessions.set(digest(id), session);
    return { id, session };
  }

  /** The live session for a cookie value, or null (unknown or expired). */
  get(id: string | undefined): ConsoleSession | null {
    if (!id) return null;
    const key = digest(id);
    const session = this.sessions.get(key);
    if (!session) return null;
    if (session.expiresAt <= this.now()) {
      this.sessions.delete(key);
      return null;
    }
    return session;
  }

  /** Ends a session (sign-out). */
  close(id: string | undefined): void {
    if (id) this.sessions.delete(digest(id));
  }

  /** True when `presented` is the session's CSRF token (constant-time). */
  static csrfMatches(session: ConsoleSession, presented: string | undefined): boolean {
    if (!presented) return false;
    const a = Buffer.from(session.csrfToken);
    const b = Buffer.from(presented);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, s] of this.sessions) if (s.expiresAt <= now) this.sessions.delete(key);
  }
}
