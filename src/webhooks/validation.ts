// Input rules for webhooks, shared by every API surface.
import { ValidationError } from '../app/errors.js';
import { notPublic, type DestinationPolicy } from '../delivery/sending/destination-policy.js';
import { isValidEventPattern } from '../events/catalog.js';
import type { WebhookKind } from '../generated/prisma/client.js';

export const MAX_URL_LENGTH = 2048;

export function validateUrl(
  raw: string,
  { allowHttp, destinations }: { allowHttp: boolean; destinations: DestinationPolicy },
): string {
  if (raw.length > MAX_URL_LENGTH) {
    throw new ValidationError('url', (f) => `${f} must be at most ${MAX_URL_LENGTH} characters`);
  }
  // The URL parser would quietly trim or percent-encode these; a URL that needs it is a mistake worth naming.
  if (/[\s\u0000-\u001f\u007f]/.test(raw)) {
    throw new ValidationError('url', (f) => `${f} must not contain whitespace or control characters`);
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ValidationError('url', (f) => `${f} must be an absolute http(s) URL, e.g. https://example.com/webhook`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ValidationError('url', (f) => `${f} must use http or https`);
  }
  if (url.protocol === 'http:' && !allowHttp) {
    throw new ValidationError('url', (f) => `${f} must use https (plain http is refused in production)`);
  }
  if (url.username || url.password) {
    throw new ValidationError(
      'url',
      (f) => `${f} must not contain credentials; authenticate with the signature instead`,
    );
  }
  // Names are vetted at connect time (they may resolve anywhere later); literals and localhost can be refused now.
  const host = url.hostname.replace(/\.$/, '');
  const literal = destinations.allowsLiteralHost(host);
  const localName = host === 'localhost' || host.endsWith('.localhost');
  if (literal === false || (localName && !destinations.allows('127.0.0.1'))) {
    throw new ValidationError('url', (f) => `${f} must point to a public address; ${url.hostname} ${notPublic}`);
  }
  return url.toString();
}

/** How each kind names its destination, for messages. */
const KIND_DESTINATION = { LISTEN: 'a listener', PULL: 'pulling its messages' } as const;

/**
 * A webhook's destination: an HTTP webhook needs a valid `url`; a LISTEN or PULL webhook has none (its receiver
 * opens the connection), so a `url` given for one is a mistake worth naming.
 */
export function validateDestination(
  kind: WebhookKind,
  raw: string | null | undefined,
  policy: { allowHttp: boolean; destinations: DestinationPolicy },
): string | null {
  if (kind === 'HTTP') {
    if (raw == null) throw new ValidationError('url', (f) => `${f} is required for an HTTP webhook`);
    return validateUrl(raw, policy);
  }
  if (raw != null) {
    throw new ValidationError(
      'url',
      (f) => `${f} must be left out for a ${kind} webhook: its deliveries reach it through ${KIND_DESTINATION[kind]}`,
    );
  }
  return null;
}

export function validateEvents(events: readonly string[]): string[] {
  if (events.length === 0) {
    throw new ValidationError('events', (f) => `${f} must name at least one event type`);
  }
  const seen = new Set<string>();
  for (const pattern of events) {
    if (!isValidEventPattern(pattern)) {
      throw new ValidationError(
        'events',
        (f) => `${f}: unknown event type "${pattern}"; use a name from eventTypes, a wildcard such as "vision.*", or "*"`,
      );
    }
    if (seen.has(pattern)) throw new ValidationError('events', (f) => `${f}: "${pattern}" is listed twice`);
    seen.add(pattern);
  }
  return [...seen];
}

export const MIN_SECRET_LENGTH = 16;
export const MAX_SECRET_LENGTH = 256;

const isBase64 = (text: string) => text.length > 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(text) && text.length % 4 === 0;

/** A secret of your own: long enough that a signed request does not let it be guessed. */
export function validateSecret(secret: string): string {
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new ValidationError(
      'secret',
      (f) =>
        `${f} is ${secret.length} characters; it must be at least ${MIN_SECRET_LENGTH}, since anyone who sees one signed ` +
        'delivery can try guesses of a short secret offline. Leave it out to have a strong one generated',
    );
  }
  if (secret.length > MAX_SECRET_LENGTH) {
    throw new ValidationError('secret', (f) => `${f} is ${secret.length} characters; it must be at most ${MAX_SECRET_LENGTH}`);
  }
  // Standard Webhooks reads a `whsec_` secret as base64 (src/delivery/sending/signing.ts): anything else after the
  // prefix could never sign a delivery.
  if (secret.startsWith('whsec_') && !isBase64(secret.slice('whsec_'.length))) {
    throw new ValidationError(
      'secret',
      (f) => `${f} starts with whsec_, so the rest must be base64 (as a generated secret is); drop the prefix to use it as raw text`,
    );
  }
  return secret;
}

export function validateDescription(description: string): string {
  if (description.length > 500) throw new ValidationError('description', (f) => `${f} must be at most 500 characters`);
  return description;
}

export const MAX_GRACE_PERIOD_SECONDS = 30 * 86_400;
/** How long the previous secret keeps signing after a rotation, unless the caller says otherwise: 24 h. */
export const DEFAULT_GRACE_PERIOD_SECONDS = 86_400;

export function validateGracePeriod(seconds: number): number {
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > MAX_GRACE_PERIOD_SECONDS) {
    throw new ValidationError(
      'gracePeriodSeconds',
      (f) => `${f} must be a whole number from 0 to ${MAX_GRACE_PERIOD_SECONDS} (30 days)`,
    );
  }
  return seconds;
}
