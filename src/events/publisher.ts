// Publishing: in one transaction, the event, one delivery per matching active webhook, and one queued job per
// delivery. Nothing accepted is lost; nothing rolled back is ever sent.
import { isDeepStrictEqual } from 'node:util';
import { fromPrisma, type PgBoss } from 'pg-boss';
import type { Db } from '../db/prisma.js';
import type { Delivery, Event, JobState } from '../generated/prisma/client.js';
import { Prisma } from '../generated/prisma/client.js';
import { ConflictError } from '../lib/errors.js';
import { newId } from '../lib/ids.js';
import { deliveryJob, enqueueInTransaction } from '../delivery/queue.js';
import { recordJobEvent } from '../jobs/state.js';
import type { LiveNotifier } from '../live/updates.js';
import { patternsMatching } from './catalog.js';
import { validateEvent } from './validate.js';

export type PublishInput = { type: string; data?: unknown; idempotencyKey?: string | null };
export type Published = { event: Event; deliveryCount: number };
/** What changed, for live subscribers: told by `announce` once the transaction has committed. */
export type Changes = { job: JobState | null; deliveries: Delivery[] };

const IDEMPOTENCY_WINDOW_MS = 24 * 3_600_000;
export type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

/** A key names one event: repeating it answers with that event, reusing it for a different one is a conflict. */
function sameEventOrConflict(earlier: Published, key: string, type: string, data: Record<string, unknown>): Published {
  if (earlier.event.type === type && isDeepStrictEqual(earlier.event.data, data)) return earlier;
  throw new ConflictError(
    `The idempotency key "${key}" was used in the last 24 h for a different event (${earlier.event.id}); use a new key for a new event`,
    'idempotencyKey',
  );
}

/** A unique index refused the insert (P2010 wraps a raw statement's driver error). */
const isUniqueViolation = (error: unknown) =>
  error instanceof Prisma.PrismaClientKnownRequestError &&
  (error.code === 'P2002' ||
    (error.meta as { driverAdapterError?: { cause?: { originalCode?: string } } } | undefined)?.driverAdapterError?.cause
      ?.originalCode === '23505');

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

  constructor(
    private readonly db: Db,
    private readonly boss: PgBoss,
    options: { live?: LiveNotifier; maxEventBytes?: number } = {},
  ) {
    this.live = options.live;
    this.maxEventBytes = options.maxEventBytes ?? Number.POSITIVE_INFINITY;
  }

  async publish(projectId: string, input: PublishInput): Promise<Published> {
    const data = validateEvent(input.type, input.data, this.maxEventBytes);
    const key = input.idempotencyKey ?? null;
    if (key !== null) {
      const earlier = await this.recentEventWithKey(projectId, key);
      if (earlier) return sameEventOrConflict(earlier, key, input.type, data);
    }
    try {
      const published = await this.db.$transaction((tx) => this.publishWithin(tx, projectId, input.type, data, key));
      this.announce(published);
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
    tx: Tx,
    projectId: string,
    type: string,
    data: Record<string, unknown>,
    key: string | null,
  ): Promise<Published & Changes> {
    if (key !== null) {
      // A key older than the window may be used again: release it from the old event.
      await tx.event.updateMany({
        where: { projectId, idempotencyKey: key, timestamp: { lte: new Date(Date.now() - IDEMPOTENCY_WINDOW_MS) } },
        data: { idempotencyKey: null },
      });
    }
    const id = newId('evt');
    const timestamp = new Date();
    // First, so concurrent events of one job queue on its row and get their `jobSeq` in commit order.
    const job = await recordJobEvent(tx, { projectId, eventId: id, type, data, timestamp });
    const event = newEvent(projectId, type, data, key, { id, timestamp, jobSeq: job?.seq ?? null });
    const webhooks = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM webhooks
      WHERE project_id = ${projectId} AND status = 'ACTIVE' AND events && ${patternsMatching(type)}::text[]`;
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
    const delivery = await this.db.$transaction(async (tx) => {
      const event = newEvent(projectId, 'webhook.test', data, null);
      const [created] = await this.insertEvent(tx, event, [webhookId]);
      return created!;
    });
    this.announce({ job: null, deliveries: [delivery] });
    return delivery;
  }

  /**
   * The event and one delivery per webhook in one statement (the hot path of every publish: no per-row round
   * trips), then their jobs. Rows are built here, so nothing needs reading back.
   */
  private async insertEvent(tx: Tx, event: Event, webhookIds: string[]): Promise<Delivery[]> {
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
    await tx.$executeRaw`
      WITH event AS (
        INSERT INTO events (id, project_id, type, data, job_id, job_seq, idempotency_key, timestamp)
        VALUES (${event.id}, ${event.projectId}, ${event.type}, ${JSON.stringify(event.data)}::jsonb, ${event.jobId},
                ${event.jobSeq}, ${event.idempotencyKey}, ${event.timestamp})
      )
      INSERT INTO deliveries (id, project_id, webhook_id, event_id, event_type, next_attempt_at, created_at, updated_at)
      SELECT d.id, ${event.projectId}, d.webhook_id, ${event.id}, ${event.type}, ${event.timestamp}, ${event.timestamp},
             ${event.timestamp}
      FROM unnest(${deliveries.map((d) => d.id)}::text[], ${webhookIds}::text[]) AS d(id, webhook_id)`;
    await enqueueInTransaction(
      this.boss,
      fromPrisma(tx),
      deliveries.map((d) => deliveryJob(d.webhookId, { deliveryId: d.id, attempt: 1 })),
    );
    return deliveries;
  }

  private async recentEventWithKey(projectId: string, key: string): Promise<Published | null> {
    const event = await this.db.event.findFirst({
      where: { projectId, idempotencyKey: key, timestamp: { gt: new Date(Date.now() - IDEMPOTENCY_WINDOW_MS) } },
    });
    if (!event) return null;
    return { event, deliveryCount: await this.db.delivery.count({ where: { eventId: event.id } }) };
  }
}
