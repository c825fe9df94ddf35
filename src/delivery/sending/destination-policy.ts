// The SSRF guard: deliveries go only to global unicast addresses, unless an operator allow-lists a range on
// purpose (DESTINATION_ALLOWLIST). Checked on every resolved address at connect time, so DNS rebinding cannot
// slip a private address past an earlier check, and on IP-literal hosts, which never reach DNS. What is global is
// IANA's special-purpose registries' word (special-purpose-addresses.ts), not a list of findings.
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import ipaddr from 'ipaddr.js';
import {
  IPV4_NOT_UNICAST,
  IPV4_SPECIAL_PURPOSE,
  IPV6_GLOBAL_UNICAST,
  IPV6_SPECIAL_PURPOSE,
  type SpecialPurposeEntry,
} from './special-purpose-addresses.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

export class DestinationNotAllowedError extends Error {
  readonly code = 'EDESTINATIONNOTALLOWED';
  /** `address` is the one `host` resolved to; none for an IP-literal host. */
  constructor(host: string, address?: string) {
    super(`${address ? `${host} resolves to ${address}, which` : host} ${notPublic}`);
  }
}

/** The end of every refusal: what the operator does when the address is meant to be reached. */
export const notPublic = 'is not a public address; to allow it, add its range to DESTINATION_ALLOWLIST';

type Range = { range: [Address, number]; globallyReachable: boolean | null };
/** Most specific first, so an entry inside a larger one (192.0.0.9/32 in 192.0.0.0/24) decides for its addresses. */
const ranges = (entries: readonly SpecialPurposeEntry[]): Range[] =>
  entries
    .map((e) => ({ range: ipaddr.parseCIDR(e.prefix), globallyReachable: e.globallyReachable }))
    .sort((a, b) => b.range[1] - a.range[1]);
const IPV4_RANGES = ranges([...IPV4_SPECIAL_PURPOSE, ...IPV4_NOT_UNICAST]);
const IPV6_RANGES = ranges(IPV6_SPECIAL_PURPOSE);
const GLOBAL_UNICAST = ipaddr.parseCIDR(IPV6_GLOBAL_UNICAST);

/** The IPv4 address an IPv6 one stands for: IPv4-mapped (::ffff:0:0/96), NAT64 (64:ff9b::/96), 6to4 (2002::/16). */
function embeddedIPv4(ip: ipaddr.IPv6): ipaddr.IPv4 | null {
  const p = ip.parts;
  const fromWords = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
  switch (ip.range()) {
    case 'ipv4Mapped':
    case 'rfc6052':
      return fromWords(p[6]!, p[7]!);
    case '6to4':
      return fromWords(p[1]!, p[2]!);
    default:
      return null;
  }
}

/** Whether the registries call the address globally reachable unicast. */
function isGlobal(ip: Address): boolean {
  const entry = (ip.kind() === 'ipv4' ? IPV4_RANGES : IPV6_RANGES).find(
    ({ range: [range, bits] }) => range.kind() === ip.kind() && ip.match(range, bits),
  );
  if (entry) return entry.globallyReachable === true;
  return ip.kind() === 'ipv4' || (ip as ipaddr.IPv6).match(GLOBAL_UNICAST);
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
    const v4 = ip.kind() === 'ipv6' ? embeddedIPv4(ip as ipaddr.IPv6) : null;
    if (v4) return this.allowListed(v4) || isGlobal(v4);
    return isGlobal(ip);
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
