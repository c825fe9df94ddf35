// What a batch of attempt outcomes changes (src/delivery/recording/batch-decision.ts), decided without a database:
// the recorder locks the deliveries and webhooks, hands their state here, and writes what comes back.
import { describe, expect, it } from 'vitest';
import type { DeliveryState, DeliveryToAttempt } from '../src/db/sql/attempts.js';
import type { DeliveryStatus, WebhookStatus } from '../src/generated/prisma/client.js';
import type { DeliveryQueueJob } from '../src/delivery/queueing/queue.js';
import { decideBatch, type AttemptEntry, type LockedState } from '../src/delivery/recording/batch-decision.js';
import type { PostOutcome } from '../src/delivery/sending/http-client.js';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const SCHEDULE = [1_000, 60_000];

const job = (deliveryId: string, data: Partial<DeliveryQueueJob['data']> = {}) =>
  ({ id: `job-${deliveryId}`, retryCount: 0, data: { deliveryId, attempt: 1, ...data } }) as unknown as DeliveryQueueJob;

const delivery = (id: string, webhookId = 'wh_1'): DeliveryToAttempt => ({
  id,
  projectId: 'prj_1',
  webhookId,
  eventId: `evt_${id}`,
  status: 'PENDING',
  attemptCount: 0,
  webhook: {
    url: 'https://example.com/hook',
    status: 'ACTIVE',
    secret: 's',
    previousSecret: null,
    previousSecretExpiresAt: null,
    rateLimitPerSecond: null,
    sealedHeaders: null,
    propagateTraceContext: false,
  },
  event: { id: `evt_${id}`, type: 'batch.completed', timestamp: NOW, data: {} },
});

const outcome = (status: number | null, extra: Partial<PostOutcome> = {}): PostOutcome => ({
  durationMs: 42,
  status,
  headers: status === null ? {} : { 'content-type': 'text/plain' },
  body: status === null ? null : 'ok',
  bodyTruncated: false,
  error:
    status === null
      ? { kind: 'CONNECTION_REFUSED', message: 'refused' }
      : status >= 200 && status < 300
        ? null
        : { kind: 'HTTP_STATUS', message: `HTTP ${status}` },
  ...extra,
});

const attempted = (id: string, answer: PostOutcome, { manual = false, webhookId = 'wh_1' } = {}): AttemptEntry => ({
  kind: 'attempted',
  job: job(id, manual ? { manual: true } : {}),
  delivery: delivery(id, webhookId),
  manual,
  startedAt: NOW,
  headers: { 'x-webhook-signature': 'abc123', 'webhook-signature': 'v1,AAA v1,BBB', 'webhook-id': id },
  body: '{"a":1}',
  outcome: answer,
});

const locked = (
  deliveries: Record<string, Partial<DeliveryState>>,
  webhooks: Record<string, WebhookStatus> = { wh_1: 'ACTIVE' },
): LockedState => ({
  deliveries: new Map(
    Object.entries(deliveries).map(([id, s]) => [id, { attemptCount: 0, status: 'PENDING' as DeliveryStatus, ...s }]),
  ),
  webhooks: new Map(Object.entries(webhooks)),
});

/** A delivery's new row after an attempt answered `statusCode` (no retry due unless given). */
const rowAfter = (statusCode: number, row: { status: DeliveryStatus; attemptCount: number; nextAttemptAt?: Date }) => ({
  id: 'del_1',
  nextAttemptAt: null,
  ...row,
  attempt: { statusCode, responseTimeMs: 42, startedAt: NOW },
});

let ids = 0;
const decide = (entries: AttemptEntry[], state: LockedState) =>
  decideBatch(entries, state, { retryScheduleMs: SCHEDULE, now: () => NOW, newAttemptId: () => `att_${++ids}` });

