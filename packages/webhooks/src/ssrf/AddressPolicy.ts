import { formatIp, inCidr, parseCidr, parseIp, type Cidr, type IpAddress } from './IpAddress.js';

// Everything a webhook must never reach unless an operator allow-lists it:
// loopback, private, link-local (cloud metadata at 169.254.169.254), CGNAT,
// "this network", benchmarking, documentation, multicast and reserved space.
const DENY_V4 = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.88.99.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4',
  '240.0.0.0/4',
].map(parseCidr);

// IPv6 forms that carry an IPv4 address: checked against DENY_V4 by the embedded address.
const MAPPED = parseCidr('::ffff:0:0/96'); // IPv4-mapped
const NAT64 = parseCidr('64:ff9b::/96'); // well-known NAT64 prefix
const SIX_TO_FOUR = parseCidr('2002::/16'); // 6to4: bytes 2..5

const DENY_V6 = [
  '::/96', // unspecified, loopback and the deprecated IPv4-compatible form
  '64:ff9b:1::/48', // local-use NAT64
  '100::/64', // discard
  '2001::/23', // IETF protocol assignments (Teredo, ORCHID, …)
  '2001:db8::/32', // documentation
  'fc00::/7', // unique local
  'fe80::/10', // link-local
  'fec0::/10', // site-local (deprecated)
  'ff00::/8', // multicast
].map(parseCidr);

/** Why an address was refused, or `null` when it may be reached. */
export type AddressVerdict = { allowed: true } | { allowed: false; reason: string };

/**
 * Decides whether an address may be connected to: allowed when it (or the
 * IPv4 address it embeds) is inside an allow-listed range, refused when it
 * falls in a special-purpose range, allowed otherwise.
 */
export class AddressPolicy {
  private readonly allow: Cidr[];

  /** @param allow CIDR ranges that may be reached even though they are private (tests, private deployments). Defaults to none. */
  constructor(allow: readonly string[] = []) {
    this.allow = allow.map(parseCidr);
  }

  /** The verdict for one address (text form); an unparsable address is refused. */
  check(address: string): AddressVerdict {
    const ip = parseIp(address);
    if (!ip) return { allowed: false, reason: `"${address}" is not an IP address` };
    return this.checkIp(ip);
  }

  /** True when the address is inside an allow-listed range. */
  isAllowListed(address: string): boolean {
    const ip = parseIp(address);
    if (!ip) return false;
    const embedded = embeddedV4(ip);
    return this.allow.some((c) => inCidr(ip, c) || (embedded !== null && inCidr(embedded, c)));
  }

  private checkIp(ip: IpAddress): AddressVerdict {
    const embedded = embeddedV4(ip);
    if (this.allow.some((c) => inCidr(ip, c) || (embedded !== null && inCidr(embedded, c)))) return { allowed: true };
    const v4 = ip.family === 4 ? ip : embedded;
    if (v4) {
      const hit = DENY_V4.find((c) => inCidr(v4, c));
      if (hit) return { allowed: false, reason: `${formatIp(ip)} is in the special-purpose range ${hit.text}` };
    }
    if (ip.family === 6) {
      const hit = DENY_V6.find((c) => inCidr(ip, c));
      if (hit) return { allowed: false, reason: `${formatIp(ip)} is in the special-purpose range ${hit.text}` };
    }
    return { allowed: true };
  }
}

/** The IPv4 address inside an IPv4-mapped, NAT64 or 6to4 IPv6 address, else `null`. */
function embeddedV4(ip: IpAddress): IpAddress | null {
  if (ip.family !== 6) return null;
  if (inCidr(ip, MAPPED) || inCidr(ip, NAT64)) return { family: 4, bytes: ip.bytes.slice(12, 16) };
  if (inCidr(ip, SIX_TO_FOUR)) return { family: 4, bytes: ip.bytes.slice(2, 6) };
  return null;
}
