// Live updates behind the GraphQL subscriptions. Writers announce changes after they commit, or `collect` the
// NOTIFYs to send them in their own transaction, at its commit (the publisher); every API process hears them through
// Postgres (PgEventTarget) and feeds each subscriber's own stream.
//
// Each stream listens first, then sends the last known state from the database, then every change. Notifications
// may arrive twice or out of order (they leave from different connections) or be lost while the listening
// connection reconnects, so streams never trust their order: job states carry the job's `seq` and older ones are
// dropped; job events and deliveries are (re)loaded from the database when a notification says something changed.
// A slow subscriber's buffer coalesces (latest wins), so its memory stays bounded; terminal states are kept.
//
// Job events, deliveries and operational events are resumable: each message carries a position
// (src/live/positions.ts) and a subscription given `after` sends exactly what came after it. A job's events are
// ordered by `job_seq`, assigned under the job state's row lock, so in commit order; a webhook's deliveries by the
// transaction that last changed them, and a project's operational events by the one that inserted them, read below
// the commit horizon (src/live/commit-order.ts).
import { createPubSub, type PubSub } from 'graphql-yoga';
import type pg from 'pg';
import type { Db } from '../db/prisma.js';
import { deliveryChangesAfter, FIRST_CHANGE, latestDeliveryChange, type ChangePosition, type DeliveryChange } from '../db/sql/deliveries.js';
import { jobEventIdsAfter, latestOperationalEvent, operationalEventsAfter, type OperationalEventChange } from '../db/sql/events.js';
import { OPERATIONAL_EVENT_TYPES } from '../events/catalog.js';
import type { Delivery, Event, JobState } from '../generated/prisma/client.js';
import { isTerminalEventType, isTerminalStatus } from '../jobs/state.js';
import { CoalescingBuffer } from './coalescing-buffer.js';
import { CommitOrderWake, inCommitOrder, type CommitOrderedPage } from './commit-order.js';
import { decodePosition, encodePosition, olderThanRetention, type Stream } from './positions.js';
import type { SubscriptionLimits } from './subscription-limits.js';
import { isResync, type PgEventTarget, type Resync } from '../notify/pg-event-target.js';
import type { Notices } from '../db/sql/notify.js';

/** A job's state as notified: everything but the ids, which the topic names (so the size is bounded). */
type JobNotice = Omit<JobState, 'projectId' | 'jobId' | 'createdAt' | 'updatedAt'> & { createdAt: string; updatedAt: string };
type DeliveryNotice = { deliveryId: string };
/** An operational event published: its id, and the webhook it is about (so a filtered stream need not read it). */
type HealthNotice = { eventId: string; webhookId: string };
type Topics = {
  job: [key: string, notice: JobNotice | Resync];
  deliveries: [key: string, notice: DeliveryNotice | Resync];
  health: [key: string, notice: HealthNotice | Resync];
};

/** The topic id of a project's operational events (one per project). */
const OPERATIONAL = 'operational';

/** What live subscribers are told a delivery changed by: its id, and whose it is. */
export type DeliveryRef = Pick<Delivery, 'id' | 'projectId' | 'webhookId'>;

/** What publishers call after their transaction commits. */
export interface LiveNotifier {
  jobChanged(job: JobState): void;
  deliveryChanged(delivery: DeliveryRef): void;
  /** An operational event (webhook.failing, …) committed; its `data.webhook_id` names the webhook it is about. */
  operationalEventPublished(event: Event): void;
  /**
   * The NOTIFYs the calls `announce` makes would send, collected instead, in order: for a writer to send in a
   * statement of its own transaction (at its commit, never for a rollback) instead of after it.
   */
  collect(announce: () => void): Notices;
}

/** Who subscribes: the project it may see, and the transport connection it holds a slot on. */
export type Subscriber = { projectId: string; connection: object };

/** Job events loaded per query while catching up. */
const EVENTS_PER_QUERY = 20;
/** Delivery changes read per query. */
const DELIVERIES_PER_QUERY = 100;
/** Operational events read per query. */
const HEALTH_EVENTS_PER_QUERY = 100;

/** The stream of a job's events, as positions name it. */
const jobEventsStream = (projectId: string, jobId: string): Stream => ({ kind: 'job-events', what: 'job', projectId, id: jobId });
/** The stream of a webhook's deliveries, as positions name it. */
const deliveriesStream = (projectId: string, webhookId: string): Stream => ({
  kind: 'deliveries',
  what: 'webhook',
  projectId,
  id: webhookId,
});

