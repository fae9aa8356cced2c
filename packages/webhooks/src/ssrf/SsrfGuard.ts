import { lookup } from 'node:dns/promises';
import { buildConnector } from 'undici';
import { AddressPolicy } from './AddressPolicy.js';
import { parseIp } from './IpAddress.js';
import { WebhookInputError } from '../errors/WebhookInputError.js';

/** Resolves a host name to addresses (injectable for tests). */
export type Resolver = (host: string) => Promise<{ address: string; family: number }[]>;

/** SSRF settings of the webhook service. */
export interface SsrfOptions {
  /** CIDR ranges that may be reached although they are private, e.g. `['127.0.0.0/8', '::1/128']` for tests. Defaults to none. */
  allow?: string[];
  /** Accept `http:` URLs everywhere. Defaults to `false`: https only, except for literal addresses inside `allow`. */
  allowHttp?: boolean;
  /** Name resolution used for every new connection. Defaults to the system resolver (`dns.lookup`, all addresses). */
  resolver?: Resolver;
}

/**
 * What a tenant is told about a blocked delivery (stored as the attempt's and
 * the delivery's error). It names neither the address the host resolved to
 * nor the range it fell in: those are answers of the deployment's internal
 * DNS, and a tenant could map the private network with them.
 */
export const SSRF_BLOCKED_MESSAGE = "the destination address is not allowed (see the host's webhooks.ssrf.allow)";

/**
 * A connection was refused by the SSRF guard (error kind `ssrf_blocked`,
 * terminal for the delivery). `message` is {@link SSRF_BLOCKED_MESSAGE};
 * `detail` (host, address, range) is for operators' logs only.
 */
export class SsrfBlockedError extends Error {
  readonly code = 'ERR_SSRF_BLOCKED';
  constructor(readonly detail: string) {
    super(SSRF_BLOCKED_MESSAGE);
    this.name = 'SsrfBlockedError';
  }
}

/** Name resolution failed (error kind `dns`). */
export class DnsError extends Error {
  readonly code: string;
  constructor(message: string, code: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'DnsError';
    this.code = code;
  }
}

const systemResolver: Resolver = async (host) => lookup(host, { all: true, verbatim: true });

function isLocalhostName(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}

/**
 * The SSRF guard: validates subscription URLs when they are saved and pins
 * every outgoing connection to an address it has checked. Resolution and
 * connection happen in one step (the undici connector below), so a name that
 * resolves to a public address for the check cannot be re-resolved to a
 * private one for the connection.
 */
export class SsrfGuard {
  readonly policy: AddressPolicy;
  private readonly allowHttp: boolean;
  private readonly resolver: Resolver;

  constructor(options: SsrfOptions = {}) {
    this.policy = new AddressPolicy(options.allow ?? []);
    this.allowHttp = options.allowHttp ?? false;
    this.resolver = options.resolver ?? systemResolver;
  }

  /**
   * Checks a subscription URL without resolving it: scheme, credentials, and
   * literal addresses (in any form the URL parser accepts: `2130706433`,
   * `0x7f000001`, `0177.0.0.1`, `[::ffff:127.0.0.1]` all normalise to
   * loopback). Throws `WEBHOOK_URL_FORBIDDEN`. Returns the normalised URL.
   */
  checkUrl(raw: string): string {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw WebhookInputError.urlForbidden(`"${raw}" is not an absolute URL`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw WebhookInputError.urlForbidden(`scheme ${url.protocol} is not allowed; use https`);
    if (url.username || url.password) throw WebhookInputError.urlForbidden('credentials in the URL are not allowed');
    const host = url.hostname;
    const literal = parseIp(host) !== null;
    if (literal) {
      const verdict = this.policy.check(host);
      if (!verdict.allowed) throw WebhookInputError.urlForbidden(`the URL's address is not allowed: ${verdict.reason}`);
    } else if (isLocalhostName(host)) {
      const verdict = this.policy.check('127.0.0.1');
      if (!verdict.allowed) throw WebhookInputError.urlForbidden(`"${host}" is a loopback name and is not allowed`);
    }
    if (url.protocol === 'http:' && !this.allowHttp && !(literal && this.policy.isAllowListed(host))) {
      throw WebhookInputError.urlForbidden('plain http is not allowed; use https (or set ssrf.allowHttp)');
    }
    return url.toString();
  }

  /** Whether `http:` is acceptable for a connection to `address`. */
  httpAllowedFor(hostname: string): boolean {
    return this.allowHttp || (parseIp(hostname) !== null && this.policy.isAllowListed(hostname));
  }

  /**
   * Resolves `host` and returns one address to connect to, after checking
   * every address it resolves to (one bad address refuses the host: an
   * attacker controls the order). Throws {@link SsrfBlockedError} or {@link DnsError}.
   */
  async resolveChecked(host: string): Promise<{ address: string; family: 4 | 6 }> {
    const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
    const literal = parseIp(bare);
    if (literal) {
      const verdict = this.policy.check(bare);
      if (!verdict.allowed) throw new SsrfBlockedError(`refused to connect: ${verdict.reason}`);
      return { address: bare, family: literal.family };
    }
    let found: { address: string; family: number }[];
    try {
      found = await this.resolver(bare);
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'ENOTFOUND';
      throw new DnsError(`could not resolve ${bare}: ${code}`, code, error);
    }
    if (!found.length) throw new DnsError(`could not resolve ${bare}: no addresses`, 'ENOTFOUND');
    for (const candidate of found) {
      const verdict = this.policy.check(candidate.address);
      if (!verdict.allowed) throw new SsrfBlockedError(`refused to connect to ${bare}: ${verdict.reason}`);
    }
    const first = found[0];
    return { address: first.address, family: first.family === 6 ? 6 : 4 };
  }

  /**
   * An undici connector that resolves and checks the host, then connects to
   * the checked address only (TLS still verifies the certificate against the
   * original name through SNI/servername).
   */
  connector(options: buildConnector.BuildOptions = {}): buildConnector.connector {
    const base = buildConnector(options);
    return (opts, callback) => {
      this.resolveChecked(opts.hostname).then(
        ({ address }) => {
          const servername = opts.servername ?? (parseIp(opts.hostname) ? undefined : opts.hostname);
          base({ ...opts, hostname: address, ...(servername ? { servername } : {}) }, callback);
        },
        (err: Error) => callback(err, null),
      );
    };
  }
}
