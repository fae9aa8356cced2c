import { expect } from 'chai';
import { ConfigError } from '@relaypoint/core';
import { DEFAULT_RETRY_SCHEDULE, resolveWebhookSettings } from '../src/resolveWebhookSettings.js';

describe('resolveWebhookSettings', () => {
  it('fills in every default from the schema, and the two derived ones', () => {
    const settings = resolveWebhookSettings({});
    expect(settings).to.deep.include({
      retrySchedule: [0, 5000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000],
      jitter: 0.2,
      maxRetryAfterMs: 3_600_000,
      requestTimeoutMs: 15_000,
      concurrency: 32,
      perSubscriptionConcurrency: 4,
      batchSize: 100,
      pollIntervalMs: 250,
      leaseMs: 35_000,
      secretOverlapMs: 86_400_000,
      health: { pauseAfterMs: 86_400_000, minFailures: 5, drainRatePerSecond: 10 },
    });
    expect(settings.workerId).to.match(/^.+:\d+:[0-9a-f]{6}$/);
    expect(DEFAULT_RETRY_SCHEDULE).to.deep.equal(settings.retrySchedule);
  });

  it('keeps what is given, fills the rest of a partial health object, and leaves the caller options untouched', () => {
    const options = { concurrency: 8, requestTimeoutMs: 1000, health: { minFailures: 2 }, db: {} };
    const settings = resolveWebhookSettings(options);
    expect(settings).to.deep.include({
      concurrency: 8,
      leaseMs: 7000,
      health: { pauseAfterMs: 86_400_000, minFailures: 2, drainRatePerSecond: 10 },
    });
    expect(options.health).to.deep.equal({ minFailures: 2 });
    expect(settings).to.not.have.property('db');
  });

  it('refuses bad values with a ConfigError naming each one by its path', () => {
    try {
      resolveWebhookSettings({ concurrency: 0, jitter: 2, retrySchedule: [], health: { drainRatePerSecond: -1 } });
      expect.fail('accepted');
    } catch (error) {
      expect(error).to.be.instanceOf(ConfigError);
      expect((error as ConfigError).code).to.equal('CONFIG_INVALID');
      expect((error as ConfigError).errors).to.have.members([
        'webhooks.concurrency: must be >= 1',
        'webhooks.jitter: must be <= 1',
        'webhooks.retrySchedule: must have at least 1 items',
        'webhooks.health.drainRatePerSecond: must be >= 1',
      ]);
    }
  });

  it('refuses a lease no longer than the request timeout (a delivery in flight could be claimed twice)', () => {
    expect(() => resolveWebhookSettings({ requestTimeoutMs: 2000, leaseMs: 2000 })).to.throw(
      ConfigError,
      /webhooks\.leaseMs: must be longer than requestTimeoutMs/,
    );
  });
});