/** An event's position in its job's stream (its `jobSeq`); null for an event of no job. */
export function jobEventPosition(event: Pick<Event, 'projectId' | 'jobId' | 'jobSeq'>): string | null {
  if (event.jobId === null || event.jobSeq === null) return null;
  return encodePosition(jobEventsStream(event.projectId, event.jobId), [String(event.jobSeq)]);
}

/** The `jobSeq` a position of the job's stream is after; a ValidationError for anything else. */
export function jobSeqOfPosition(projectId: string, jobId: string, position: string): number {
  const [seq] = decodePosition(jobEventsStream(projectId, jobId), position, (parts) => parts.length === 1 && /^[1-9]\d{0,9}$/.test(parts[0]!));
  return Number(seq);
}

/**
 * The stream of a project's operational events as positions name it: bound to the webhook it is filtered to (`''`
 * for none), so a position resumes only a subscription with the same filter (with another, "exactly what came
 * after it" would be a different set of events).
 */
export const webhookHealthStream = (projectId: string, webhookId: string | undefined): Stream => ({
  kind: 'webhook-health',
  what: 'stream',
  projectId,
  id: webhookId ?? '',
});

/** An operational event as webhookHealth sends it: with its position in the stream. */
export type PositionedEvent = Event & { position: string };

/**
 * Where a position of `stream` (xid, id, and when the change was made) is; a ValidationError for anything else,
 * and for a change older than retention (`retentionDays`: what came after it may have been purged).
 */
export function changeAfterPosition(stream: Stream, position: string, retentionDays: number): ChangePosition {
  const [xid, id, changedAt] = decodePosition(
    stream,
    position,
    (parts) => parts.length === 3 && /^\d{1,20}$/.test(parts[0]!) && parts[1]!.length > 0 && /^\d{1,15}$/.test(parts[2]!),
  );
  if (Number(changedAt) < Date.now() - retentionDays * 86_400_000) throw olderThanRetention();
  return { xid: xid!, id: id! };
}

/** A delivery as deliveryUpdates sends it: with its position in the webhook's stream. */
export type PositionedDelivery = Delivery & { position: string };

/** Where a position of the webhook's deliveries is (see `changeAfterPosition`). */
export function deliveryChangeOfPosition(projectId: string, webhookId: string, position: string, retentionDays: number): ChangePosition {
  return changeAfterPosition(deliveriesStream(projectId, webhookId), position, retentionDays);
}

const key = (projectId: string, id: string) => `${projectId}:${id}`;

export class LiveUpdates implements LiveNotifier {
  private readonly pubsub: PubSub<Topics>;

  constructor(
    private readonly deps: {
      db: Db;
      pool: pg.Pool;
      target: PgEventTarget;
      limits: SubscriptionLimits;
      onError: (error: unknown, what: string) => void;
    },
  ) {
    this.pubsub = createPubSub<Topics>({ eventTarget: deps.target as never });
  }

  jobChanged(job: JobState): void {
    const { projectId, jobId, createdAt, updatedAt, ...rest } = job;
    const notice: JobNotice = { ...rest, createdAt: createdAt.toISOString(), updatedAt: updatedAt.toISOString() };
    this.pubsub.publish('job', key(projectId, jobId), notice);
  }

  deliveryChanged(delivery: DeliveryRef): void {
    this.pubsub.publish('deliveries', key(delivery.projectId, delivery.webhookId), { deliveryId: delivery.id });
  }

  collect(announce: () => void): Notices {
    return this.deps.target.collect(announce);
  }

  operationalEventPublished(event: Event): void {
    const webhookId = String((event.data as { webhook_id?: unknown }).webhook_id);
    this.pubsub.publish('health', key(event.projectId, OPERATIONAL), { eventId: event.id, webhookId });
  }

  /**
   * The project's operational events (webhook.failing, …), only those about `webhookIds` when given, in commit
   * order, each with its position in `stream` (see `webhookHealthStream`). Without `after`: the latest at once, then
   * each one as it is published. With `after`: every one after that position, none left out, then on live.
   */
  webhookHealth(
    sub: Subscriber,
    stream: Stream,
    webhookIds: readonly string[] | null,
    after?: ChangePosition,
  ): Promise<AsyncIterableIterator<PositionedEvent>> {
    const { pool } = this.deps;
    const withRow = (change: OperationalEventChange) => ({ row: change.event, position: change.position });
    return this.commitOrdered(sub, 'health', OPERATIONAL, {
      stream,
      after,
      pageSize: HEALTH_EVENTS_PER_QUERY,
      // An event about another webhook changes nothing here; a resync (notifications lost): read on.
      wakes: (notice) => isResync(notice) || !webhookIds || webhookIds.includes(notice.webhookId),
      latest: async () => {
        const latest = await latestOperationalEvent(pool, sub.projectId, OPERATIONAL_EVENT_TYPES, webhookIds);
        return latest && withRow(latest);
      },
      read: async (from, limit) => {
        const { changes, heldBack } = await operationalEventsAfter(pool, sub.projectId, OPERATIONAL_EVENT_TYPES, webhookIds, from, limit);
        return { rows: changes.map(withRow), heldBack };
      },
      changedAt: (event) => event.timestamp,
    });
  }

