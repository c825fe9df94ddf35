// Receiver side: checks that a POST really comes from the service and is fresh, then returns the typed event.
// Standard Webhooks headers (webhook-id/-timestamp/-signature) are preferred: they sign the timestamp too, so a
// replayed request is refused. A request with only the spec's X-Webhook-Signature (hex HMAC-SHA256 of the raw body)
// is checked that way; it carries no signed timestamp.
import { hmac } from 'fast-sha256';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import type { WebhookEvent } from './events.js';

export type VerificationFailure =
  | 'missing_headers'
  | 'invalid_timestamp'
  | 'stale_timestamp'
  | 'future_timestamp'
  | 'invalid_signature'
  | 'invalid_payload';

export class WebhookVerificationError extends Error {
  override name = 'WebhookVerificationError';
  constructor(
    readonly reason: VerificationFailure,
    message: string,
  ) {
    super(message);
  }
}

/** A Fetch `Headers`, or a plain object such as Node's `req.headers`, with names in any letter case. */
export type HeadersLike = { get(name: string): string | null } | Record<string, string | readonly string[] | undefined>;

export type VerifyOptions = {
  /** How far `webhook-timestamp` may be from now, either way. Default 300 (5 minutes). */
  toleranceSeconds?: number;
  /**
   * Refuse requests that carry only X-Webhook-Signature. That signature covers the body but no send time, so a
   * captured request could be replayed with it; the service always sends both. Default false (the spec's scheme).
   */
  requireStandardHeaders?: boolean;
  /** The current time in milliseconds; for tests. */
  now?: () => number;
};

/** The raw body exactly as received: a string, a Node Buffer or any Uint8Array. */
export type RawBody = string | Uint8Array;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8');

function headerReader(headers: HeadersLike): (name: string) => string | undefined {
  if (typeof headers.get === 'function') {
    const fetchHeaders = headers as { get(name: string): string | null };
    return (name) => fetchHeaders.get(name) ?? undefined;
  }
  const lowered = new Map<string, string>();
  for (const [key, value] of Object.entries(headers as Record<string, string | readonly string[] | undefined>)) {
    if (value !== undefined) lowered.set(key.toLowerCase(), typeof value === 'string' ? value : value.join(' '));
  }
  return (name) => lowered.get(name);
}

/** Constant-time for equal lengths; the length of a signature is public. */
function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

/** Standard Webhooks: a `whsec_` secret is a base64 key; any other secret is used as its raw bytes. */
const standardWebhook = (secret: string) =>
  secret.startsWith('whsec_') ? new StandardWebhook(secret) : new StandardWebhook(secret, { format: 'raw' });

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

function checkStandardSignature(
  secrets: readonly string[],
  body: string,
  id: string,
  timestampHeader: string,
  signatureHeader: string,
  options: VerifyOptions,
): void {
  if (!/^\d{1,12}$/.test(timestampHeader.trim())) {
    throw new WebhookVerificationError('invalid_timestamp', `webhook-timestamp is not a Unix time in seconds: ${timestampHeader}`);
  }
  const timestamp = Number(timestampHeader.trim());
  const tolerance = options.toleranceSeconds ?? 300;
  const now = Math.floor((options.now ?? Date.now)() / 1000);
  if (now - timestamp > tolerance) {
    throw new WebhookVerificationError('stale_timestamp', `webhook-timestamp is ${now - timestamp} s old (tolerance ${tolerance} s)`);
  }
  if (timestamp - now > tolerance) {
    throw new WebhookVerificationError('future_timestamp', `webhook-timestamp is ${timestamp - now} s in the future (tolerance ${tolerance} s)`);
  }
  const passed = signatureHeader
    .split(' ')
    .map((entry) => entry.split(','))
    .filter((parts): parts is [string, string] => parts.length === 2 && parts[0] === 'v1')
    .map(([, signature]) => encoder.encode(signature));
  for (const secret of secrets) {
    const expected = encoder.encode(standardWebhook(secret).sign(id, new Date(timestamp * 1000), body).slice('v1,'.length));
    // Compare with every signature (no early exit), so timing does not tell which one matched.
    let matched = false;
    for (const signature of passed) matched = timingSafeEqual(signature, expected) || matched;
    if (matched) return;
  }
  throw new WebhookVerificationError('invalid_signature', 'No webhook-signature matches the body and secret');
}

function checkHexSignature(secrets: readonly string[], body: Uint8Array, signatureHeader: string): void {
  const passed = encoder.encode(signatureHeader.trim().toLowerCase());
  for (const secret of secrets) {
    if (timingSafeEqual(passed, encoder.encode(hex(hmac(encoder.encode(secret), body))))) return;
  }
  throw new WebhookVerificationError('invalid_signature', 'X-Webhook-Signature does not match the body and secret');
}

function parseEvent(body: string): WebhookEvent {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new WebhookVerificationError('invalid_payload', 'The body is not JSON');
  }
  const event = value as Partial<Record<keyof WebhookEvent, unknown>> | null;
  if (
    typeof event !== 'object' ||
    event === null ||
    typeof event.event_id !== 'string' ||
    typeof event.event_type !== 'string' ||
    typeof event.data !== 'object' ||
    event.data === null
  ) {
    throw new WebhookVerificationError('invalid_payload', 'The body is not a webhook event (event_id, event_type, data)');
  }
  return value as WebhookEvent;
}

/**
 * Verifies a delivery and returns its event, discriminated on `event_type`; throws WebhookVerificationError with a
 * `reason` otherwise. Pass the raw body, before any JSON parsing. `secret` may list several secrets while you
 * rotate yours.
 */
export function verifyWebhook(
  rawBody: RawBody,
  headers: HeadersLike,
  secret: string | readonly string[],
  options: VerifyOptions = {},
): WebhookEvent {
  const secrets = typeof secret === 'string' ? [secret] : secret;
  if (secrets.length === 0 || secrets.some((s) => s.length === 0)) throw new TypeError('verifyWebhook needs a non-empty secret');
  const header = headerReader(headers);
  const bytes = typeof rawBody === 'string' ? encoder.encode(rawBody) : rawBody;
  const body = typeof rawBody === 'string' ? rawBody : decoder.decode(rawBody);

  const id = header('webhook-id');
  const timestamp = header('webhook-timestamp');
  const signature = header('webhook-signature');
  const hexSignature = header('x-webhook-signature');
  if (id && timestamp && signature) {
    checkStandardSignature(secrets, body, id, timestamp, signature, options);
  } else if (hexSignature && !id && !timestamp && !signature && !options.requireStandardHeaders) {
    checkHexSignature(secrets, bytes, hexSignature);
  } else {
    const missing = ['webhook-id', 'webhook-timestamp', 'webhook-signature'].filter((name) => !header(name));
    throw new WebhookVerificationError(
      'missing_headers',
      missing.length < 3 || (hexSignature && options.requireStandardHeaders)
        ? `Missing ${missing.join(', ')}`
        : 'Missing the signature headers (webhook-id, webhook-timestamp, webhook-signature or X-Webhook-Signature)',
    );
  }
  return parseEvent(body);
}
