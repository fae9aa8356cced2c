import { expect } from 'chai';
import {
  ErrorCodes,
  OutcomeUnknownError,
  createResilientConnector,
  defineConnectorPlugin,
  isPluginError,
  resendIsSafe,
  type Connector,
  type ConnectorCapabilities,
  type IssueParams,
  type StatusResult,
} from '../../src/index.js';

const HOUR = 3_600_000;
const params: IssueParams = { productId: 'P', customerId: 'c', amount: '5.00', currency: 'USD', reference: 'ref-1' };

describe('resendIsSafe', () => {
  const table: [ConnectorCapabilities['duplicateReference'], number | undefined, number | undefined, boolean][] = [
    ['none', undefined, 0, false],
    ['return-original', undefined, 10 * HOUR, true],
    ['reject-duplicate', undefined, 10 * HOUR, true],
    ['replay-identical', undefined, 10 * HOUR, true],
    ['replay-identical', 24 * HOUR, 23 * HOUR, true],
    ['replay-identical', 24 * HOUR, 24 * HOUR, false],
    ['return-original', 24 * HOUR, 25 * HOUR, false],
  ];
  for (const [duplicateReference, referenceWindowMs, elapsed, safe] of table) {
    it(`is ${safe} for ${duplicateReference}, window ${referenceWindowMs ?? 'none'}, ${elapsed} ms after the first send`, () => {
      const caps = { duplicateReference, ...(referenceWindowMs ? { referenceWindowMs } : {}) };
      expect(resendIsSafe(caps, 1_000, 1_000 + (elapsed ?? 0))).to.equal(safe);
    });
  }

  it('judges a windowed provider unsafe when the first send time is not known', () => {
    expect(resendIsSafe({ duplicateReference: 'return-original', referenceWindowMs: HOUR })).to.equal(false);
    expect(resendIsSafe({ duplicateReference: 'return-original' })).to.equal(true);
  });
});

describe('createResilientConnector with a reference window', () => {
  /** A provider whose first answer is lost after `elapseMs` of (fake) time, and that knows nothing when asked. */
  function slowLostAnswer(clock: { t: number }, elapseMs: number) {
    const calls = { issues: 0, lookups: 0 };
    const connector: Connector = {
      async issueVoucher() {
        calls.issues++;
        clock.t += elapseMs;
        throw new OutcomeUnknownError(ErrorCodes.PROVIDER_TIMEOUT, 'no answer');
      },
      async checkStatus(): Promise<StatusResult> {
        calls.lookups++;
        return { status: 'not_found' };
      },
    };
    return { connector, calls };
  }
  const options = { retry: { maxAttempts: 3, initialDelayMs: 0 }, reconcile: { attempts: 1, delayMs: 0 }, random: () => 0 };

  it('re-sends an unknown outcome while the first send is inside the window', async () => {
    const clock = { t: 0 };
    const { connector, calls } = slowLostAnswer(clock, 1_000);
    const caps: ConnectorCapabilities = {
      duplicateReference: 'replay-identical',
      statusByReference: true,
      amountUnit: 'minor',
      referenceWindowMs: 24 * HOUR,
    };
    const resilient = createResilientConnector(connector, { id: 'p', capabilities: caps }, { ...options, clock: { now: () => clock.t } });
    const e = await resilient.issue(params).catch((err: unknown) => err);
    expect((e as { code: string }).code).to.equal(ErrorCodes.OUTCOME_UNKNOWN);
    expect(calls.issues).to.equal(3);
    resilient.dispose();
  });

  it('regression: does not re-send once the window has passed since the first send; it looks the reference up', async () => {
    const clock = { t: 0 };
    // The first attempt takes longer than the provider remembers references: a re-send would be a new issuance.
    const { connector, calls } = slowLostAnswer(clock, 2 * HOUR);
    const caps: ConnectorCapabilities = {
      duplicateReference: 'return-original',
      statusByReference: true,
      amountUnit: 'major',
      referenceWindowMs: HOUR,
    };
    const resilient = createResilientConnector(connector, { id: 'p', capabilities: caps }, { ...options, clock: { now: () => clock.t } });
    const e = await resilient.issue(params).catch((err: unknown) => err);
    expect((e as { code: string }).code).to.equal(ErrorCodes.OUTCOME_UNKNOWN);
    expect(calls.issues).to.equal(1);
    expect(calls.lookups).to.equal(1);
    resilient.dispose();
  });
});

describe('defineConnectorPlugin capabilities', () => {
  const base = {
    id: 'p',
    core: '^0.1.0',
    configSchema: { type: 'object', additionalProperties: false },
    create: () => ({
      issueVoucher: async () => ({ status: 'failed' as const, reference: 'r' }),
      checkStatus: async () => ({ status: 'not_found' as const }),
    }),
  };
  function refusal(capabilities: unknown): { code: string; message: string; path: unknown } {
    try {
      defineConnectorPlugin({ ...base, capabilities } as never);
    } catch (e) {
      if (!isPluginError(e)) throw e;
      return { code: e.code, message: e.message, path: (e.details as { path?: unknown } | undefined)?.path };
    }
    throw new Error('not refused');
  }

  it('accepts replay-identical with a reference window', () => {
    const p = defineConnectorPlugin({
      ...base,
      capabilities: { duplicateReference: 'replay-identical', statusByReference: true, amountUnit: 'minor', referenceWindowMs: 24 * HOUR },
    });
    expect(p.capabilities.referenceWindowMs).to.equal(24 * HOUR);
  });

  for (const bad of [0, -1, 1.5, '86400000', Number.POSITIVE_INFINITY]) {
    it(`refuses referenceWindowMs ${JSON.stringify(bad)} with PLUGIN_INVALID naming capabilities.referenceWindowMs`, () => {
      const r = refusal({ duplicateReference: 'return-original', statusByReference: true, amountUnit: 'major', referenceWindowMs: bad });
      expect(r.code).to.equal(ErrorCodes.PLUGIN_INVALID);
      expect(r.path).to.equal('capabilities.referenceWindowMs');
      expect(r.message).to.include('capabilities.referenceWindowMs must be a positive whole number of ms');
    });
  }

  it('refuses a window on a provider that does not deduplicate, and names an unknown duplicateReference', () => {
    expect(refusal({ duplicateReference: 'none', statusByReference: true, amountUnit: 'major', referenceWindowMs: HOUR }).path).to.equal(
      'capabilities.referenceWindowMs',
    );
    const r = refusal({ duplicateReference: 'replay', statusByReference: true, amountUnit: 'major' });
    expect(r.path).to.equal('capabilities.duplicateReference');
    expect(r.message).to.include('replay-identical');
  });
});
