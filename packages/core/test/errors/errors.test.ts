import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import {
  CircuitOpenError,
  ConfigError,
  ConnectorError,
  ErrorCodes,
  NotSentError,
  OutcomeUnknownError,
  PluginError,
  ProviderRejectedError,
  RelaypointError,
  ValidationError,
  hasOutcome,
  isConfigError,
  isConnectorError,
  isOutcomeUnknown,
  isPluginError,
  isRelaypointError,
} from '../../src/index.js';

describe('RelaypointError', () => {
  it('sets name from the subclass, keeps cause and code', () => {
    const cause = new Error('socket hang up');
    const e = new OutcomeUnknownError(ErrorCodes.PROVIDER_CONNECTION_LOST, 'lost', { cause });
    expect(e.name).to.equal('OutcomeUnknownError');
    expect(e.code).to.equal('PROVIDER_CONNECTION_LOST');
    expect(e.cause).to.equal(cause);
    expect(e).to.be.instanceOf(ConnectorError).and.instanceOf(RelaypointError).and.instanceOf(Error);
  });

  it('toJSON never includes the cause (it may carry request config or secrets)', () => {
    const cause = Object.assign(new Error('boom'), { config: { headers: { 'X-API-Key': 'sk_live_secret' } } });
    const errors = [
      new RelaypointError('X', 'm', { cause }),
      new OutcomeUnknownError(ErrorCodes.PROVIDER_TIMEOUT, 'm', { cause, httpStatus: 504 }),
      new NotSentError(ErrorCodes.PROVIDER_UNREACHABLE, 'm', { cause }),
      new PluginError(ErrorCodes.PLUGIN_INVALID, 'p', 'm', { cause }),
      new ConfigError(ErrorCodes.CONFIG_INVALID, ['a: b'], { cause }),
    ];
    for (const e of errors) {
      const json = e.toJSON();
      expect(json, e.name).to.not.have.property('cause');
      expect(JSON.stringify(e), e.name).to.not.include('sk_live_secret');
    }
  });

  it('toJSON of a ConnectorError carries outcome, retryable and optional fields', () => {
    const e = new ProviderRejectedError(ErrorCodes.PROVIDER_RATE_LIMITED, 'slow down', {
      retryable: true,
      retryAfterMs: 2000,
      providerCode: 'R429',
      httpStatus: 429,
    });
    expect(e.toJSON()).to.deep.equal({
      name: 'ProviderRejectedError',
      code: 'PROVIDER_RATE_LIMITED',
      message: 'slow down',
      outcome: 'rejected',
      retryable: true,
      retryAfterMs: 2000,
      providerCode: 'R429',
      httpStatus: 429,
    });
  });
});

describe('ConnectorError subclasses', () => {
  it('fix the outcome and a sensible retryable default', () => {
    const v = new ValidationError(ErrorCodes.INVALID_PHONE_NUMBER, 'phoneNumber', 'bad');
    expect([v.outcome, v.retryable, v.field]).to.deep.equal(['not_sent', false, 'phoneNumber']);
    const r = new ProviderRejectedError(ErrorCodes.PROVIDER_INSUFFICIENT_BALANCE, 'no money');
    expect([r.outcome, r.retryable]).to.deep.equal(['rejected', false]);
    const u = new OutcomeUnknownError(ErrorCodes.PROVIDER_TIMEOUT, 't');
    expect([u.outcome, u.retryable]).to.deep.equal(['unknown', true]);
    const n = new NotSentError(ErrorCodes.PROVIDER_UNREACHABLE, 'n');
    expect([n.outcome, n.retryable]).to.deep.equal(['not_sent', true]);
    const c = new CircuitOpenError('airtime');
    expect([c.code, c.outcome, c.retryable]).to.deep.equal(['CIRCUIT_OPEN', 'not_sent', true]);
    expect(c.message).to.include('"airtime"');
  });

  it('cannot be talked out of their outcome through options', () => {
    const u = new OutcomeUnknownError(ErrorCodes.PROVIDER_TIMEOUT, 't', { outcome: 'rejected' } as never);
    expect(u.outcome).to.equal('unknown');
  });

  it('PluginError names the plugin in details; ConfigError keeps one line per problem', () => {
    const p = new PluginError(ErrorCodes.PLUGIN_NOT_FOUND, 'airtime', 'cannot find');
    expect(p.plugin).to.equal('airtime');
    expect(p.details).to.deep.equal({ plugin: 'airtime' });
    const one = new ConfigError(ErrorCodes.CONFIG_INVALID, ['a.b: is required']);
    expect(one.message).to.equal('a.b: is required');
    const two = new ConfigError(ErrorCodes.CONFIG_INVALID, ['a: x', 'b: y']);
    expect(two.message).to.equal('2 config errors:\na: x\nb: y');
    expect(two.toJSON()).to.have.deep.property('errors', ['a: x', 'b: y']);
  });
});

describe('error guards', () => {
  const unknown = new OutcomeUnknownError(ErrorCodes.PROVIDER_TIMEOUT, 't');
  const rejected = new ProviderRejectedError(ErrorCodes.PROVIDER_BAD_REQUEST, 'r');
  const plugin = new PluginError(ErrorCodes.PLUGIN_INVALID, 'p', 'm');
  const config = new ConfigError(ErrorCodes.CONFIG_INVALID, ['x']);
  const plain = new Error('plain');

  it('isRelaypointError accepts every Relaypoint error and refuses others', () => {
    for (const e of [unknown, rejected, plugin, config]) expect(isRelaypointError(e)).to.equal(true);
    for (const e of [plain, null, undefined, 'TIMEOUT', { code: 'X' }]) expect(isRelaypointError(e)).to.equal(false);
  });

  it('isRelaypointError recognises an error from another copy of core by shape', () => {
    const foreign = Object.assign(new Error('m'), { code: 'PROVIDER_TIMEOUT', toJSON: () => ({}) });
    expect(isRelaypointError(foreign)).to.equal(true);
    expect(isConnectorError(foreign)).to.equal(false);
    expect(isConnectorError(Object.assign(foreign, { outcome: 'unknown' }))).to.equal(true);
  });

  it('isConnectorError, hasOutcome and isOutcomeUnknown branch on the outcome', () => {
    expect(isConnectorError(unknown)).to.equal(true);
    expect(isConnectorError(plugin)).to.equal(false);
    expect(hasOutcome(rejected, 'rejected')).to.equal(true);
    expect(hasOutcome(rejected, 'unknown')).to.equal(false);
    expect(isOutcomeUnknown(unknown)).to.equal(true);
    expect(isOutcomeUnknown(rejected)).to.equal(false);
    expect(isOutcomeUnknown(plain)).to.equal(false);
  });

  it('isPluginError and isConfigError', () => {
    expect(isPluginError(plugin)).to.equal(true);
    expect(isPluginError(config)).to.equal(false);
    expect(isConfigError(config)).to.equal(true);
    expect(isConfigError(unknown)).to.equal(false);
  });
});

describe('ErrorCodes', () => {
  it('maps every code to itself', () => {
    for (const [k, v] of Object.entries(ErrorCodes)) expect(v).to.equal(k);
  });

  it('is documented, every code, in the README error table', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const documented = new Set([...readme.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]));
    expect([...documented].sort()).to.deep.equal(Object.keys(ErrorCodes).sort());
  });
});
