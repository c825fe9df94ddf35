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

export function signedHeaders(input: SignedRequestInput): Record<string, string> {
  const [current] = input.secrets;
  if (!current) throw new Error('a delivery needs at least one signing secret');
  const standard = input.secrets
    .map((secret) => standardWebhooksSigner(secret).sign(input.messageId, input.now, input.body))
    .join(' ');
  return {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    'x-webhook-signature': hexSignature(current, input.body),
    'x-webhook-id': input.webhookId,
    'x-event-id': input.eventId,
    'x-timestamp': input.eventTimestamp,
    'webhook-id': input.messageId,
    'webhook-timestamp': String(Math.floor(input.now.getTime() / 1000)),
    'webhook-signature': standard,
  };
}

/** What a stored attempt keeps in place of a signature (see `redactedSignatures`). */
export const REDACTED = '[redacted]';

/**
 * The request headers as an attempt record keeps them: every signature is replaced by REDACTED, keeping its
 * scheme (`x-webhook-signature: [redacted]`, `webhook-signature: v1,[redacted] v1,[redacted]`, one per signing
 * secret). No part of a signature is kept: with the body beside it, even a prefix would let anyone who can read
 * attempts test guesses of the secret offline.
 */
export function redactedSignatures(headers: Record<string, string>): Record<string, string> {
  const redacted = { ...headers };
  if (redacted['x-webhook-signature'] !== undefined) redacted['x-webhook-signature'] = REDACTED;
  if (redacted['webhook-signature'] !== undefined) {
    redacted['webhook-signature'] = redacted['webhook-signature']
      .split(' ')
      .map((signature) => `${signature.split(',')[0]},${REDACTED}`)
      .join(' ');
  }
  return redacted;
}