  /** The job's state now (if it has one), then each new state; ends after a terminal state. */
  jobStates(sub: Subscriber, jobId: string): Promise<AsyncIterableIterator<JobState>> {
    const { db, onError } = this.deps;
    const buffer = new CoalescingBuffer<JobState>();
    let seq = 0;
    const accept = (state: JobState | null) => {
      if (!state || state.seq <= seq) return; // already sent or superseded
      seq = state.seq;
      buffer.push('state', state, { final: isTerminalStatus(state.status) });
    };
    const load = () => db.jobState.findUnique({ where: { projectId_jobId: { projectId: sub.projectId, jobId } } });
    return this.stream(sub, 'job', jobId, buffer, {
      onNotice: (notice) => {
        if (isResync(notice)) load().then(accept, (error) => onError(error, 'job state reload failed'));
        else accept({ ...notice, projectId: sub.projectId, jobId, createdAt: new Date(notice.createdAt), updatedAt: new Date(notice.updatedAt) });
      },
      produce: async function* () {
        accept(await load());
        yield* buffer;
      },
    });
  }

  /**
   * Without `after` (a `jobSeq`): the job's latest event, then each later one in publish order; of consecutive
   * progress events still waiting for a slow subscriber only the last is sent. With `after`: every event after it,
   * in publish order, none left out (each message's position resumes exactly after that message, so a subscriber
   * that resumes never misses an event, coalesced or not). Ends after a terminal event.
   */
  jobEvents(sub: Subscriber, jobId: string, after?: number): Promise<AsyncIterableIterator<Event>> {
    const { db, pool } = this.deps;
    const changed = new CoalescingBuffer<true>(); // "the job has news": one flag, however many notifications
    const coalesce = after === undefined;
    let sent = after ?? 0;
    return this.stream(sub, 'job', jobId, changed, {
      onNotice: (notice) => {
        if (isResync(notice) || notice.seq > sent) changed.push('changed', true);
      },
      produce: async function* () {
        if (after !== undefined) {
          // Resumed after the job's terminal event: nothing more will come.
          const state = await db.jobState.findUnique({ where: { projectId_jobId: { projectId: sub.projectId, jobId } } });
          if (state?.seq === after && isTerminalEventType(state.lastEventType)) return;
        }
        const latest =
          after === undefined &&
          (await db.event.findFirst({
            where: { projectId: sub.projectId, jobId, jobSeq: { not: null } },
            orderBy: { jobSeq: 'desc' },
          }));
        if (latest) {
          sent = latest.jobSeq!;
          yield latest;
          if (isTerminalEventType(latest.type)) return;
        } else {
          changed.push('changed', true); // catch up from `after` (or from the start) at once
        }
        for await (const _ of changed) {
          let events: Event[];
          while ((events = await eventsAfter(db, pool, sub.projectId, jobId, sent, coalesce)).length > 0) {
            for (const event of events) {
              sent = event.jobSeq!;
              yield event;
              if (isTerminalEventType(event.type)) return;
            }
          }
        }
      },
    });
  }

  /**
   * Without `after`: the webhook's latest change (a delivery as it is now), then each delivery of the webhook
   * whenever it changes, as it is then, in commit order. With `after`: each delivery changed after that position,
   * as it is now (a delivery changed twice meanwhile comes once, in its latest state), then on live. A subscriber
   * slower than the changes gets each delivery in its latest state rather than every state it went through.
   */
  deliveries(sub: Subscriber, webhookId: string, after?: ChangePosition): Promise<AsyncIterableIterator<PositionedDelivery>> {
    const { pool } = this.deps;
    const withRow = (change: DeliveryChange) => ({ row: change.delivery, position: change.position });
    return this.commitOrdered(sub, 'deliveries', webhookId, {
      stream: deliveriesStream(sub.projectId, webhookId),
      after,
      pageSize: DELIVERIES_PER_QUERY,
      wakes: () => true, // a change, or a resync after lost notifications: read on from the position
      latest: async () => {
        const latest = await latestDeliveryChange(pool, sub.projectId, webhookId);
        return latest && withRow(latest);
      },
      read: async (from, limit) => {
        const { changes, heldBack } = await deliveryChangesAfter(pool, sub.projectId, webhookId, from, limit);
        return { rows: changes.map(withRow), heldBack };
      },
      changedAt: (delivery) => delivery.updatedAt,
    });
  }

