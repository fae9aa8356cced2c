import { expect } from 'chai';
import { AddressPolicy, WebhookInputError } from '../src/index.js';
import { SsrfGuard } from '../src/ssrf/SsrfGuard.js';

// Every form the issue names, as a subscription URL host.
const FORBIDDEN_HOSTS = [
  '127.0.0.1',
  'localhost',
  '[::1]',
  '0.0.0.0',
  '10.0.0.1',
  '172.16.0.1',
  '192.168.1.1',
  '169.254.169.254',
  '100.64.0.1',
  '[fc00::1]',
  '[fe80::1]',
  '[::ffff:127.0.0.1]',
  '2130706433',
  '0x7f000001',
  '0177.0.0.1',
  '[64:ff9b::a00:1]', // NAT64 of 10.0.0.1
  '224.0.0.1',
  '[ff02::1]',
  '240.0.0.1',
];

describe('AddressPolicy', () => {
  const policy = new AddressPolicy();
  it('refuses special-purpose addresses, including IPv4-mapped, NAT64 and 6to4 forms', () => {
    for (const a of [
      '127.0.0.1',
      '::1',
      '0.0.0.0',
      '10.1.2.3',
      '172.31.255.255',
      '192.168.0.1',
      '169.254.169.254',
      '100.127.0.1',
      'fc00::1',
      'fd12::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '64:ff9b::7f00:1',
      '2002:a00:1::1',
      '::',
      '198.18.0.1',
    ]) {
      expect(policy.check(a).allowed, a).to.equal(false);
    }
  });
  it('allows public addresses', () => {
    for (const a of ['93.184.216.34', '8.8.8.8', '2606:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808', '172.32.0.1', '100.128.0.1']) {
      expect(policy.check(a).allowed, a).to.equal(true);
    }
  });
  it('lets an allow-list override the deny ranges', () => {
    const p = new AddressPolicy(['127.0.0.0/8', '::1/128']);
    expect(p.check('127.0.0.1').allowed).to.equal(true);
    expect(p.check('::1').allowed).to.equal(true);
    expect(p.check('::ffff:127.0.0.1').allowed).to.equal(true);
    expect(p.check('10.0.0.1').allowed).to.equal(false);
  });
});

describe('SsrfGuard.checkUrl', () => {
  const guard = new SsrfGuard();
  for (const host of FORBIDDEN_HOSTS) {
    it(`refuses https://${host}/ with WEBHOOK_URL_FORBIDDEN`, () => {
      try {
        guard.checkUrl(`https://${host}/hook`);
        expect.fail('accepted');
      } catch (e) {
        expect(e).to.be.instanceOf(WebhookInputError);
        expect((e as WebhookInputError).code).to.equal('WEBHOOK_URL_FORBIDDEN');
      }
    });
  }
  it('accepts a public https URL and refuses http, other schemes and credentials', () => {
    expect(guard.checkUrl('https://hooks.example.com/x')).to.equal('https://hooks.example.com/x');
    for (const u of ['http://hooks.example.com/x', 'ftp://example.com/', 'https://user:pw@example.com/', 'not a url']) {
      expect(() => guard.checkUrl(u), u).to.throw(WebhookInputError);
    }
  });
  it('accepts http to an allow-listed literal address', () => {
    const g = new SsrfGuard({ allow: ['127.0.0.0/8'] });
    expect(g.checkUrl('http://127.0.0.1:8080/x')).to.equal('http://127.0.0.1:8080/x');
  });
});

describe('SsrfGuard.resolveChecked', () => {
  it('refuses a name when any address it resolves to is private, and pins to a checked address otherwise', async () => {
    const guard = new SsrfGuard({
      resolver: async (h) =>
        h === 'evil.example'
          ? [
              { address: '93.184.216.34', family: 4 },
              { address: '10.0.0.5', family: 4 },
            ]
          : [{ address: '93.184.216.34', family: 4 }],
    });
    await guard.resolveChecked('evil.example').then(
      () => expect.fail('resolved'),
      (e: Error & { code?: string }) => expect(e.code).to.equal('ERR_SSRF_BLOCKED'),
    );
    expect(await guard.resolveChecked('good.example')).to.deep.equal({ address: '93.184.216.34', family: 4 });
  });
  it('reports a resolution failure as a DNS error', async () => {
    const guard = new SsrfGuard({ resolver: async () => Promise.reject(Object.assign(new Error('nope'), { code: 'ENOTFOUND' })) });
    await guard.resolveChecked('missing.example').then(
      () => expect.fail('resolved'),
      (e: Error) => expect(e.name).to.equal('DnsError'),
    );
  });
});
