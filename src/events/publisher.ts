// Publishing: in one transaction, the event, one delivery per matching active webhook, and one queued job per
// delivery. Nothing accepted is lost; nothing rolled back is ever sent. Every publish runs these statements, so they
// go straight to pg (like the delivery loop's; see `createDatabase`): through Prisma's interactive transaction and
// its API-key lookup, the publishing process spent about a third of its CPU in Prisma.
import { isDeepStrictEqual } from 'node:util';
import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import type { Counter } from 'prom-client';
import { prepared } from '../db/prepared.js';
import { inTransaction } from '../db/transaction.js';
import type { Delivery, Event, JobState, Prisma } from '../generated/prisma/client.js';
import { ConflictError } from '../lib/errors.js';
import { newId } from '../lib/ids.js';
import { deliveryJob, enqueueInTransaction } from '../delivery/queueing/queue.js';
import { recordJobEvent } from '../jobs/state.js';
import type { LiveNotifier } from '../live/updates.js';
import { patternsMatching } from './catalog.js';
import { validateEvent, validateIdempotencyKey } from './validate.js';

export type PublishInput = { type: string; data?: unknown; idempotencyKey?: string | null };
export type Published = { event: Event; deliveryCount: number };
/** What changed, for live subscribers: told by `announce` once the transaction has committed. */
export type Changes = { job: JobState | null; deliveries: Delivery[] };

const IDEMPOTENCY_WINDOW_MS = 24 * 3_600_000;

/** A key names one event: repeating it answers with that event, reusing it for a different one is a conflict. */
function sameEventOrConflict(earlier: Published, key: string, type: string, data: Record<string, unknown>): Published {
  if (earlier.event.type === type && isDeepStrictEqual(earlier.event.data, data)) return earlier;
  throw new ConflictError(
    `The idempotency key "${key}" was used in the last 24 h for a different event (${earlier.event.id}); use a new key for a new event`,
    'idempotencyKey',
  );
}

/** A unique index refused the insert (Postgres' unique_violation). */
const isUniqueViolation = (error: unknown) => (error as { code?: unknown } | null)?.code === '23505';

function newEvent(
  projectId: string,
  type: string,
  data: Record<string, unknown>,
  key: string | null,
  at: { id: string; timestamp: Date; jobSeq: number | null } = { id: newId('evt'), timestamp: new Date(), jobSeq: null },
): Event {
  const jobId = typeof data.job_id === 'string' ? data.job_id : null;
  return { ...at, projectId, type, data: data as Prisma.JsonObject, jobId, idempotencyKey: key };
}

