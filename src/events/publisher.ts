// Publishing: in one transaction, the event, one delivery per matching active webhook (subscribed to its type, and
// whose payload filter, if any, its data matches), and one queued event job for their first attempts (a PULL
// webhook's delivery: a stored message instead, src/delivery/pull/). Nothing accepted is lost; nothing rolled back is ever sent. The
// application services call it (src/app/events.ts, and src/app/webhooks.ts for test events, which ignore filters);
// its statements are in src/db/sql/events.ts.
import { isDeepStrictEqual } from 'node:util';
import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import type { Counter } from 'prom-client';
import { inTransaction } from '../db/transaction.js';
import {
  eventsWithKeys,
  insertDeliveriesOf,
  type FanOutTarget,
  insertEventsWithDeliveries,
  stageEvent,
} from '../db/sql/events.js';
import { findDeliveryInProject } from '../db/sql/deliveries.js';
import type { Notices } from '../db/sql/notify.js';
import type { Delivery, Event, JobState, Prisma } from '../generated/prisma/client.js';
import { ConflictError, DomainError, ValidationError } from '../app/errors.js';
import { newId } from '../lib/ids.js';
import { enqueueInTransaction, eventJob, WAKE_NOTICE } from '../delivery/queueing/queue.js';
import { storePullMessages } from '../delivery/pull/stream.js';
import { activeTraceparent, inSpan } from '../observability/tracing.js';
import { jobStateChange, type JobStateChange } from '../jobs/state.js';
import type { DeliveryRef, LiveNotifier } from '../live/updates.js';
import { matches } from '../webhooks/filter.js';
import { patternsMatching } from './catalog.js';
import { validateEvent, validateIdempotencyKey, validatePublishable } from './validate.js';

export type PublishInput = { type: string; data?: unknown; idempotencyKey?: string | null };
export type Published = { event: Event; deliveryCount: number };
/** What one item of a batch publish comes to: its event, or why it was refused. */
export type PublishOutcome = Published | ValidationError | ConflictError;
/** An input that passed its checks. */
type PreparedEvent = { type: string; data: Record<string, unknown>; key: string | null };
/** What changed, for live subscribers: told by NOTIFYs sent at the publishing transaction's commit. */
export type Changes = { job: JobState | null; deliveries: DeliveryRef[] };

/** A webhook a delivery is made for, and whether it is PULL (its delivery is stored to be read, not sent). */
type DeliveryTarget = Pick<FanOutTarget, 'id' | 'pull'>;

const IDEMPOTENCY_WINDOW_MS = 24 * 3_600_000;

/** A key names one event: repeating it answers with that event, reusing it for a different one is a conflict. */
function sameEventOrConflict(earlier: Published, key: string, type: string, data: Record<string, unknown>): Published | ConflictError {
  if (earlier.event.type === type && isDeepStrictEqual(earlier.event.data, data)) return earlier;
  return new ConflictError(
    `The idempotency key "${key}" was used in the last 24 h for a different event (${earlier.event.id}); use a new key for a new event`,
    'idempotencyKey',
  );
}

const sqlState = (error: unknown) => (error as { code?: unknown } | null)?.code;
/** A unique index refused the insert (Postgres' unique_violation). */
const isUniqueViolation = (error: unknown) => sqlState(error) === '23505';
/** Postgres ended the transaction to break a lock cycle (deadlock_detected). */
const isDeadlock = (error: unknown) => sqlState(error) === '40P01';
/** How many times a batch's transaction is tried before its error is the answer. */
const MAX_ROUNDS = 3;

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

/** A delivery about to be made, and whether its webhook is PULL. */
type NewDelivery = DeliveryRef & { pull: boolean };

/** An event made ready in the publishing transaction (`stage`), to be inserted with its deliveries. */
type Staged = { event: Event; job: JobState | null; deliveries: NewDelivery[] };

const refOf = ({ id, projectId, webhookId }: NewDelivery): DeliveryRef => ({ id, projectId, webhookId });

const outcomeOf = ({ event, job, deliveries }: Staged): Published & Changes => ({
  event,
  deliveryCount: deliveries.length,
  job,
  deliveries: deliveries.map(refOf),
});

