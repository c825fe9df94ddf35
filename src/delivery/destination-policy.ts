// The SSRF guard: deliveries go only to public unicast addresses, unless an operator allow-lists a range on
// purpose (DESTINATION_ALLOWLIST). Checked on every resolved address at connect time, so DNS rebinding cannot
// slip a private address past an earlier check, and on IP-literal hosts, which never reach DNS.
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

export class DestinationNotAllowedError extends Error {
  readonly code = 'EDESTINATIONNOTALLOWED';
  constructor(host: string, address: string) {
    super(`${host} resolves to ${address}, which is not a public address`);
  }
}

/** The IPv4 address inside IPv4-mapped, -compatible, NAT64 (64:ff9b::/96) and 6to4 (2002::/16) IPv6 forms. */
function embeddedIPv4(ip: ipaddr.IPv6): ipaddr.IPv4 | null {
  const p = ip.parts;
  const fromWords = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
  switch (ip.range()) {
    case 'ipv4Mapped':
    case 'rfc6145':
    case 'rfc6052':
      return fromWords(p[6]!, p[7]!);
    case '6to4':
      return fromWords(p[1]!, p[2]!);
    default:
      // IPv4-compatible (::a.b.c.d, deprecated): 96 zero bits, but not :: or ::1 themselves.
      return p.slice(0, 6).every((w) => w === 0) && (p[6] !== 0 || p[7]! > 1) ? fromWords(p[6]!, p[7]!) : null;
  }
}

export class DestinationPolicy {
  private readonly allowlist: [Address, number][];

  /** `allowlist` holds CIDRs such as 127.0.0.0/8 or ::1/128; throws on a malformed one. */
  constructor(allowlist: readonly string[] = []) {
    this.allowlist = allowlist.map((cidr) => ipaddr.parseCIDR(cidr));
  }

  static isValidCidr(cidr: string): boolean {
    try {
      ipaddr.parseCIDR(cidr);
      return true;
    } catch {
      return false;
    }
  }

  private allowListed(ip: Address): boolean {
    return this.allowlist.some(([range, bits]) => ip.kind() === range.kind() && ip.match(range, bits));
  }

  allows(address: string): boolean {
    if (!ipaddr.isValid(address)) return false;
    const ip = ipaddr.parse(address);
    if (this.allowListed(ip)) return true;
    const v4 = ip.kind() === 'ipv6' ? embeddedIPv4(ip as ipaddr.IPv6) : (ip as ipaddr.IPv4);
    if (v4 && v4 !== ip) return this.allowListed(v4) || v4.range() === 'unicast';
    return ip.range() === 'unicast';
  }

  /** For an IP-literal host (`10.0.0.1`, `[::1]`): whether it is allowed; null when the host is a name. */
  allowsLiteralHost(hostname: string): boolean | null {
    const bare = hostname.replace(/^\[(.*)\]$/, '$1');
    return ipaddr.isValid(bare) ? this.allows(bare) : null;
  }

  /** A `dns.lookup` replacement for the HTTP client: resolves, then refuses if any address is not allowed. */
  readonly lookup = (
    hostname: string,
    options: LookupAllOptions | object,
    callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void,
  ) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const refused = addresses.find((a) => !this.allows(a.address));
      if (refused) return callback(new DestinationNotAllowedError(hostname, refused.address), []);
      if ((options as LookupAllOptions).all) return callback(null, addresses);
      const [first] = addresses;
      return callback(null, first!.address, first!.family);
    });
  };
}
