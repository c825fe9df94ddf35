// An attempt's record keeps only what its request had beyond its event and delivery, and every read rebuilds the
// rest (src/delivery/sending/attempt-request.ts). What a reader sees is what the record showed when it copied the
// request: checked here against the request a real loopback receiver got, byte for byte, for a first attempt, a
// scheduled retry and a manual retry (a LISTEN attempt: test/listen.test.ts; a PULL message records no attempt).
import { beforeAll, describe, expect, it } from 'vitest';
import { attemptRequest, requestRecord, type RecordedAttempt } from '../src/delivery/sending/attempt-request.js';
import { signedDelivery } from '../src/delivery/sending/attempter.js';
import { REDACTED, SIGNED_HEADER_NAMES } from '../src/delivery/sending/signing.js';
import { SecretBox } from '../src/secrets/secret-box.js';
import { behaviours, eventually, type ReceivedRequest, type Receiver } from './support/receiver.js';
import { restClient } from './support/rest.js';
import { startFixture, TEST_ENCRYPTION_KEY, type TestService } from './support/service.js';

let service: TestService;
let receiver: Receiver;
let key: string;
let rest: ReturnType<typeof restClient>;

beforeAll(async () => {
  ({ receiver, service, key } = await startFixture({ RETRY_SCHEDULE: '100ms,100ms', JOB_POLL_INTERVAL: '500ms' }));
  rest = restClient(service.httpUrl);
});

const DELIVERY = `query($id: ID!) { delivery(id: $id) { ... on Delivery {
  status attemptCount attempts { number requestHeaders requestBody responseStatus }
} } }`;

const CUSTOM = [
  { name: 'Authorization', value: 'Bearer partner-token-0042' },
  { name: 'X-Tenant', value: 'acme' },
];
/** Headers the HTTP client adds to every POST; never part of an attempt's record. */
const TRANSPORT = ['connection', 'content-length', 'host'];

/** Data whose text a JSON round trip could change: big and fractional numbers, escapes, characters past the BMP. */
const data = {
  job_id: '550e8400-e29b-41d4-a716-446655440000',
  status: 'completed',
  problem_type: 'MAXCUT',
  result: { solution: [0, 1, 0, 1], objective_value: 8.0, approximation_ratio: 0.95, execution_time: 300 },
  note: 'é \u2028 😀 "quoted" \\ back </script>',
  big: 12345678901234567890,
  tiny: 1e-7,
  huge: 1.5e300,
  nested: { z: 1, a: [null, true, { '10': 'ten', '2': 'two', b: 'b' }] },
};

/**
 * What the record showed for `request` when it copied it: the headers as sent, custom values and signatures
 * redacted (each signature to its scheme), stored as jsonb and read back; the body as sent.
 */
async function copiedRecord(request: ReceivedRequest) {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (TRANSPORT.includes(name)) continue;
    const custom = CUSTOM.find((h) => h.name.toLowerCase() === name);
    if (custom) headers[custom.name] = REDACTED;
    else if (name === 'x-webhook-signature') headers[name] = REDACTED;
    else if (name === 'webhook-signature') headers[name] = String(value).split(' ').map((s) => `${s.split(',')[0]},${REDACTED}`).join(' ');
    else headers[name] = String(value);
  }
  const [row] = await service.db.$queryRaw<{ headers: unknown }[]>`SELECT ${JSON.stringify(headers)}::jsonb AS headers`;
  return { headers: row!.headers, body: request.body };
}

/** The attempt as GraphQL reads it, against the request the receiver got: byte for byte, and header by header. */
async function expectShownAsSent(attempt: { requestHeaders: Record<string, string>; requestBody: string }, request: ReceivedRequest) {
  expect(attempt.requestBody).toBe(request.body);
  const copied = await copiedRecord(request);
  expect(JSON.stringify(attempt.requestHeaders)).toBe(JSON.stringify(copied.headers));
  // Every header but the signatures and the custom values, exactly as received; nothing the receiver did not get.
  const shown = Object.fromEntries(Object.entries(attempt.requestHeaders).map(([name, value]) => [name.toLowerCase(), value]));
  for (const [name, value] of Object.entries(request.headers)) {
    if (TRANSPORT.includes(name)) continue;
    if (name === 'x-webhook-signature' || name === 'webhook-signature' || CUSTOM.some((h) => h.name.toLowerCase() === name)) {
      expect(shown[name]).toMatch(/\[redacted\]/);
    } else {
      expect({ name, value: shown[name] }).toEqual({ name, value });
    }
  }
  expect(Object.keys(shown).sort()).toEqual(Object.keys(request.headers).filter((n) => !TRANSPORT.includes(n)).sort());
}