describe('decideBatch', () => {
  it('records a success: the attempt (signatures redacted), the delivery done, nothing scheduled', () => {
    const decision = decide([attempted('del_1', outcome(200))], locked({ del_1: {} }));
    expect(decision.attempts).toEqual([
      {
        id: expect.stringMatching(/^att_/),
        deliveryId: 'del_1',
        number: 1,
        startedAt: NOW,
        durationMs: 42,
        requestHeaders: { 'x-webhook-signature': '[redacted]', 'webhook-signature': 'v1,[redacted] v1,[redacted]', 'webhook-id': 'del_1' },
        requestBody: '{"a":1}',
        responseStatus: 200,
        responseHeaders: { 'content-type': 'text/plain' },
        responseBody: 'ok',
        responseBodyTruncated: false,
        errorKind: null,
        errorMessage: null,
      },
    ]);
    expect(decision.deliveries).toEqual([rowAfter(200, { status: 'SUCCESS', attemptCount: 1 })]);
    expect(decision.retries).toEqual([]);
    expect(decision.webhooksToDisable).toEqual([]);
    expect(decision.observed).toEqual([{ outcome: outcome(200), status: 'SUCCESS' }]);
  });

  it('schedules a retry on the schedule: the next attempt as a job due then, the delivery RETRYING', () => {
    const decision = decide([attempted('del_1', outcome(500))], locked({ del_1: {} }));
    const due = new Date(NOW.getTime() + SCHEDULE[0]!);
    expect(decision.deliveries).toEqual([rowAfter(500, { status: 'RETRYING', attemptCount: 1, nextAttemptAt: due })]);
    expect(decision.retries).toEqual([{ data: { deliveryId: 'del_1', attempt: 2 }, group: { id: 'wh_1' }, startAfter: due }]);
    expect(decision.attempts[0]).toMatchObject({ responseStatus: 500, errorKind: 'HTTP_STATUS', errorMessage: 'HTTP 500' });
    expect(decision.webhooksToDisable).toEqual([]);
  });

  it("keeps a retry in its publish's trace: the job's traceparent goes into the next one", () => {
    const traced = { ...attempted('del_1', outcome(500)), job: job('del_1', { trace: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }) };
    const [retry] = decide([traced], locked({ del_1: {} })).retries;
    expect(retry!.data).toEqual({ deliveryId: 'del_1', attempt: 2, trace: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' });
  });

  it('keeps no response headers for a request that got no answer', () => {
    const decision = decide([attempted('del_1', outcome(null))], locked({ del_1: {} }));
    expect(decision.attempts[0]).toMatchObject({ responseStatus: null, responseHeaders: null, errorKind: 'CONNECTION_REFUSED' });
    expect(decision.deliveries[0]).toMatchObject({ status: 'RETRYING' });
  });

  it('gives up after the last scheduled retry: the delivery FAILED and its webhook disabled', () => {
    const decision = decide([attempted('del_1', outcome(500))], locked({ del_1: { attemptCount: 2, status: 'RETRYING' } }));
    expect(decision.attempts[0]!.number).toBe(3);
    expect(decision.deliveries).toEqual([expect.objectContaining({ status: 'FAILED', attemptCount: 3, nextAttemptAt: null })]);
    expect(decision.retries).toEqual([]);
    expect(decision.webhooksToDisable).toEqual([
      { webhookId: 'wh_1', reason: 'A delivery failed 3 attempts in a row (delivery del_1)', at: NOW },
    ]);
    expect(decision.observed.map((o) => o.status)).toEqual(['FAILED']);
  });

  it('disables the webhook at once on 410 Gone, even for a manual retry of a finished delivery', () => {
    const first = decide([attempted('del_1', outcome(410))], locked({ del_1: {} }));
    expect(first.deliveries[0]).toMatchObject({ status: 'FAILED', attemptCount: 1 });
    expect(first.retries).toEqual([]);
    expect(first.webhooksToDisable).toEqual([
      { webhookId: 'wh_1', reason: 'The receiver answered 410 Gone (delivery del_1)', at: NOW },
    ]);
    const manual = decide([attempted('del_2', outcome(410), { manual: true })], locked({ del_2: { attemptCount: 3, status: 'FAILED' } }));
    expect(manual.webhooksToDisable.map((w) => w.webhookId)).toEqual(['wh_1']);
  });

  it('makes a manual retry of a finished delivery a single attempt: no retry scheduled, webhook left alone', () => {
    const decision = decide(
      [attempted('del_1', outcome(500), { manual: true })],
      locked({ del_1: { attemptCount: 3, status: 'FAILED' } }),
    );
    expect(decision.attempts[0]!.number).toBe(4);
    expect(decision.deliveries).toEqual([expect.objectContaining({ status: 'FAILED', attemptCount: 4, nextAttemptAt: null })]);
    expect(decision.retries).toEqual([]);
    expect(decision.webhooksToDisable).toEqual([]);
  });

  it('continues the schedule for a manual retry of a delivery still retrying', () => {
    const decision = decide(
      [attempted('del_1', outcome(500), { manual: true })],
      locked({ del_1: { attemptCount: 1, status: 'RETRYING' } }),
    );
    expect(decision.deliveries[0]).toMatchObject({ status: 'RETRYING', attemptCount: 2 });
    expect(decision.retries).toEqual([
      { data: { deliveryId: 'del_1', attempt: 3 }, group: { id: 'wh_1' }, startAfter: new Date(NOW.getTime() + SCHEDULE[1]!) },
    ]);
  });

  it('schedules nothing for an attempt while the webhook is disabled (a test event, a manual retry), nor disables it again', () => {
    const decision = decide(
      [attempted('del_1', outcome(500)), attempted('del_2', outcome(500), { webhookId: 'wh_off' })],
      locked({ del_1: { attemptCount: 2, status: 'RETRYING' }, del_2: { attemptCount: 2, status: 'RETRYING' } }, { wh_1: 'ACTIVE', wh_off: 'DISABLED' }),
    );
    expect(decision.deliveries.map((d) => [d.id, d.status])).toEqual([
      ['del_1', 'FAILED'],
      ['del_2', 'FAILED'],
    ]);
    expect(decision.retries).toEqual([]);
    expect(decision.webhooksToDisable.map((w) => w.webhookId)).toEqual(['wh_1']);
  });

  it('abandons a scheduled delivery of a disabled webhook without an attempt, unless it finished meanwhile', () => {
    const abandoned = (id: string): AttemptEntry => ({ kind: 'abandoned', job: job(id), delivery: delivery(id) });
    const decision = decide(
      [abandoned('del_1'), abandoned('del_2')],
      locked({ del_1: { attemptCount: 1, status: 'RETRYING' }, del_2: { attemptCount: 2, status: 'SUCCESS' } }),
    );
    expect(decision.attempts).toEqual([]);
    // No `attempt`: the delivery keeps its last attempt's columns.
    expect(decision.deliveries).toEqual([{ id: 'del_1', status: 'FAILED', attemptCount: 1, nextAttemptAt: null }]);
    expect(decision.observed).toEqual([]);
    expect(decision.webhooksToDisable).toEqual([]);
  });

  it('skips a delivery deleted meanwhile, and an entry with nothing to record', () => {
    const decision = decide(
      [attempted('del_gone', outcome(500)), { kind: 'skipped', job: job('del_1') }, attempted('del_1', outcome(200))],
      locked({ del_1: {} }),
    );
    expect(decision.attempts.map((a) => a.deliveryId)).toEqual(['del_1']);
    expect(decision.deliveries.map((d) => d.id)).toEqual(['del_1']);
    expect(decision.retries).toEqual([]);
    expect(decision.observed).toHaveLength(1);
  });

  it('numbers the attempts of one delivery within a batch one after the other, its row ending as the last left it', () => {
    const state = locked({ del_1: { attemptCount: 1, status: 'RETRYING' } });
    const decision = decide([attempted('del_1', outcome(500), { manual: true }), attempted('del_1', outcome(200))], state);
    expect(decision.attempts.map((a) => a.number)).toEqual([2, 3]);
    expect(new Set(decision.attempts.map((a) => a.id)).size).toBe(2);
    expect(decision.deliveries).toEqual([expect.objectContaining({ id: 'del_1', status: 'SUCCESS', attemptCount: 3, nextAttemptAt: null })]);
    expect(decision.observed.map((o) => o.status)).toEqual(['RETRYING', 'SUCCESS']);
    // The locked state handed in is left as it was.
    expect(state.deliveries.get('del_1')).toEqual({ attemptCount: 1, status: 'RETRYING' });
  });

  it('keeps the attempt columns of an earlier entry when a later one of the batch abandons the delivery', () => {
    const decision = decide(
      [attempted('del_1', outcome(500)), { kind: 'abandoned', job: job('del_1'), delivery: delivery('del_1') }],
      locked({ del_1: {} }),
    );
    expect(decision.deliveries).toEqual([rowAfter(500, { status: 'FAILED', attemptCount: 1 })]);
  });

  it("honours a 429's Retry-After up to twice the scheduled delay", () => {
    const answer = outcome(429, { headers: { 'retry-after': '5' } });
    const decision = decide([attempted('del_1', answer)], locked({ del_1: {} }));
    expect(decision.deliveries[0]!.nextAttemptAt).toEqual(new Date(NOW.getTime() + 2 * SCHEDULE[0]!));
  });
});
