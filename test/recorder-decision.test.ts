// What a batch of attempt outcomes changes (src/delivery/recording/batch-decision.ts), decided without a database:
// the recorder locks the deliveries and webhooks, hands their state here, and writes what comes back.
import { describe, expect, it } from 'vitest';
import type { DeliveryState, DeliveryToAttempt, WebhookHealth } from '../src/db/sql/attempts.js';
import type { DeliveryStatus, WebhookStatus } from '../src/generated/prisma/client.js';
import type { DeliveryQueueJob } from '../src/delivery/queueing/queue.js';
import { decideBatch, type AttemptEntry, type LockedState } from '../src/delivery/recording/batch-decision.js';
import type { PostOutcome } from '../src/delivery/sending/http-client.js';
import { validateEvent } from '../src/events/validate.js';

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
    kind: 'HTTP',
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
  request: { retryCount: 0, signatures: 2, traceparent: null, headerNames: [] },
  outcome: answer,
});

const locked = (
  deliveries: Record<string, Partial<DeliveryState>>,
  webhooks: Record<string, WebhookStatus> = { wh_1: 'ACTIVE' },
  health: Record<string, WebhookHealth> = {},
): LockedState => ({
  deliveries: new Map(
    Object.entries(deliveries).map(([id, s]) => [id, { attemptCount: 0, status: 'PENDING' as DeliveryStatus, ...s }]),
  ),
  webhooks: new Map(Object.entries(webhooks)),
  health: new Map(Object.entries(health)),
});

/** A delivery's new row after an attempt answered `statusCode` (no retry due unless given). */
const rowAfter = (statusCode: number, row: { status: DeliveryStatus; attemptCount: number; nextAttemptAt?: Date }) => ({
  id: 'del_1',
  nextAttemptAt: null,
  ...row,
  attempt: { statusCode, responseTimeMs: 42, startedAt: NOW },
});

const decide = (entries: AttemptEntry[], state: LockedState) => decideBatch(entries, state, { retryScheduleMs: SCHEDULE, now: () => NOW });

