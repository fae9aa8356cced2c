import { expect } from 'chai';
import { ConsoleSessions } from '../../src/console/ConsoleSessions.js';

describe('ConsoleSessions', () => {
  it('expires a session at its ttl (clock injected, no sleeping)', () => {
    let now = 1_000_000;
    const sessions = new ConsoleSessions({ ttlMs: 60_000, now: () => now });
    const { id, session } = sessions.open({ kind: 'tenant', tenantId: 't' });
    expect(session.expiresAt).to.equal(1_060_000);
    now += 59_999;
    expect(sessions.get(id)).to.equal(session);
    now += 1;
    expect(sessions.get(id)).to.equal(null);
  });

  it('keeps no cookie value: a lookup by anything but the exact value finds nothing', () => {
    const sessions = new ConsoleSessions();
    const { id } = sessions.open({ kind: 'admin' });
    expect(sessions.get(id.slice(0, -1))).to.equal(null);
    expect(sessions.get(undefined)).to.equal(null);
    expect(JSON.stringify([...(sessions as unknown as { sessions: Map<string, unknown> }).sessions.keys()])).not.to.contain(id);
  });

  it('ends the oldest session when full', () => {
    const sessions = new ConsoleSessions({ maxSessions: 2 });
    const first = sessions.open({ kind: 'admin' });
    const second = sessions.open({ kind: 'admin' });
    const third = sessions.open({ kind: 'admin' });
    expect(sessions.get(first.id)).to.equal(null);
    expect(sessions.get(second.id)).not.to.equal(null);
    expect(sessions.get(third.id)).not.to.equal(null);
  });

  it('matches the CSRF token exactly, and nothing else', () => {
    const { session } = new ConsoleSessions().open({ kind: 'admin' });
    expect(ConsoleSessions.csrfMatches(session, session.csrfToken)).to.equal(true);
    expect(ConsoleSessions.csrfMatches(session, undefined)).to.equal(false);
    expect(ConsoleSessions.csrfMatches(session, `${session.csrfToken}x`)).to.equal(false);
    expect(
      ConsoleSessions.csrfMatches(
        session,
        session.csrfToken.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')),
      ),
    ).to.equal(false);
  });
});
