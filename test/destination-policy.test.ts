import { describe, expect, it } from 'vitest';
import { DestinationPolicy } from '../src/delivery/destination-policy.js';

const guard = new DestinationPolicy();

describe('DestinationPolicy', () => {
  it.each([
    '0.0.0.0', '0.1.2.3', '10.0.0.1', '100.64.0.1', '127.0.0.1', '127.255.255.254', '169.254.169.254', '172.16.0.1',
    '172.31.255.255', '192.0.0.8', '192.168.1.1', '198.18.0.1', '198.19.255.255', '224.0.0.1', '239.255.255.255',
    '240.0.0.1', '255.255.255.255', '::', '::1', 'fc00::1', 'fd12:3456::1', 'fe80::1', 'ff02::1',
    '::ffff:127.0.0.1', '::ffff:10.0.0.1', '::ffff:169.254.169.254', '::127.0.0.1', '::10.0.0.1',
    '64:ff9b::a00:1', '64:ff9b::7f00:1', '2002:7f00:1::', '2002:a9fe:a9fe::1', 'not-an-ip',
  ])('refuses %s', (address) => {
    expect(guard.allows(address)).toBe(false);
  });

  it.each(['93.184.216.34', '8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808', '2002:808:808::1'])(
    'allows public %s',
    (address) => {
      expect(guard.allows(address)).toBe(true);
    },
  );

  it('opens allow-listed ranges only', () => {
    const local = new DestinationPolicy(['127.0.0.0/8', '::1/128']);
    expect(local.allows('127.0.0.1')).toBe(true);
    expect(local.allows('::1')).toBe(true);
    expect(local.allows('::ffff:127.0.0.1')).toBe(true);
    expect(local.allows('10.0.0.1')).toBe(false);
    expect(local.allows('169.254.169.254')).toBe(false);
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
    expect(error!.message).toMatch(/localhost resolves to .* not a public address/);
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
