// Signs a delivery both ways receivers expect: the spec's hex HMAC-SHA256 of the raw body in
// X-Webhook-Signature (key = the secret's UTF-8 bytes), and Standard Webhooks' `webhook-signature`
// (v1,<base64> over id.timestamp.body), with one signature per valid secret during a rotation.
import { createHmac } from 'node:crypto';
import { Webhook as StandardWebhook } from 'standardwebhooks';

export const USER_AGENT = 'AIPlatform-Webhooks/0.1 (+https://aiplatform.io/docs/webhooks)';

/** Standard Webhooks treats `whsec_` secrets as base64 keys; any other secret is used as raw UTF-8 bytes. */
export function standardWebhooksSigner(secret: string): StandardWebhook {
  return secret.startsWith('whsec_') ? new StandardWebhook(secret) : new StandardWebhook(secret, { format: 'raw' });
}

export const hexSignature = (secret: string, body: string) =>
  createHmac('sha256', Buffer.from(secret, 'utf8')).update(body, 'utf8').digest('hex');

export type SignedRequestInput = {
  body: string;
  messageId: string;
  webhookId: string;
  eventId: string;
  eventTimestamp: string;
  /** The current secret first, then any still in their rotation grace period. */
  secrets: readonly string[];
  now: Date;
};

/** Every header `signedHeaders` sets: a webhook's custom headers may not name them (src/webhooks/endpoint-controls.ts). */
export const SIGNED_HEADER_NAMES = [
  'content-type',
  'user-agent',
  'x-webhook-signature',
  'x-webhook-id',
  'x-event-id',
  'x-timestamp',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
] as const;

/** The scheme of each Standard Webhooks signature (`v1,<base64>`). */
export const STANDARD_SIGNATURE_SCHEME = 'v1';

export function signedHeaders(input: SignedRequestInput): Record<string, string> {
  const [current] = input.secrets;
  if (!current) throw new Error('a delivery needs at least one signing secret');
  const standard = input.secrets
    .map((secret) => standardWebhooksSigner(secret).sign(input.messageId, input.now, input.body))
    .join(' ');
  return requestHeaders(input, hexSignature(current, input.body), standard);
}

/** What a stored attempt shows in place of a signature. */
export const REDACTED = '[redacted]';

/**
 * The headers `signedHeaders` set, as an attempt's record shows them: every signature replaced by REDACTED, keeping
 * its scheme (`x-webhook-signature: [redacted]`, `webhook-signature: v1,[redacted] v1,[redacted]`, one per signing
 * secret). No part of a signature is kept: with the body beside it, even a prefix would let anyone who can read
 * attempts test guesses of the secret offline.
 */
export function redactedHeaders(input: Omit<SignedRequestInput, 'secrets'>, signatures: number): Record<string, string> {
  const standard = Array.from({ length: signatures }, () => `${STANDARD_SIGNATURE_SCHEME},${REDACTED}`).join(' ');
  return requestHeaders(input, REDACTED, standard);
}

function requestHeaders(input: Omit<SignedRequestInput, 'secrets'>, hex: string, standard: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    'x-webhook-signature': hex,
    'x-webhook-id': input.webhookId,
    'x-event-id': input.eventId,
    'x-timestamp': input.eventTimestamp,
    'webhook-id': input.messageId,
    'webhook-timestamp': String(Math.floor(input.now.getTime() / 1000)),
    'webhook-signature': standard,
  };
}
