// Batch publish (`publishEvents`, `POST /v1/events/batch`, the client's `events.publishMany`): up to 100 events in
// one transaction, each answered on its own, in input order; a refused item writes nothing and stops nothing.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, ValidationError, type BatchProgressData } from '../client/src/index.js';
import { MAX_BATCH_EVENTS } from '../src/app/events.js';
import { expectError, startRestFixture } from './support/rest.js';

let fixture: Awaited<ReturnType<typeof startRestFixture>>;
let db: pg.Client;

const progress = (jobId: string, processed = 1): BatchProgressData => ({
  job_id: jobId,
  total_images: 10,
  processed_images: processed,
  failed_images: 0,
  progress_percent: processed * 10,
});

const PUBLISH_EVENTS = `mutation($events: [PublishEventInput!]!) { publishEvents(events: $events) {
  __typename
  ... on PublishEventsPayload { results { __typename
    ... on PublishEventPayload { deliveryCount event { id type } }
    ... on ValidationError { field }
    ... on Error { message } } }
  ... on ValidationError { field message } } }`;

const gqlBatch = async (events: unknown[]) =>
  (await fixture.service.gql(fixture.key, PUBLISH_EVENTS, { events })).body.data.publishEvents;

/** The transaction ids that wrote these events: one per batch call. */
const writers = async (ids: string[]) =>
  (await db.query<{ xmin: string }>('SELECT DISTINCT xmin::text FROM events WHERE id = ANY($1)', [ids])).rows.map((r) => r.xmin);

beforeAll(async () => {
  fixture = await startRestFixture();
  db = new pg.Client({ connectionString: fixture.service.databaseUrl });
  await db.connect();
  await fixture.api.createWebhook(fixture.receiver.url('/batch'), ['batch.*']);
});
afterAll(() => db.end());

describe('over GraphQL', () => {
  it('publishes the valid items in one transaction and answers each in order', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const results = (await gqlBatch([
      { type: 'batch.progress', data: progress(a) },
      { type: 'batch.nonsense', data: progress(a) },
      { type: 'batch.progress', data: { job_id: b } },
      { type: 'batch.completed', data: { job_id: b } },
    ])).results;
    expect(results.map((r: { __typename: string }) => r.__typename)).toEqual([
      'PublishEventPayload',
      'ValidationError',
      'ValidationError',
      'PublishEventPayload',
    ]);
    expect(results[1].field).toBe('type');
    expect(results[2].field).toMatch(/^data\./);
    expect(results[0]).toMatchObject({ deliveryCount: 1, event: { type: 'batch.progress' } });
    const ids = [results[0].event.id, results[3].event.id];
    expect(await writers(ids)).toHaveLength(1);
    // Only the accepted events were stored, and each was delivered.
    const stored = await db.query('SELECT id FROM events WHERE data->>\'job_id\' = ANY($1) ORDER BY id', [[a, b]]);
    expect(stored.rows.map((r) => r.id).sort()).toEqual(ids.sort());
    const received = await fixture.receiver.waitFor('/batch', 2);
    expect(received.map((r) => JSON.parse(r.body).event_id).sort()).toEqual(expect.arrayContaining(ids));
  });

  it("keeps each job's events in input order, whatever order the jobs are locked in", async () => {
    const [late, early] = ['zz-' + randomUUID(), 'aa-' + randomUUID()];
    const results = (await gqlBatch([
      { type: 'batch.progress', data: progress(late, 1) },
      { type: 'batch.progress', data: progress(early, 1) },
      { type: 'batch.progress', data: progress(late, 2) },
      { type: 'batch.completed', data: { job_id: late } },
    ])).results;
    const seqs = await db.query<{ id: string; job_seq: number }>('SELECT id, job_seq FROM events WHERE job_id = $1', [late]);
    const seqOf = new Map(seqs.rows.map((r) => [r.id, r.job_seq]));
    expect([0, 2, 3].map((i) => seqOf.get(results[i].event.id))).toEqual([1, 2, 3]);
  });

  it('answers a key repeated in the batch, or already used, with the first event; a different event with it is a conflict', async () => {
    const job = randomUUID();
    const before = await fixture.api.publish('batch.progress', progress(job, 1), `key-${job}-old`);
    const results = (await gqlBatch([
      { type: 'batch.progress', data: progress(job, 2), idempotencyKey: `key-${job}` },
      { type: 'batch.progress', data: progress(job, 2), idempotencyKey: `key-${job}` },
      { type: 'batch.progress', data: progress(job, 3), idempotencyKey: `key-${job}` },
      { type: 'batch.progress', data: progress(job, 1), idempotencyKey: `key-${job}-old` },
      { type: 'batch.progress', data: progress(job, 9), idempotencyKey: `key-${job}-old` },
    ])).results;
    expect(results.map((r: { __typename: string }) => r.__typename)).toEqual([
      'PublishEventPayload',
      'PublishEventPayload',
      'ConflictError',
      'PublishEventPayload',
      'ConflictError',
    ]);
    expect(results[1].event.id).toBe(results[0].event.id);
    expect(results[3].event.id).toBe(before.event.id);
    const stored = await db.query('SELECT count(*)::int AS n FROM events WHERE job_id = $1', [job]);
    expect(stored.rows[0].n).toBe(2);
  });

  it('refuses an empty batch and one over the limit as a whole, naming events', async () => {
    for (const events of [[], Array.from({ length: MAX_BATCH_EVENTS + 1 }, () => ({ type: 'batch.progress', data: progress(randomUUID()) }))]) {
      const answer = await gqlBatch(events);
      expect(answer).toMatchObject({ __typename: 'ValidationError', field: 'events' });
      expect(answer.message).toContain(`1 to ${MAX_BATCH_EVENTS}`);
    }
  });

  it('takes concurrent batches that lock the same jobs in opposite orders', async () => {
    const [x, y] = [randomUUID(), randomUUID()];
    const batches = Array.from({ length: 10 }, (_, i) =>
      gqlBatch(
        (i % 2 ? [x, y] : [y, x]).map((job) => ({ type: 'batch.progress', data: progress(job, i) })),
      ),
    );
    for (const answer of await Promise.all(batches)) {
      expect(answer.results.map((r: { __typename: string }) => r.__typename)).toEqual(['PublishEventPayload', 'PublishEventPayload']);
    }
    const seqs = await db.query<{ n: number; max: number }>('SELECT count(*)::int AS n, max(job_seq) AS max FROM events WHERE job_id = $1', [x]);
    expect(seqs.rows[0]).toEqual({ n: 10, max: 10 });
  });
});