  /**
   * A stream read in commit order (src/live/commit-order.ts) on a topic whose notices `wakes` it: without `after`,
   * the latest row at once, then every row after it; with `after`, every row after that position. Each row comes
   * with its position in `stream`: (xid, id), and when the row was written (`changedAt`, for the retention check).
   */
  private commitOrdered<K extends 'deliveries' | 'health', T>(
    sub: Subscriber,
    routingKey: K,
    id: string,
    options: {
      stream: Stream;
      after: ChangePosition | undefined;
      pageSize: number;
      wakes: (notice: Topics[K][1]) => boolean;
      latest: () => Promise<{ row: T; position: ChangePosition } | null>;
      read: (after: ChangePosition, limit: number) => Promise<CommitOrderedPage<T, ChangePosition>>;
      changedAt: (row: T) => Date;
    },
  ): Promise<AsyncIterableIterator<T & { position: string }>> {
    const { stream, after, pageSize, wakes, latest, read, changedAt } = options;
    const wake = new CommitOrderWake();
    const positioned = ({ row, position }: { row: T; position: ChangePosition }) => ({
      ...row,
      position: encodePosition(stream, [position.xid, position.id, String(changedAt(row).getTime())]),
    });
    return this.stream(sub, routingKey, id, wake, {
      onNotice: (notice) => {
        if (wakes(notice)) wake.notify();
      },
      produce: async function* () {
        let from = after;
        if (from === undefined) {
          const first = await latest();
          if (first) yield positioned(first);
          from = first?.position ?? FIRST_CHANGE;
        }
        for await (const change of inCommitOrder({ from, pageSize, read, wake })) yield positioned(change);
      },
    });
  }

  /**
   * One subscriber's stream on a topic: takes a limit slot (or throws the limit error), listens, then yields
   * what `produce` yields. Ending it from either side stops listening and gives the slot back at once, even while
   * `produce` waits.
   */
  private async stream<K extends keyof Topics, T>(
    sub: Subscriber,
    routingKey: K,
    id: string,
    buffer: { close(): void },
    handlers: { onNotice: (notice: Topics[K][1]) => void; produce: () => AsyncGenerator<T> },
  ): Promise<AsyncIterableIterator<T>> {
    const release = await this.deps.limits.acquire(sub.connection, sub.projectId);
    const topic = key(sub.projectId, id);
    // (A cast: TypeScript cannot resolve PubSub's conditional argument types for a generic topic.)
    const notices = this.pubsub.subscribe(routingKey as 'job', topic) as unknown as AsyncIterableIterator<Topics[K][1]> & {
      return(): Promise<unknown>;
    };
    const target = this.deps.target;
    const stop = async () => {
      release();
      buffer.close();
      await notices.return();
    };
    const generator = (async function* () {
      // Read notifications as they come, whatever the subscriber's pace: only the buffer holds them back.
      const pump = (async () => {
        for await (const notice of notices) handlers.onNotice(notice);
      })();
      try {
        await target.whenListening(`${routingKey}:${topic}`);
        yield* handlers.produce();
      } finally {
        await stop();
        await pump;
      }
    })();
    const iterator: AsyncIterableIterator<T> = {
      next: () => generator.next(),
      return: async () => {
        await stop(); // wakes `produce` if it waits for the buffer
        generator.return(undefined).catch(() => {}); // runs once `produce` stops waiting
        return { done: true, value: undefined };
      },
      throw: async (error?: unknown) => {
        await stop();
        return generator.throw(error);
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
    return iterator;
  }
}

/** Events of the job after `seq`, in order; with `coalesce`, skipping each progress event followed by another of the same type. */
async function eventsAfter(db: Db, pool: pg.Pool, projectId: string, jobId: string, seq: number, coalesce: boolean): Promise<Event[]> {
  const ids = await jobEventIdsAfter(pool, projectId, jobId, seq, EVENTS_PER_QUERY, { coalesce });
  if (ids.length === 0) return [];
  return db.event.findMany({ where: { id: { in: ids } }, orderBy: { jobSeq: 'asc' } });
}
