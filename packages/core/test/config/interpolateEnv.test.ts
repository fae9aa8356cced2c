import { expect } from 'chai';
import { ConfigError, ErrorCodes, interpolateEnv } from '../../src/index.js';

function refusal(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('interpolateEnv', () => {
  const env = { KEY: 'k-123', EMPTY: '', HOST: 'api.example' };

  it('replaces ${VAR} in every string of a nested value, leaving keys and non-strings alone', () => {
    const input = { '${KEY}': 1, list: ['${KEY}', 2, true, null], nested: { url: 'https://${HOST}/v1?k=${KEY}' } };
    expect(interpolateEnv(input, env)).to.deep.equal({
      '${KEY}': 1,
      list: ['k-123', 2, true, null],
      nested: { url: 'https://api.example/v1?k=k-123' },
    });
    expect(input.list[0]).to.equal('${KEY}');
  });

  it('uses ${VAR:-default} when the variable is unset or empty', () => {
    expect(interpolateEnv('${NOPE:-fallback}', env)).to.equal('fallback');
    expect(interpolateEnv('${EMPTY:-fallback}', env)).to.equal('fallback');
    expect(interpolateEnv('${KEY:-fallback}', env)).to.equal('k-123');
    expect(interpolateEnv('${NOPE:-}', env)).to.equal('');
    expect(interpolateEnv('${NOPE:-http://x:8080/a}', env)).to.equal('http://x:8080/a');
  });

  it('keeps an empty but set variable for ${VAR}', () => {
    expect(interpolateEnv('a${EMPTY}b', env)).to.equal('ab');
  });

  it('writes a literal ${ for $${', () => {
    expect(interpolateEnv('price: $${KEY} and ${KEY}', env)).to.equal('price: ${KEY} and k-123');
  });

  it('does not re-interpolate a substituted value', () => {
    expect(interpolateEnv('${A}', { A: '${KEY}', KEY: 'x' })).to.equal('${KEY}');
  });

  it('reports every unset variable with its JSON path, one line each', () => {
    const e = refusal(() =>
      interpolateEnv({ connectors: [{ config: { apiKey: '${AIRTIME_KEY}', url: '${BASE}/x', ok: '${KEY}' } }], 'odd.key': '${ODD}' }, env),
    );
    expect(e.code).to.equal(ErrorCodes.CONFIG_ENV_MISSING);
    expect(e.errors).to.deep.equal([
      'connectors[0].config.apiKey: environment variable AIRTIME_KEY is not set',
      'connectors[0].config.url: environment variable BASE is not set',
      '["odd.key"]: environment variable ODD is not set',
    ]);
  });

  it('refuses a malformed reference with CONFIG_INVALID', () => {
    const e = refusal(() => interpolateEnv({ a: '${1BAD}', b: '${UNCLOSED' }, env));
    expect(e.code).to.equal(ErrorCodes.CONFIG_INVALID);
    expect(e.errors).to.have.length(2);
    expect(e.errors[0]).to.match(/^a: malformed/);
  });

  it('reads process.env by default', () => {
    process.env.RELAYPOINT_TEST_INTERP = 'from-env';
    try {
      expect(interpolateEnv('${RELAYPOINT_TEST_INTERP}')).to.equal('from-env');
    } finally {
      delete process.env.RELAYPOINT_TEST_INTERP;
    }
  });
});