export class EventPublisher {
  private readonly live: LiveNotifier | undefined;
  private readonly maxEventBytes: number;
  /** Counts each event stored, by type, once its transaction committed (`webhooks_events_published_total`). */
  private readonly published: Counter<'type'> | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly boss: PgBoss,
    options: { live?: LiveNotifier; maxEventBytes?: number; published?: Counter<'type'> } = {},
  ) {
    this.live = options.live;
    this.maxEventBytes = options.maxEventBytes ?? Number.POSITIVE_INFINITY;
    this.published = options.published;
  }

  async publish(projectId: string, input: PublishInput): Promise<Published> {
    const data = validateEvent(input.type, input.data, this.maxEventBytes);
    const key = input.idempotencyKey ?? null;
    if (key !== null) {
      validateIdempotencyKey(key);
      const earlier = await this.recentEventWithKey(projectId, key);
      if (earlier) return sameEventOrConflict(earlier, key, input.type, data);
    }
    try {
      const published = await inTransaction(this.pool, (tx) => this.publishWithin(tx, projectId, input.type, data, key));
      this.announce(published);
      this.published?.inc({ type: input.type });
      return published;
    } catch (error) {
      // Two publishers raced with the same key: the first one's event is the answer.
      if (key !== null && isUniqueViolation(error)) {
        const earlier = await this.recentEventWithKey(projectId, key);
        if (earlier) return sameEventOrConflict(earlier, key, input.type, data);
      }
      throw error;
    }
  }

  /**
   * The transactional core, for callers that publish as part of their own transaction: the event, its
   * deliveries and their jobs commit or roll back with it; the job's state is updated with them. Call `announce`
   * with the result after the commit.
   */
  async publishWithin(
    tx: pg.ClientBase,
    projectId: string,
    type: string,
    data: Record<string, unknown>,
    key: string | null,
  ): Promise<Published & Changes> {
    if (key !== null) {
      // A key older than the window may be used again: release it from the old event.
      await tx.query(
        'UPDATE events SET idempotency_key = NULL WHERE project_id = $1 AND idempotency_key = $2 AND timestamp <= $3',
        [projectId, key, new Date(Date.now() - IDEMPOTENCY_WINDOW_MS)],
      );
    }
    const id = newId('evt');
    const timestamp = new Date();
    // First, so concurrent events of one job queue on its row and get their `jobSeq` in commit order.
    const job = await recordJobEvent(tx, { projectId, eventId: id, type, data, timestamp });
    const event = newEvent(projectId, type, data, key, { id, timestamp, jobSeq: job?.seq ?? null });
    const { rows: webhooks } = await tx.query<{ id: string }>(
      `SELECT id FROM webhooks WHERE project_id = $1 AND status = 'ACTIVE' AND events && $2::text[]`,
      [projectId, patternsMatching(type)],
    );
    const deliveries = await this.insertEvent(tx, event, webhooks.map((w) => w.id));
    return { event, deliveryCount: webhooks.length, job, deliveries };
  }

  /** Tells live subscribers (every API process) what a committed publish changed. */
  announce(changes: Changes): void {
    if (changes.job) this.live?.jobChanged(changes.job);
    for (const delivery of changes.deliveries) this.live?.deliveryChanged(delivery);
  }

  /** A `webhook.test` event delivered to one webhook only, whatever its subscriptions or status. */
  async sendTest(projectId: string, webhookId: string): Promise<Delivery> {
    const data = validateEvent('webhook.test', { job_id: `test_${newId('evt').slice(4)}`, status: 'test' });
    const delivery = await inTransaction(this.pool, async (tx) => {
      const event = newEvent(projectId, 'webhook.test', data, null);
      const [created] = await this.insertEvent(tx, event, [webhookId], { test: true });
      return created!;
    });
    this.announce({ job: null, deliveries: [delivery] });
    this.published?.inc({ type: 'webhook.test' });
    return delivery;
  }

  /**
   * The event and one delivery per webhook in one statement (the hot path of every publish: no per-row round
   * trips), then their jobs (`first` goes into each first attempt's job). Rows are built here, so nothing needs
   * reading back.
   */
  private async insertEvent(
    tx: pg.ClientBase,
    event: Event,
    webhookIds: string[],
    first: { test?: true } = {},
  ): Promise<Delivery[]> {
    const deliveries: Delivery[] = webhookIds.map((webhookId) => ({
      id: newId('del'),
      projectId: event.projectId,
      webhookId,
      eventId: event.id,
      eventType: event.type,
      status: 'PENDING',
      statusCode: null,
      responseTimeMs: null,
      attemptCount: 0,
      lastAttemptAt: null,
      nextAttemptAt: event.timestamp,
      createdAt: event.timestamp,
      updatedAt: event.timestamp,
    }));
    await tx.query(
      prepared(
        `WITH event AS (
          INSERT INTO events (id, project_id, type, data, job_id, job_seq, idempotency_key, timestamp)
          VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8)
        )
        INSERT INTO deliveries (id, project_id, webhook_id, event_id, event_type, next_attempt_at, created_at, updated_at)
        SELECT d.id, $2, d.webhook_id, $1, $3, $8, $8, $8
        FROM unnest($9::text[], $10::text[]) AS d(id, webhook_id)`,
        [
          event.id,
          event.projectId,
          event.type,
          JSON.stringify(event.data),
          event.jobId,
          event.jobSeq,
          event.idempotencyKey,
          event.timestamp,
          deliveries.map((d) => d.id),
          webhookIds,
        ],
      ),
    );
    await enqueueInTransaction(
      this.boss,
      tx,
      deliveries.map((d) => deliveryJob(d.webhookId, { deliveryId: d.id, attempt: 1, ...first })),
    );
    return deliveries;
  }

  private async recentEventWithKey(projectId: string, key: string): Promise<Published | null> {
    const { rows } = await this.pool.query<Event & { deliveryCount: number }>(
      `SELECT id, project_id AS "projectId", type, data, job_id AS "jobId", job_seq AS "jobSeq",
              idempotency_key AS "idempotencyKey", timestamp,
              (SELECT count(*)::int FROM deliveries WHERE event_id = events.id) AS "deliveryCount"
       FROM events WHERE project_id = $1 AND idempotency_key = $2 AND timestamp > $3`,
      [projectId, key, new Date(Date.now() - IDEMPOTENCY_WINDOW_MS)],
    );
    const [row] = rows;
    if (!row) return null;
    const { deliveryCount, ...event } = row;
    return { event, deliveryCount };
  }
}
