// Signing a delivery (src/delivery/sending/signing.ts), checked the way receivers check it: Standard Webhooks'
// own library, and the HMACs computed by hand.
import { createHmac, randomBytes } from 'node:crypto';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { signedHeaders, USER_AGENT, type SignedRequestInput } from '../src/delivery/sending/signing.js';

const body = JSON.stringify({ event_id: 'evt_1', event_type: 'batch.completed', data: { job_id: 'j1' } });
const input = (secrets: string[], now = new Date()): SignedRequestInput => ({
  body,
  messageId: 'del_123',
  webhookId: 'wh_456',
  eventId: 'evt_1',
  eventTimestamp: '2026-03-01T12:00:00.000Z',
  secrets,
  now,
});

/** Standard Webhooks' signature by hand: base64 HMAC-SHA256 of `id.timestamp.body`, keyed by the secret's bytes. */
const standardByHand = (key: Buffer, id: string, timestamp: string, payload: string) =>
  `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${payload}`).digest('base64')}`;

describe('signedHeaders', () => {
  it("signs the raw body with the spec's hex HMAC-SHA256, keyed by the secret's UTF-8 bytes", () => {
    const secret = 'ünïcode-secret-of-some-length';
    const headers = signedHeaders(input([secret]));
    expect(headers['x-webhook-signature']).toBe(createHmac('sha256', Buffer.from(secret, 'utf8')).update(body).digest('hex'));
    expect(headers['x-webhook-signature']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('names the delivery, the webhook, the event and the time in its headers', () => {
    const now = new Date('2026-03-01T12:34:56.789Z');
    expect(signedHeaders(input(['a-secret-of-some-length'], now))).toMatchObject({
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
      'x-webhook-id': 'wh_456',
      'x-event-id': 'evt_1',
      'x-timestamp': '2026-03-01T12:00:00.000Z',
      'webhook-id': 'del_123',
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    });
  });

  it("gives a Standard Webhooks signature that the standard's library verifies, and that a hand HMAC matches", () => {
    const secret = 'a-plain-secret-of-some-length';
    const headers = signedHeaders(input([secret]));
    expect(new StandardWebhook(secret, { format: 'raw' }).verify(body, headers)).toEqual(JSON.parse(body));
    expect(headers['webhook-signature']).toBe(
      standardByHand(Buffer.from(secret, 'utf8'), 'del_123', headers['webhook-timestamp']!, body),
    );
    // A changed body, or another secret, does not verify.
    expect(() => new StandardWebhook(secret, { format: 'raw' }).verify(`${body} `, headers)).toThrow();
    expect(() => new StandardWebhook('another-secret-of-length', { format: 'raw' }).verify(body, headers)).toThrow();
  });

  it('uses a whsec_ secret as the base64 key the standard defines', () => {
    const key = randomBytes(24);
    const secret = `whsec_${key.toString('base64')}`;
    const headers = signedHeaders(input([secret]));
    expect(new StandardWebhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(headers['webhook-signature']).toBe(standardByHand(key, 'del_123', headers['webhook-timestamp']!, body));
  });

  it('signs with both secrets during a rotation: two standard signatures, the hex one by the current secret', () => {
    const [current, previous] = ['the-current-secret-value', 'the-previous-secret-value'];
    const headers = signedHeaders(input([current, previous]));
    const signatures = headers['webhook-signature']!.split(' ');
    expect(signatures).toHaveLength(2);
    const timestamp = headers['webhook-timestamp']!;
    expect(signatures).toEqual([
      standardByHand(Buffer.from(current), 'del_123', timestamp, body),
      standardByHand(Buffer.from(previous), 'del_123', timestamp, body),
    ]);
    // A receiver still on the previous secret accepts it, and so does one already on the current one.
    for (const secret of [current, previous]) {
      expect(new StandardWebhook(secret, { format: 'raw' }).verify(body, headers)).toEqual(JSON.parse(body));
    }
    expect(headers['x-webhook-signature']).toBe(createHmac('sha256', current).update(body).digest('hex'));
  });

  it('refuses to sign without a secret', () => {
    expect(() => signedHeaders(input([]))).toThrow('at least one signing secret');
  });
});
