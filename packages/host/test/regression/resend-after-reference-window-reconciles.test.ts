import { expect } from 'chai';
import {
  ErrorCodes,
  OutcomeUnknownError,
  createResilientConnector,
  defineConnectorPlugin,
  noopLogger,
  type ConnectorCapabilities,
  type ConnectorInstance,
  type IssueResult,
  type StatusResult,
} from '@relaypoint/core';
import { openDatabase, type Database } from '@relaypoint/store';
import { tempSqlitePath } from '@relaypoint/store/testing';
import type { ConnectorHandle } from '../../src/connectors/ConnectorHandle.js';
import { IssuanceService } from '../../src/issuance/IssuanceService.js';
import { issuanceMigrations } from '../../src/issuance/issuanceMigrations.js';

const HOUR = 3_600_000;

/**
 * A provider that deduplicates references only for a window (24 h here; 90
 * days at Tango Card) forgets a reference once the window has passed, and a
 * re-send is then a new issuance. The reconciler used to re-send any open
 * issuance the provider did not know to such a provider, however old: an
 * issuance whose first send the provider processed but could not be found by
 * lookup (a lagging index, a lookup that only sees recent references) would
 * have been issued a second time. After the window it is only looked up.
 */
describe('regression: a re-send after the provider reference window reconciles by lookup instead', () => {
  let tmp: ReturnType<typeof tempSqlitePath>;
  let db: Database;
  let service: IssuanceService;
  const clock = { t: Date.UTC(2026, 11, 1), now: () => clock.t };
  const provider = { issues: [] as string[], lookups: 0, answer: 'lost' as 'lost' | 'ok' };

  before(async () => {
    tmp = tempSqlitePath('relaypoint-window-');
    db = await openDatabase({ driver: 'sqlite', path: tmp.path });
    await db.migrate('host', issuanceMigrations);
    const capabilities: ConnectorCapabilities = {
      duplicateReference: 'replay-identical',
      statusByReference: true,
      amountUnit: 'major',
      referenceWindowMs: 24 * HOUR,
    };
    const plugin = defineConnectorPlugin({
      id: 'windowed',
      core: '^0.1.0',
      configSchema: { type: 'object', additionalProperties: false },
      capabilities,
      create: () => connector,
    });
    const connector = {
      async issueVoucher(req: { reference: string }): Promise<IssueResult> {
        provider.issues.push(req.reference);
        if (provider.answer === 'lost') throw new OutcomeUnknownError(ErrorCodes.PROVIDER_TIMEOUT, 'no answer in time');
        return { status: 'succeeded', reference: req.reference, transactionId: `tx-${provider.issues.length}` };
      },
      async checkStatus(): Promise<StatusResult> {
        provider.lookups++;
        return { status: 'not_found' };
      },
    };
    // One attempt and no lookups inside the pipeline: every later step is the reconciler's, driven by the fake clock.
    const resilient = createResilientConnector(connector, plugin, { retry: { maxAttempts: 1 }, reconcile: { attempts: 0 }, clock });
    const handle: ConnectorHandle = {
      name: 'windowed',
      plugin,
      packageName: 'windowed-plugin',
      version: '1.0.0',
      resilient,
      instance: {} as ConnectorInstance,
    };
    service = new IssuanceService({
      db,
      connectors: new Map([['windowed', handle]]),
      outbox: { publishWith: async () => undefined },
      validateEvent: () => [],
      logger: noopLogger,
      hostId: 'host-1',
      clock,
      waitMs: 0,
      leaseMs: 60_000,
      settleMs: 1_000,
      intervalMs: 5_000,
      maxIntervalMs: 60_000,
      maxAgeMs: 1000 * HOUR,
      slowAfterMs: 1000 * HOUR,
      batchSize: 10,
      exclusiveStore: true,
    });
  });

  after(async () => {
    await service.stop(0);
    await db.close();
    tmp.cleanup();
  });

  const input = (reference: string) => ({
    connector: 'windowed',
    productId: 'P',
    customerId: 'c',
    amount: '5.00',
    currency: 'USD',
    reference,
  });

  it('re-sends an unknown issuance the provider does not know while inside the window', async () => {
    const first = await service.issue('t', input('inside'));
    expect(first.record.status).to.equal('unknown');
    clock.t += HOUR;
    provider.answer = 'ok';
    await service.reconcileOnce();
    expect(provider.issues).to.deep.equal(['t:inside', 't:inside']);
    expect((await service.get('t', 'inside'))!.status).to.equal('succeeded');
  });

  it('only looks it up once the window has passed since the intent, and keeps it unknown', async () => {
    provider.answer = 'lost';
    provider.issues.length = 0;
    const first = await service.issue('t', input('outside'));
    expect(first.record.status).to.equal('unknown');
    provider.answer = 'ok';
    const lookupsBefore = provider.lookups;
    clock.t += 25 * HOUR;
    await service.reconcileOnce();
    clock.t += 2 * HOUR;
    await service.reconcileOnce();
    expect(provider.issues).to.deep.equal(['t:outside']);
    expect(provider.lookups - lookupsBefore).to.equal(2);
    const record = (await service.get('t', 'outside'))!;
    expect(record.status).to.equal('unknown');
    expect(record.error?.message).to.match(/reference window has passed/);
  });
});
