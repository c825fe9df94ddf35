// Input rules for a webhook's endpoint controls: its rate limit and its custom headers. Pure: no I/O.
import { ValidationError } from '../app/errors.js';
import { SIGNED_HEADER_NAMES } from '../delivery/sending/signing.js';
import type { SecretBox } from '../secrets/secret-box.js';

export const MIN_RATE_LIMIT_PER_SECOND = 1;
export const MAX_RATE_LIMIT_PER_SECOND = 1000;

/** Deliveries started per second at most (null: no limit); a whole number from 1 to 1000. */
export function validateRateLimit(perSecond: number | null): number | null {
  if (perSecond === null) return null;
  if (!Number.isInteger(perSecond) || perSecond < MIN_RATE_LIMIT_PER_SECOND || perSecond > MAX_RATE_LIMIT_PER_SECOND) {
    throw new ValidationError(
      'rateLimitPerSecond',
      (f) => `${f} must be a whole number from ${MIN_RATE_LIMIT_PER_SECOND} to ${MAX_RATE_LIMIT_PER_SECOND}, or null for no limit`,
    );
  }
  return perSecond;
}

export const MAX_HEADERS = 20;
export const MAX_HEADER_NAME_LENGTH = 64;
export const MAX_HEADER_VALUE_LENGTH = 2048;

/** The trace context this service sends itself when a webhook opts in (src/observability/tracing.ts). */
const TRACE_HEADERS = ['traceparent', 'tracestate'];
/** Hop-by-hop headers and those the HTTP client derives from the request: a webhook cannot choose them. */
const HOP_BY_HOP = ['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host', 'content-length', 'expect'];
const RESERVED = new Set<string>([...SIGNED_HEADER_NAMES, ...TRACE_HEADERS, ...HOP_BY_HOP]);
/** Whole families: `proxy-*` (hop-by-hop), `webhook-*` (Standard Webhooks' own), `content-*` (the body's, which the service sets). */
const RESERVED_PREFIXES = ['proxy-', 'webhook-', 'content-'];

/** RFC 9110 token characters: what a header name may be made of. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Visible ASCII, spaces and tabs: no line breaks (header injection) nor other controls. */
const FIELD_VALUE = /^[\t\x20-\x7e]*$/;

/** A custom header sent with every attempt. */
export type WebhookHeader = { name: string; value: string };
/** A header as given on create or update: a null value keeps the webhook's current value for that name. */
export type WebhookHeaderInput = { name: string; value?: string | null };

function isReserved(lower: string) {
  return RESERVED.has(lower) || RESERVED_PREFIXES.some((prefix) => lower.startsWith(prefix));
}

/**
 * The headers to store, in the order given: names are HTTP tokens, unique ignoring case, none the service's own nor
 * hop-by-hop; values printable; at most MAX_HEADERS. A null value keeps the value `current` has for that name
 * (refused when it has none).
 */
export function validateHeaders(input: readonly WebhookHeaderInput[], current: readonly WebhookHeader[] = []): WebhookHeader[] {
  if (input.length > MAX_HEADERS) {
    throw new ValidationError('headers', (f) => `${f} may hold at most ${MAX_HEADERS} headers`);
  }
  const seen = new Set<string>();
  return input.map(({ name, value }) => {
    const lower = name.toLowerCase();
    if (name.length === 0 || name.length > MAX_HEADER_NAME_LENGTH || !TOKEN.test(name)) {
      throw new ValidationError(
        'headers',
        (f) => `${f}: "${name}" is not a header name (letters, digits and !#$%&'*+.^_\`|~-, at most ${MAX_HEADER_NAME_LENGTH})`,
      );
    }
    if (isReserved(lower)) {
      throw new ValidationError(
        'headers',
        (f) => `${f}: ${name} is set by the service itself or is hop-by-hop (content-*, user-agent, signatures, webhook-*, traceparent, connection, host, proxy-*, ...)`,
      );
    }
    if (seen.has(lower)) throw new ValidationError('headers', (f) => `${f}: ${name} is listed twice`);
    seen.add(lower);
    const kept = value ?? current.find((header) => header.name.toLowerCase() === lower)?.value;
    if (kept === undefined) {
      throw new ValidationError('headers', (f) => `${f}: ${name} has no value to keep; give its value`);
    }
    if (kept.length > MAX_HEADER_VALUE_LENGTH || !FIELD_VALUE.test(kept)) {
      throw new ValidationError(
        'headers',
        (f) => `${f}: the value of ${name} must be printable ASCII (no line breaks), at most ${MAX_HEADER_VALUE_LENGTH} characters`,
      );
    }
    return { name, value: kept };
  });
}

/** The headers as stored: sealed like the signing secret (null for none). */
export function sealHeaders(box: SecretBox, headers: readonly WebhookHeader[]): string | null {
  return headers.length === 0 ? null : box.seal(JSON.stringify(headers.map(({ name, value }) => [name, value])));
}

/** The headers a webhook stores (`sealHeaders`), opened. */
export function openHeaders(box: SecretBox, sealed: string | null): WebhookHeader[] {
  if (sealed === null) return [];
  return (JSON.parse(box.open(sealed)) as [string, string][]).map(([name, value]) => ({ name, value }));
}
