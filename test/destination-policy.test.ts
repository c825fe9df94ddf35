import { describe, expect, it } from 'vitest';
import ipaddr from 'ipaddr.js';
import { DestinationPolicy } from '../src/delivery/sending/destination-policy.js';
import {
  IPV4_NOT_UNICAST,
  IPV4_SPECIAL_PURPOSE,
  IPV6_SPECIAL_PURPOSE,
} from '../src/delivery/sending/special-purpose-addresses.js';

const guard = new DestinationPolicy();

describe('DestinationPolicy', () => {
  it.each([
    '0.0.0.0', '0.1.2.3', '10.0.0.1', '100.64.0.1', '127.0.0.1', '127.255.255.254', '169.254.169.254', '172.16.0.1',
    '172.31.255.255', '192.0.0.8', '192.168.1.1', '198.18.0.1', '198.19.255.255', '224.0.0.1', '239.255.255.255',
    '240.0.0.1', '255.255.255.255', '::', '::1', 'fc00::1', 'fd12:3456::1', 'fe80::1', 'ff02::1',
    '::ffff:127.0.0.1', '::ffff:10.0.0.1', '::ffff:169.254.169.254', '::127.0.0.1', '::10.0.0.1',
    '64:ff9b::a00:1', '64:ff9b::7f00:1', '2002:7f00:1::', '2002:a9fe:a9fe::1', 'not-an-ip',
    // Findings of issue 17: site-local and local-use NAT64 were connected to.
    'fec0::1', 'feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', '64:ff9b:1::1', '64:ff9b:1::808:808',
    // Outside 2000::/3 without a registry entry, and IPv4-compatible forms of public addresses.
    '4000::1', '1::1', '::808:808', '::ffff:0:808:808',
  ])('refuses %s', (address) => {
    expect(guard.allows(address)).toBe(false);
  });

  it.each(['93.184.216.34', '8.8.8.8', '1.1.1.1', '223.255.255.254', '2606:4700:4700::1111', '2a00:1450:4001::200e', '::ffff:8.8.8.8', '64:ff9b::808:808', '2002:808:808::1'])(
    'allows public %s',
    (address) => {
      expect(guard.allows(address)).toBe(true);
    },
  );

  // Every entry of IANA's special-purpose registries, as transcribed: the first and the last address of a block
  // that is not globally reachable (N/A included) are refused; a globally reachable block is allowed unless a more
  // specific entry inside it says otherwise, or it stands for an IPv4 address (NAT64, judged by that address).
  const first = (prefix: string) => ipaddr.parse(prefix.split('/')[0]!).kind() === 'ipv4'
    ? ipaddr.IPv4.networkAddressFromCIDR(prefix).toString()
    : ipaddr.IPv6.networkAddressFromCIDR(prefix).toString();
  const last = (prefix: string) => ipaddr.parse(prefix.split('/')[0]!).kind() === 'ipv4'
    ? ipaddr.IPv4.broadcastAddressFromCIDR(prefix).toString()
    : ipaddr.IPv6.broadcastAddressFromCIDR(prefix).toString();
  const registry = [...IPV4_SPECIAL_PURPOSE, ...IPV4_NOT_UNICAST, ...IPV6_SPECIAL_PURPOSE];

  it.each(registry.filter((e) => e.globallyReachable !== true).map((e) => [e.prefix, e.name] as const))(
    'refuses the first and last address of %s (%s)',
    (prefix) => {
      expect(guard.allows(first(prefix))).toBe(false);
      expect(guard.allows(last(prefix))).toBe(false);
    },
  );

  it.each(
    registry.filter((e) => e.globallyReachable === true && e.prefix !== '64:ff9b::/96').map((e) => [e.prefix, e.name] as const),
  )('allows globally reachable %s (%s)', (prefix) => {
    expect(guard.allows(first(prefix))).toBe(true);
    expect(guard.allows(last(prefix))).toBe(true);
  });

  it('judges the NAT64 well-known prefix, 64:ff9b::/96, by the IPv4 address it carries', () => {
    expect(guard.allows('64:ff9b::808:808')).toBe(true);
    expect(guard.allows('64:ff9b::c0a8:101')).toBe(false);
  });

  it('opens allow-listed ranges only', () => {
    const local = new DestinationPolicy(['127.0.0.0/8', '::1/128']);
    expect(local.allows('127.0.0.1')).toBe(true);
    expect(local.allows('::1')).toBe(true);
    expect(local.allows('::ffff:127.0.0.1')).toBe(true);
    expect(local.allows('10.0.0.1')).toBe(false);
    expect(local.allows('169.254.169.254')).toBe(false);
    const siteLocal = new DestinationPolicy(['fec0::/10', '64:ff9b:1::/48']);
    expect(siteLocal.allows('fec0::1')).toBe(true);
    expect(siteLocal.allows('64:ff9b:1::1')).toBe(true);
    expect(siteLocal.allows('fc00::1')).toBe(false);
  });

  it('judges IP-literal hosts and leaves names to connect time', () => {
    expect(guard.allowsLiteralHost('[::1]')).toBe(false);
    expect(guard.allowsLiteralHost('10.1.2.3')).toBe(false);
    expect(guard.allowsLiteralHost('8.8.8.8')).toBe(true);
    expect(guard.allowsLiteralHost('example.com')).toBeNull();
  });

  it('refuses a name that resolves to a private address at lookup time', async () => {
    const error = await new Promise<Error | null>((resolve) => guard.lookup('localhost', {}, (err) => resolve(err)));
    expect(error).toMatchObject({ code: 'EDESTINATIONNOTALLOWED' });
    expect(error!.message).toMatch(/localhost resolves to .* not a public address; to allow it, add its range to DESTINATION_ALLOWLIST/);
    const allowed = new DestinationPolicy(['127.0.0.0/8', '::1/128']);
    const resolved = await new Promise<unknown>((resolve) =>
      allowed.lookup('localhost', { all: true }, (err, addresses) => resolve(err ?? addresses)),
    );
    expect(resolved).toEqual(expect.arrayContaining([expect.objectContaining({ address: expect.stringMatching(/^(127\.|::1)/) })]));
  });

  it('rejects malformed CIDRs', () => {
    expect(DestinationPolicy.isValidCidr('10.0.0.0/8')).toBe(true);
    expect(DestinationPolicy.isValidCidr('10.0.0.0/33')).toBe(false);
    expect(() => new DestinationPolicy(['nope'])).toThrow();
  });
});
