// The rules a webhook's URL must meet when it is written (validateUrl, src/webhooks/validation.ts): the SSRF guard's
// first line, before the destination policy checks every address at connect time.
import { describe, expect, it } from 'vitest';
import { DestinationPolicy } from '../src/delivery/sending/destination-policy.js';
import { ValidationError } from '../src/app/errors.js';
import { MAX_URL_LENGTH, validateUrl } from '../src/webhooks/validation.js';

const strict = { allowHttp: false, destinations: new DestinationPolicy() };

/** The ValidationError `validateUrl` throws for `raw`, or a failure if it accepts it. */
function refusal(raw: string, options = strict): ValidationError {
  try {
    validateUrl(raw, options);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('url');
    return error as ValidationError;
  }
  throw new Error(`${raw} was accepted`);
}

describe('validateUrl', () => {
  it('accepts a public https URL and returns it normalised', () => {
    expect(validateUrl('https://Example.COM/hooks/1?x=1', strict)).toBe('https://example.com/hooks/1?x=1');
    expect(validateUrl('https://example.com', strict)).toBe('https://example.com/');
    expect(validateUrl('https://93.184.215.14:8443/in', strict)).toBe('https://93.184.215.14:8443/in');
  });

  it('refuses what is not an absolute http(s) URL', () => {
    expect(refusal('example.com/hook').message).toMatch(/absolute http\(s\) URL/);
    expect(refusal('/relative').message).toMatch(/absolute http\(s\) URL/);
    expect(refusal('ftp://example.com/hook').message).toBe('url must use http or https');
    expect(refusal('file:///etc/passwd').message).toBe('url must use http or https');
  });

  it('refuses plain http unless allowed', () => {
    expect(refusal('http://example.com/hook').message).toMatch(/must use https/);
    expect(validateUrl('http://example.com/hook', { ...strict, allowHttp: true })).toBe('http://example.com/hook');
  });

  it('refuses whitespace and control characters rather than letting the parser mend them', () => {
    for (const raw of [' https://example.com/', 'https://example.com/a b', 'https://example.com/\t', 'https://exa\u0000mple.com/']) {
      expect(refusal(raw).message).toBe('url must not contain whitespace or control characters');
    }
  });

  it('refuses credentials in the URL', () => {
    expect(refusal('https://user:pass@example.com/').message).toMatch(/must not contain credentials/);
    expect(refusal('https://user@example.com/').message).toMatch(/must not contain credentials/);
  });

  it(`refuses a URL longer than ${MAX_URL_LENGTH} characters`, () => {
    const base = 'https://example.com/';
    expect(validateUrl(base + 'a'.repeat(MAX_URL_LENGTH - base.length), strict)).toHaveLength(MAX_URL_LENGTH);
    expect(refusal(base + 'a'.repeat(MAX_URL_LENGTH - base.length + 1)).message).toBe(`url must be at most ${MAX_URL_LENGTH} characters`);
  });

  it('refuses addresses that are not public, written as literals', () => {
    for (const raw of [
      'https://127.0.0.1/',
      'https://10.1.2.3/',
      'https://192.168.0.10:8080/',
      'https://169.254.169.254/latest/meta-data',
      'https://0.0.0.0/',
      'https://[::1]/',
      'https://[fd00::1]/',
      'https://[::ffff:10.0.0.1]/',
      'https://2130706433/', // 127.0.0.1 as one number: the parser reads it as an IPv4 literal
    ]) {
      expect(refusal(raw).message, raw).toMatch(/must point to a public address; .* is not a public address/);
    }
  });

  it('refuses localhost names, with or without a trailing dot', () => {
    for (const raw of ['https://localhost/', 'https://localhost./', 'https://api.localhost:3000/']) {
      expect(refusal(raw).message, raw).toMatch(/must point to a public address/);
    }
  });

  it('accepts what the allowlist allows, and only that', () => {
    const loopback = { allowHttp: true, destinations: new DestinationPolicy(['127.0.0.0/8']) };
    expect(validateUrl('http://127.0.0.1:8080/hook', loopback)).toBe('http://127.0.0.1:8080/hook');
    expect(validateUrl('http://localhost:8080/hook', loopback)).toBe('http://localhost:8080/hook');
    expect(refusal('http://10.0.0.1/hook', loopback).message).toMatch(/must point to a public address/);
    expect(refusal('http://[::1]/hook', loopback).message).toMatch(/must point to a public address/);
  });
});