describe('over REST', () => {
  it('answers 200 with a status per item: 202 and the event, or the error in REST terms', async () => {
    const job = randomUUID();
    const response = await fixture.rest(fixture.key, 'POST', '/v1/events/batch', {
      events: [
        { event_type: 'batch.progress', data: progress(job), idempotency_key: `rest-${job}` },
        { event_type: 'batch.nonsense', data: progress(job) },
        { event_type: 'batch.completed', data: { job_id: job }, idempotency_key: `rest-${job}` },
      ],
    });
    expect(response.status).toBe(200);
    const [accepted, invalid, conflict] = response.body.results;
    expect(accepted).toMatchObject({ status: 202, event_type: 'batch.progress', delivery_count: 1 });
    expect(accepted.event_id).toMatch(/^evt_/);
    expect(invalid).toEqual({ status: 422, error: { code: 'validation_failed', field: 'event_type', message: expect.stringContaining('event_type') } });
    expect(conflict).toMatchObject({ status: 409, error: { code: 'conflict', field: 'idempotency_key' } });
  });

  it('refuses a malformed batch as a whole', async () => {
    expectError(await fixture.rest(fixture.key, 'POST', '/v1/events/batch', { events: [] }), 422, 'validation_failed', 'events');
    expectError(await fixture.rest(fixture.key, 'POST', '/v1/events/batch', { events: [{ data: {} }] }), 422, 'validation_failed', 'events.0.event_type');
    expectError(await fixture.rest(fixture.key, 'POST', '/v1/events/batch', [{ event_type: 'batch.progress' }]), 422, 'validation_failed');
  });
});

describe("the typed client's events.publishMany", () => {
  it('returns each event, or the typed error that refused it, without throwing', async () => {
    const job = randomUUID();
    const [ok, bad] = await fixture.api.client.events.publishMany([
      { type: 'batch.progress', data: progress(job) },
      { type: 'batch.progress', data: { job_id: job } as BatchProgressData },
    ] as const);
    if (ok instanceof Error) throw ok;
    expect(ok.event.data.job_id).toBe(job);
    expect(ok.deliveryCount).toBe(1);
    expect(bad).toBeInstanceOf(ValidationError);
    expect((bad as ValidationError).field).toMatch(/^data\./);
  });

  it('returns a ConflictError for a key naming a different event', async () => {
    const job = randomUUID();
    const [, second] = await fixture.api.client.events.publishMany([
      { type: 'batch.progress', data: progress(job, 1), idempotencyKey: `c-${job}` },
      { type: 'batch.progress', data: progress(job, 2), idempotencyKey: `c-${job}` },
    ] as const);
    expect(second).toBeInstanceOf(ConflictError);
  });
});