describe('decideBatch', () => {
  it('records a success: the attempt (what its request was beyond its event), the delivery done, nothing scheduled', () => {
    const decision = decide([attempted('del_1', outcome(200))], locked({ del_1: {} }));
    expect(decision.attempts).toEqual([
      {
        deliveryId: 'del_1',
        number: 1,
        startedAt: NOW,
        durationMs: 42,
        request: { retryCount: null, signatureCount: 2, traceparent: null, headerNames: null },
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
    // Both requests were made after the first attempt (retry_count 1): the second overtook the first.
    const afterOne = (entry: AttemptEntry) => ({ ...entry, request: { retryCount: 1, signatures: 1, traceparent: null, headerNames: [] } });
    const decision = decide([afterOne(attempted('del_1', outcome(500), { manual: true })), afterOne(attempted('del_1', outcome(200)))], state);
    expect(decision.attempts.map((a) => a.number)).toEqual([2, 3]);
    // The body's retry_count is kept only where the attempt's number does not give it.
    expect(decision.attempts.map((a) => a.request.retryCount)).toEqual([null, 1]);
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

describe('decideBatch: failure streaks and the operational events they cause', () => {
  const streak = (consecutiveFailures: number, failureAnnounced = false) => ({ wh_1: { consecutiveFailures, failureAnnounced } });
  const failing = (consecutiveFailures: number, lastStatusCode: number | null = 500, lastError = 'HTTP 500') => ({
    projectId: 'prj_1',
    webhookId: 'wh_1',
    type: 'webhook.failing',
    data: {
      webhook_id: 'wh_1',
      url: 'https://example.com/hook',
      consecutive_failures: consecutiveFailures,
      last_status_code: lastStatusCode,
      last_error: lastError,
    },
  });
  const typesOf = (decision: ReturnType<typeof decide>) => decision.operationalEvents.map((e) => e.type);

  it('counts failures in a row, and announces webhook.failing at the third, once', () => {
    const second = decide([attempted('del_1', outcome(500))], locked({ del_1: {} }, undefined, streak(1)));
    expect(second.operationalEvents).toEqual([]);
    expect(second.health).toEqual([{ webhookId: 'wh_1', consecutiveFailures: 2, failureAnnounced: false }]);

    const third = decide([attempted('del_1', outcome(null))], locked({ del_1: {} }, undefined, streak(2)));
    expect(third.operationalEvents).toEqual([failing(3, null, 'refused')]);
    expect(third.health).toEqual([{ webhookId: 'wh_1', consecutiveFailures: 3, failureAnnounced: true }]);

    const fourth = decide([attempted('del_1', outcome(500))], locked({ del_1: {} }, undefined, streak(3, true)));
    expect(fourth.operationalEvents).toEqual([]);
    expect(fourth.health).toEqual([{ webhookId: 'wh_1', consecutiveFailures: 4, failureAnnounced: true }]);
  });

  it('announces a streak reached within one batch once, with the attempt that reached it', () => {
    const decision = decide(
      ['del_1', 'del_2', 'del_3', 'del_4'].map((id) => attempted(id, outcome(503))),
      locked({ del_1: {}, del_2: {}, del_3: {}, del_4: {} }),
    );
    expect(decision.operationalEvents).toEqual([failing(3, 503, 'HTTP 503')]);
    expect(decision.health).toEqual([{ webhookId: 'wh_1', consecutiveFailures: 4, failureAnnounced: true }]);
  });

  it('announces webhook.failing, webhook.disabled and delivery.exhausted in that order when a delivery gives up', () => {
    const decision = decide(
      [attempted('del_1', outcome(500))],
      locked({ del_1: { attemptCount: 2, status: 'RETRYING' } }, undefined, streak(2)),
    );
    expect(typesOf(decision)).toEqual(['webhook.failing', 'webhook.disabled', 'delivery.exhausted']);
    expect(decision.operationalEvents[1]).toEqual({
      projectId: 'prj_1',
      webhookId: 'wh_1',
      type: 'webhook.disabled',
      data: {
        webhook_id: 'wh_1',
        url: 'https://example.com/hook',
        reason: 'A delivery failed 3 attempts in a row (delivery del_1)',
        delivery_id: 'del_1',
      },
    });
    expect(decision.operationalEvents[2]!.data).toEqual({
      delivery_id: 'del_1',
      event_id: 'evt_del_1',
      event_type: 'batch.completed',
      webhook_id: 'wh_1',
      attempts: 3,
    });
  });

  it('counts a webhook disabled at once (410 Gone) as an announced streak: the next success announces webhook.recovered', () => {
    const gone = decide([attempted('del_1', outcome(410))], locked({ del_1: {} }));
    expect(typesOf(gone)).toEqual(['webhook.disabled', 'delivery.exhausted']);
    expect(gone.health).toEqual([{ webhookId: 'wh_1', consecutiveFailures: 1, failureAnnounced: true }]);

    const back = decide([attempted('del_2', outcome(200))], locked({ del_2: {} }, undefined, streak(1, true)));
    expect(back.operationalEvents).toEqual([
      {
        projectId: 'prj_1',
        webhookId: 'wh_1',
        type: 'webhook.recovered',
        data: { webhook_id: 'wh_1', url: 'https://example.com/hook', consecutive_failures: 1 },
      },
    ]);
    expect(back.health).toEqual([{ webhookId: 'wh_1', consecutiveFailures: 0, failureAnnounced: false }]);
  });

  it('ends an unannounced streak silently, and changes nothing for a success after a success', () => {
    const ended = decide([attempted('del_1', outcome(200))], locked({ del_1: {} }, undefined, streak(2)));
    expect(ended.operationalEvents).toEqual([]);
    expect(ended.health).toEqual([{ webhookId: 'wh_1', consecutiveFailures: 0, failureAnnounced: false }]);

    const healthy = decide([attempted('del_1', outcome(200))], locked({ del_1: {} }, undefined, streak(0)));
    expect(healthy.operationalEvents).toEqual([]);
    expect(healthy.health).toEqual([]);
  });

  it('announces no disabling of a webhook already disabled, and no exhaustion of a delivery already failed', () => {
    const decision = decide(
      [attempted('del_1', outcome(410), { manual: true })],
      locked({ del_1: { attemptCount: 4, status: 'FAILED' } }, { wh_1: 'DISABLED' }, streak(4, true)),
    );
    expect(decision.operationalEvents).toEqual([]);
    expect(decision.health).toEqual([{ webhookId: 'wh_1', consecutiveFailures: 5, failureAnnounced: true }]);
  });

  it('announces the exhaustion of a delivery abandoned because its webhook was disabled', () => {
    const decision = decide(
      [{ kind: 'abandoned', job: job('del_1'), delivery: delivery('del_1') }],
      locked({ del_1: { attemptCount: 2, status: 'RETRYING' } }, { wh_1: 'DISABLED' }),
    );
    expect(decision.operationalEvents).toEqual([
      expect.objectContaining({ type: 'delivery.exhausted', data: expect.objectContaining({ delivery_id: 'del_1', attempts: 2 }) }),
    ]);
  });

  it('announces no exhaustion of a delivery that carried an operational event (two failing ops endpoints would loop)', () => {
    const opsDelivery = { ...delivery('del_1'), event: { ...delivery('del_1').event, type: 'delivery.exhausted' } };
    const decision = decide(
      [{ ...(attempted('del_1', outcome(500)) as Extract<AttemptEntry, { kind: 'attempted' }>), delivery: opsDelivery }],
      locked({ del_1: { attemptCount: 2, status: 'RETRYING' } }),
    );
    expect(typesOf(decision)).toEqual(['webhook.disabled']);
  });

  it('decides payloads the catalog accepts for their types', () => {
    const decision = decide(
      [attempted('del_1', outcome(500)), attempted('del_2', outcome(200))],
      locked({ del_1: { attemptCount: 2, status: 'RETRYING' }, del_2: {} }, undefined, streak(2)),
    );
    expect(typesOf(decision)).toEqual(['webhook.failing', 'webhook.disabled', 'delivery.exhausted', 'webhook.recovered']);
    for (const event of decision.operationalEvents) expect(validateEvent(event.type, event.data)).toEqual(event.data);
  });
});