/** One new delivery of the event per webhook, with its id. */
const newDeliveries = (event: Event, webhooks: DeliveryTarget[]): NewDelivery[] =>
  webhooks.map(({ id: webhookId, pull }) => ({ id: newId('del'), projectId: event.projectId, webhookId, pull }));

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

  /** One event: a batch of one, its error thrown. */
  async publish(projectId: string, input: PublishInput): Promise<Published> {
    const [outcome] = await this.publishMany(projectId, [input]);
    if (outcome instanceof DomainError) throw outcome;
    return outcome!;
  }

  /**
   * Several events in one transaction, answered item by item in input order: its event (new, or the earlier one
   * its idempotency key names), or why it was refused. A refused item writes nothing and does not stop the others.
   * Within a batch, a key repeated answers as its first use does (the same event, or a conflict if it differs).
   */
  async publishMany(projectId: string, inputs: readonly PublishInput[]): Promise<PublishOutcome[]> {
    const items = inputs.map((input) => this.prepare(input));
    const keys = [...new Set(items.flatMap((item) => (item instanceof DomainError || item.key === null ? [] : [item.key])))];
    // A concurrent publisher may take a key between our lookup and our insert: its unique index refuses ours, and the
    // next round finds its event. Two batches may also wait on each other's rows (keys, jobs): Postgres ends one
    // as a deadlock, and the next round runs it again.
    for (let round = 1; ; round++) {
      const earlier = await eventsWithKeys(this.pool, projectId, keys, new Date(Date.now() - IDEMPOTENCY_WINDOW_MS));
      const firstUse = new Map<string, number>(); // key → the index of the item that publishes it
      const fresh = items.flatMap((item, index) => {
        if (item instanceof DomainError || (item.key !== null && (earlier.has(item.key) || firstUse.has(item.key)))) return [];
        if (item.key !== null) firstUse.set(item.key, index);
        return [index];
      });
      let published: Map<number, Published & Changes>;
      try {
        published = await this.publishAll(projectId, items, fresh);
      } catch (error) {
        if (round < MAX_ROUNDS && ((keys.length > 0 && isUniqueViolation(error)) || isDeadlock(error))) continue;
        throw error;
      }
      for (const result of published.values()) this.published?.inc({ type: result.event.type });
      return items.map((item, index) => {
        if (item instanceof DomainError) return item;
        const own = published.get(index);
        if (own) return { event: own.event, deliveryCount: own.deliveryCount };
        const key = item.key!;
        const first = earlier.get(key) ?? published.get(firstUse.get(key)!)!;
        return sameEventOrConflict(first, key, item.type, item.data);
      });
    }
  }

  /** An input checked (its data and key), or why it is refused. */
  private prepare(input: PublishInput): PreparedEvent | ValidationError {
    try {
      validatePublishable(input.type);
      const data = validateEvent(input.type, input.data, this.maxEventBytes);
      const key = input.idempotencyKey ?? null;
      if (key !== null) validateIdempotencyKey(key);
      return { type: input.type, data, key };
    } catch (error) {
      if (error instanceof ValidationError) return error;
      throw error;
    }
  }

  /**
   * The items at `indexes`, published in one transaction, by index: each made ready in turn, ordered by job (each
   * job's events keep their order, so batches lock the jobs' rows in one order), then all inserted together.
   */
  private publishAll(projectId: string, items: readonly (PreparedEvent | DomainError)[], indexes: number[]) {
    if (indexes.length === 0) return Promise.resolve(new Map<number, Published & Changes>());
    const jobOf = (index: number) => String((items[index] as PreparedEvent).data.job_id ?? '');
    const byJob = indexes.toSorted((a, b) => (jobOf(a) < jobOf(b) ? -1 : jobOf(a) > jobOf(b) ? 1 : 0));
    return inTransaction(this.pool, async (tx) => {
      const staged: Staged[] = [];
      for (const index of byJob) staged.push(await this.stage(tx, projectId, items[index] as PreparedEvent));
      await this.insertEvents(tx, projectId, staged);
      return new Map(byJob.map((index, i) => [index, outcomeOf(staged[i]!)]));
    });
  }

  /**
   * The transactional core, for callers that publish as part of their own transaction: the event, its
   * deliveries and their event job commit or roll back with it; the job's state is updated with them, and live
   * subscribers are told at its commit (NOTIFYs sent by the insert).
   */
  async publishWithin(
    tx: pg.ClientBase,
    projectId: string,
    type: string,
    data: Record<string, unknown>,
    key: string | null,
    /** A webhook left out of the fan-out: the one an operational event is about. */
    exceptWebhookId: string | null = null,
  ): Promise<Published & Changes> {
    const staged = await this.stage(tx, projectId, { type, data, key }, exceptWebhookId);
    await this.insertEvents(tx, projectId, [staged]);
    return outcomeOf(staged);
  }

  /**
   * An event made ready in the transaction, in one statement (`fanOut`): its idempotency key released from an event
   * older than the window (which may then be used again), its job's state applied and the webhooks it reaches read.
   * The job's state comes before the event's insert, so concurrent events of one job queue on its row and get their
   * `jobSeq` in commit order.
   */
  private async stage(
    tx: pg.ClientBase,
    projectId: string,
    { type, data, key }: PreparedEvent,
    exceptWebhookId: string | null = null,
  ): Promise<Staged> {
    const id = newId('evt');
    const timestamp = new Date();
    const change = jobStateChange({ projectId, eventId: id, type, data, timestamp });
    const releasing = key === null ? null : { key, before: new Date(timestamp.getTime() - IDEMPOTENCY_WINDOW_MS) };
    const { job, webhooks } = await this.fanOut(tx, projectId, type, data, { change, releasing });
    const event = newEvent(projectId, type, data, key, { id, timestamp, jobSeq: job?.seq ?? null });
    return { event, job, deliveries: newDeliveries(event, webhooks.filter((webhook) => webhook.id !== exceptWebhookId)) };
  }

  /**
   * The fan-out, one rule for a publish and a replay: the project's active webhooks that receive an event of `type`
   * carrying `data`, those subscribed to its type with no payload filter or one `data` matches; read in the statement
   * that applies `change` to the job's state and releases an idempotency key (`stageEvent`; neither for a replay).
   * The filters are decided here, on the rows it returns.
   */
  private async fanOut(
    tx: pg.ClientBase,
    projectId: string,
    type: string,
    data: Record<string, unknown>,
    {
      change = null,
      releasing = null,
    }: { change?: JobStateChange | null; releasing?: { key: string; before: Date } | null } = {},
  ): Promise<{ job: JobState | null; webhooks: FanOutTarget[] }> {
    const { job, webhooks } = await stageEvent(tx, projectId, { change, patterns: patternsMatching(type), releasing });
    return { job, webhooks: webhooks.filter((webhook) => webhook.filter === null || matches(webhook.filter, data)) };
  }

  /**
   * An operational event (src/events/catalog.ts) about `webhookId`, published within the caller's transaction to the
   * project's webhooks subscribed to it, except that one. Call `announceOperational` with the result after the commit.
   */
  publishOperationalWithin(
    tx: pg.ClientBase,
    event: { projectId: string; type: string; data: Record<string, unknown>; webhookId: string },
  ): Promise<Published & Changes> {
    const data = validateEvent(event.type, event.data);
    return this.publishWithin(tx, event.projectId, event.type, data, null, event.webhookId);
  }

  /**
   * After the commit of `publishOperationalWithin`: webhookHealth's live subscribers (its deliveries' were told at the
   * commit) and the counter.
   */
  announceOperational(published: Published & Changes): void {
    this.live?.operationalEventPublished(published.event);
    this.published?.inc({ type: published.event.type });
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
      const webhooks = (await this.fanOut(tx, event.projectId, event.type, data)).webhooks.filter((webhook) => reaches(webhook.id));
      const deliveries = newDeliveries(event, webhooks);
      await insertDeliveriesOf(tx, event, { ids: deliveries.map((d) => d.id), webhookIds: deliveries.map((d) => d.webhookId) });
      await this.startDeliveries(tx, deliveries);
      await alsoWithin(tx, deliveries.length);
      return { job: null, deliveries: deliveries.map(refOf) };
    });
    this.announce(changes);
    return { event, deliveryCount: changes.deliveries.length };
  }

  /** Tells live subscribers (every API process) what a committed replay changed. */
  private announce(changes: Changes): void {
    if (changes.job) this.live?.jobChanged(changes.job);
    for (const delivery of changes.deliveries) this.live?.deliveryChanged(delivery);
  }

  /**
   * A `webhook.test` event delivered to one webhook only, whatever its subscriptions or status; its delivery, queued.
   * `alsoWithin` runs in the same transaction, once the delivery is in (the caller's audit entry).
   */
  async sendTest(
    projectId: string,
    webhook: DeliveryTarget,
    alsoWithin: (tx: pg.ClientBase, delivery: Delivery) => Promise<void> = async () => {},
  ): Promise<Delivery> {
    const data = validateEvent('webhook.test', { job_id: `test_${newId('evt').slice(4)}`, status: 'test' });
    const delivery = await inTransaction(this.pool, async (tx) => {
      const event = newEvent(projectId, 'webhook.test', data, null);
      const [created] = newDeliveries(event, [webhook]);
      await this.insertEvents(tx, projectId, [{ event, job: null, deliveries: [created!] }], { test: true });
      const queued = (await findDeliveryInProject(tx, projectId, created!.id))!;
      await alsoWithin(tx, queued);
      return queued;
    });
    this.published?.inc({ type: 'webhook.test' });
    return delivery;
  }

  /**
   * Staged events, one delivery per webhook each reaches and the NOTIFYs that tell of them at commit (`noticesOf`),
   * in one statement (`insertEventsWithDeliveries`); then their jobs (`first` goes into each). A PULL webhook's
   * delivery gets no job: its message is stored for its receiver to read (src/delivery/pull/).
   */
  private async insertEvents(tx: pg.ClientBase, projectId: string, staged: readonly Staged[], first: { test?: true } = {}) {
    const deliveries = staged.flatMap((s) => s.deliveries);
    const eventIndexes = staged.flatMap((s, i) => s.deliveries.map(() => i));
    // Traced as the fan-out; its context rides in each job, so every attempt joins the publish's trace.
    const events = staged.length === 1 ? { 'webhooks.event_id': staged[0]!.event.id } : { 'webhooks.event_count': staged.length };
    const attributes = { ...events, 'webhooks.delivery_count': deliveries.length };
    await inSpan('fan out', { attributes }, async () => {
      await insertEventsWithDeliveries(
        tx,
        projectId,
        staged.map((s) => s.event),
        { ids: deliveries.map((d) => d.id), webhookIds: deliveries.map((d) => d.webhookId), eventIndexes },
        this.noticesOf(staged, deliveries),
      );
      await this.startDeliveries(tx, deliveries, first, { woken: true });
    });
  }

  /**
   * The NOTIFYs of a publish, for its insert to send at commit: what live subscribers are told (the job's new state,
   * each delivery), and the workers' wake when any delivery is to be sent (`startDeliveries` then sends none).
   */
  private noticesOf(staged: readonly Staged[], deliveries: NewDelivery[]): Notices {
    const live = this.live;
    const notices = live?.collect(() => {
      for (const { job } of staged) if (job) live.jobChanged(job);
      for (const delivery of deliveries) live.deliveryChanged(delivery);
    }) ?? { channels: [], payloads: [] };
    if (deliveries.some((d) => !d.pull)) {
      notices.channels.push(WAKE_NOTICE.channel);
      notices.payloads.push(WAKE_NOTICE.payload);
    }
    return notices;
  }

  /**
   * What makes new deliveries go out: one event job for their first attempts (a publish's or a whole batch's;
   * `first` goes into it, and the active trace, if any; src/delivery/queueing/event-jobs.ts), or, for a PULL
   * webhook's, its message stored for its receiver to read (src/delivery/pull/). `woken`: the caller has sent the
   * workers' wake in this transaction (`enqueueInTransaction`).
   */
  private async startDeliveries(tx: pg.ClientBase, deliveries: NewDelivery[], first: { test?: true } = {}, { woken = false } = {}) {
    const trace = activeTraceparent();
    const sent = deliveries.filter((d) => !d.pull);
    if (sent.length > 0) {
      const parts = sent.map((d): [string, string] => [d.id, d.webhookId]);
      await enqueueInTransaction(this.boss, tx, [], [eventJob({ parts, ...first, ...(trace && { trace }) })], { woken });
    }
    await storePullMessages(tx, deliveries.filter((d) => d.pull));
  }
}
