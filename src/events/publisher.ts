// Publishing: in one transaction, the event, one delivery per matching active webhook, and one queued job per
// delivery. Nothing accepted is lost; nothing rolled back is ever sent. The application services call it
// (src/app/events.ts, and src/app/webhooks.ts for test events); its statements are in src/db/sql/events.ts.
import { isDeepStrictEqual } from 'node:util';
import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import type { Counter } from 'prom-client';
import { inTransaction } from '../db/transaction.js';
import {
  activeWebhookIdsMatching,
  eventWithKey,
  insertDeliveriesOf,
  insertEventWithDeliveries,
  releaseIdempotencyKey,
} from '../db/sql/events.js';
import { findDeliveryInProject } from '../db/sql/deliveries.js';
import { upsertJobState } from '../db/sql/job-states.js';
import type { Delivery, Event, JobState, Prisma } from '../generated/prisma/client.js';
import { ConflictError } from '../app/errors.js';
import { newId } from '../lib/ids.js';
import { deliveryJob, enqueueInTransaction } from '../delivery/queueing/queue.js';
import { jobStateChange } from '../jobs/state.js';
import type { DeliveryRef, LiveNotifier } from '../live/updates.js';
import { patternsMatching } from './catalog.js';
import { validateEvent, validateIdempotencyKey } from './validate.js';

export type PublishInput = { type: string; data?: unknown; idempotencyKey?: string | null };
export type Published = { event: Event; deliveryCount: number };
/** What changed, for live subscribers: told by `announce` once the transaction has committed. */
export type Changes = { job: JobState | null; deliveries: DeliveryRef[] };

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

/** One new delivery of the event per webhook, with its id. */
const newDeliveries = (event: Event, webhookIds: string[]): DeliveryRef[] =>
  webhookIds.map((webhookId) => ({ id: newId('del'), projectId: event.projectId, webhookId }));

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
      await releaseIdempotencyKey(tx, projectId, key, new Date(Date.now() - IDEMPOTENCY_WINDOW_MS));
    }
    const id = newId('evt');
    const timestamp = new Date();
    // First, so concurrent events of one job queue on its row and get their `jobSeq` in commit order.
    const change = jobStateChange({ projectId, eventId: id, type, data, timestamp });
    const job = change && (await upsertJobState(tx, change));
    const event = newEvent(projectId, type, data, key, { id, timestamp, jobSeq: job?.seq ?? null });
    const webhookIds = await this.subscribersOf(tx, projectId, type, data);
    const deliveries = await this.insertEvent(tx, event, webhookIds);
    return { event, deliveryCount: webhookIds.length, job, deliveries };
  }

  /**
   * Sends a stored event again: a new delivery, queued, to every webhook that would receive it if it were published
   * now (the fan-out of `publishWithin`), of those `reaches` keeps. The event and its job's state stay as they are.
   * `alsoWithin` runs in the same transaction (the caller's audit entry).
   */
  async replay(
    event: Event,
    {
      reaches = () => true,
      alsoWithin = async () => {},
    }: { reaches?: (webhookId: string) => boolean; alsoWithin?: (tx: pg.ClientBase, deliveryCount: number) => Promise<void> } = {},
  ): Promise<Published> {
    const changes = await inTransaction(this.pool, async (tx) => {
      const data = event.data as Record<string, unknown>;
      const webhookIds = (await this.subscribersOf(tx, event.projectId, event.type, data)).filter(reaches);
      const deliveries = newDeliveries(event, webhookIds);
      await insertDeliveriesOf(tx, event, { ids: deliveries.map((d) => d.id), webhookIds });
      await this.enqueueFirstAttempts(tx, deliveries);
      await alsoWithin(tx, deliveries.length);
      return { job: null, deliveries };
    });
    this.announce(changes);
    return { event, deliveryCount: changes.deliveries.length };
  }

  /**
   * The fan-out, one rule for a publish and a replay: the project's active webhooks that receive an event of `type`
   * carrying `data` (today by type alone; payload filters will read `data`).
   */
  private subscribersOf(tx: pg.ClientBase, projectId: string, type: string, _data: Record<string, unknown>): Promise<string[]> {
    return activeWebhookIdsMatching(tx, projectId, patternsMatching(type));
  }

  /** Tells live subscribers (every API process) what a committed publish changed. */
  announce(changes: Changes): void {
    if (changes.job) this.live?.jobChanged(changes.job);
    for (const delivery of changes.deliveries) this.live?.deliveryChanged(delivery);
  }

  /**
   * A `webhook.test` event delivered to one webhook only, whatever its subscriptions or status; its delivery, queued.
   * `alsoWithin` runs in the same transaction, once the delivery is in (the caller's audit entry).
   */
  async sendTest(
    projectId: string,
    webhookId: string,
    alsoWithin: (tx: pg.ClientBase, delivery: Delivery) => Promise<void> = async () => {},
  ): Promise<Delivery> {
    const data = validateEvent('webhook.test', { job_id: `test_${newId('evt').slice(4)}`, status: 'test' });
    const delivery = await inTransaction(this.pool, async (tx) => {
      const event = newEvent(projectId, 'webhook.test', data, null);
      const [created] = await this.insertEvent(tx, event, [webhookId], { test: true });
      const queued = (await findDeliveryInProject(tx, projectId, created!.id))!;
      await alsoWithin(tx, queued);
      return queued;
    });
    this.announce({ job: null, deliveries: [delivery] });
    this.published?.inc({ type: 'webhook.test' });
    return delivery;
  }

  /** The event and one delivery per webhook (`insertEventWithDeliveries`), then their jobs (`first` goes into each). */
  private async insertEvent(
    tx: pg.ClientBase,
    event: Event,
    webhookIds: string[],
    first: { test?: true } = {},
  ): Promise<DeliveryRef[]> {
    const deliveries = newDeliveries(event, webhookIds);
    await insertEventWithDeliveries(tx, event, { ids: deliveries.map((d) => d.id), webhookIds });
    await this.enqueueFirstAttempts(tx, deliveries, first);
    return deliveries;
  }

  /** The first attempt's job of each delivery (`first` goes into each). */
  private enqueueFirstAttempts(tx: pg.ClientBase, deliveries: DeliveryRef[], first: { test?: true } = {}) {
    return enqueueInTransaction(
      this.boss,
      tx,
      deliveries.map((d) => deliveryJob(d.webhookId, { deliveryId: d.id, attempt: 1, ...first })),
    );
  }

  private recentEventWithKey(projectId: string, key: string): Promise<Published | null> {
    return eventWithKey(this.pool, projectId, key, new Date(Date.now() - IDEMPOTENCY_WINDOW_MS));
  }
}