describe("an attempt's request", () => {
  it('is shown as the receiver got it: a first attempt, a scheduled retry and a manual retry', async () => {
    receiver.on('/exact', behaviours.failTimes(1));
    const created = await rest(key, 'POST', '/v1/webhooks', {
      url: receiver.url('/exact'),
      events: ['optimization.completed'],
      headers: Object.fromEntries(CUSTOM.map(({ name, value }) => [name, value])),
    });
    expect(created.status).toBe(201);
    const webhookId = created.body.webhook_id;
    // Two signatures each: the previous secret signs too during its grace period.
    expect((await rest(key, 'POST', `/v1/webhooks/${webhookId}/rotate-secret`, { grace_period_seconds: 3600 })).status).toBe(200);
    const published = await rest(key, 'POST', '/v1/events', { event_type: 'optimization.completed', data });
    expect(published.status).toBe(202);
    const listed = await rest(key, 'GET', `/v1/webhooks/${webhookId}/deliveries`);
    const deliveryId = listed.body.deliveries[0].delivery_id;
    const read = () => service.gql(key, DELIVERY, { id: deliveryId }).then((r) => r.body.data.delivery);

    await receiver.waitFor('/exact', 2);
    await eventually(async () => ((await read()).status === 'SUCCESS' ? true : undefined), 'the retry to succeed');
    expect((await rest(key, 'POST', `/v1/webhooks/${webhookId}/deliveries/${deliveryId}/retry`)).status).toBe(202);
    const requests = await receiver.waitFor('/exact', 3);
    const delivery = await eventually(async () => {
      const d = await read();
      return d.attemptCount === 3 && d.status === 'SUCCESS' ? d : undefined;
    }, 'the manual retry to be recorded');

    expect(delivery.attempts.map((a: { number: number; responseStatus: number }) => [a.number, a.responseStatus])).toEqual([
      [1, 500],
      [2, 200],
      [3, 200],
    ]);
    expect(requests.map((r) => JSON.parse(r.body).retry_count)).toEqual([0, 1, 2]);
    expect(requests[0]!.headers['webhook-signature']).toMatch(/^v1,\S+ v1,\S+$/);
    for (const [i, attempt] of delivery.attempts.entries()) await expectShownAsSent(attempt, requests[i]!);
  });

  it('recorded before the record stopped copying it is shown as stored', async () => {
    const created = await rest(key, 'POST', '/v1/webhooks', { url: receiver.url('/legacy'), events: ['vision.completed'] });
    const queued = await rest(key, 'POST', `/v1/webhooks/${created.body.webhook_id}/test`);
    await receiver.waitFor('/legacy', 1);
    await eventually(async () => {
      const d = (await service.gql(key, DELIVERY, { id: queued.body.delivery_id })).body.data.delivery;
      return d.status === 'SUCCESS' ? d : undefined;
    }, 'the test delivery to succeed');
    // As an older version stored it: a copy, whatever it held.
    const copy = { 'user-agent': 'an-older-version/0.0', 'x-webhook-signature': REDACTED };
    await service.db.$executeRaw`
      UPDATE delivery_attempts SET request_headers = ${JSON.stringify(copy)}::jsonb, request_body = '{"as":"stored"}'
      WHERE delivery_id = ${queued.body.delivery_id}`;
    const [attempt] = (await service.gql(key, DELIVERY, { id: queued.body.delivery_id })).body.data.delivery.attempts;
    expect(attempt).toMatchObject({ requestHeaders: copy, requestBody: '{"as":"stored"}' });
  });
});

describe('attemptRequest', () => {
  const secrets = new SecretBox(Buffer.from(TEST_ENCRYPTION_KEY, 'base64'));
  const event = { id: 'evt_1', type: 'batch.progress', timestamp: new Date('2026-03-01T12:00:00.123Z'), data };
  const startedAt = new Date('2026-03-01T12:00:05.987Z');

  it('rebuilds what was signed, signatures redacted, for an attempt that overtook another and sent a trace context', () => {
    const delivery = {
      id: 'del_1',
      webhookId: 'wh_1',
      eventId: 'evt_1',
      attemptCount: 1, // loaded after the first attempt…
      event,
      webhook: { secret: secrets.seal('a-secret-of-some-length'), previousSecret: null, previousSecretExpiresAt: null },
    };
    const signed = signedDelivery(delivery, startedAt, secrets);
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const sent = { retryCount: 1, signatures: signed.signatures, traceparent, headerNames: ['X-Tenant'] };
    const record = requestRecord(sent, 3); // …but recorded third, after a manual retry of the same moment
    expect(record).toEqual({ retryCount: 1, signatureCount: null, traceparent, headerNames: ['X-Tenant'] });
    const attempt: RecordedAttempt = {
      ...record,
      number: 3,
      startedAt,
      requestHeaders: null,
      requestBody: null,
      delivery: { id: 'del_1', webhookId: 'wh_1', eventId: 'evt_1', event },
    };
    const rebuilt = attemptRequest(attempt);
    expect(rebuilt.body).toBe(signed.body);
    expect(rebuilt.headers).toEqual({
      ...signed.headers,
      'x-webhook-signature': REDACTED,
      'webhook-signature': `v1,${REDACTED}`,
      'X-Tenant': REDACTED,
      traceparent,
    });
    expect(Object.keys(rebuilt.headers as object)).toEqual(expect.arrayContaining([...SIGNED_HEADER_NAMES]));
  });
});
