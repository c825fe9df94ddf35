// events: the statements of every publish (the event, and the deliveries it creates with it), and the reads of a
// job's events and of a project's operational events in order, behind the live streams (src/live/updates.ts).
import type { Event, JobState, Prisma } from '../../generated/prisma/client.js';
import type { JobStateChange } from '../../jobs/state.js';
import type { Filter } from '../../webhooks/filter.js';
import { jobStateParameters, UPSERT_JOB_STATE } from './job-states.js';
import { COMMIT_HORIZON } from './commit-horizon.js';
import type { ChangePosition } from './deliveries.js';
import { prepared } from '../prepared.js';
import type { Notices } from './notify.js';
import type { Queryable } from './queryable.js';

/**
 * A webhook a publish may deliver to: its payload filter (null for none) for the caller to decide
 * (src/webhooks/filter.ts), and whether it is PULL (its delivery is stored to be read, not sent).
 */
export type FanOutTarget = { id: string; filter: Filter | null; pull: boolean };

/**
 * The first statement of a publish, one round trip for three things: frees `releasing.key` from the project's events
 * older than `releasing.before` (so it may name the new event; null for an event without a key), applies `change`
 * to the job's state (`UPSERT_JOB_STATE`; null for an event of no job, and for a replay), and reads the project's
 * active webhooks subscribed to any of `patterns` (an event type and the wildcards matching it), each with its payload
 * filter for the caller to decide. Returns the job's new state (null without a change) and the webhooks. Not
 * prepared: the webhooks' read has a plan to choose (src/db/prepared.ts).
 */
export async function stageEvent(
  tx: Queryable,
  projectId: string,
  {
    change,
    patterns,
    releasing,
  }: { change: JobStateChange | null; patterns: string[]; releasing: { key: string; before: Date } | null },
): Promise<{ job: JobState | null; webhooks: FanOutTarget[] }> {
  const { rows } = await tx.query<JobState & { ids: string[]; filters: (Filter | null)[]; pulls: boolean[] }>(
    `WITH released AS (
      UPDATE events SET idempotency_key = NULL WHERE project_id = $1 AND idempotency_key = $17::text AND timestamp <= $18::timestamptz
    ), job AS (${UPSERT_JOB_STATE})
    SELECT job.*, w.ids, w.filters, w.pulls
    FROM (
      SELECT coalesce(array_agg(id), '{}') AS ids, coalesce(array_agg(filter), '{}') AS filters,
        coalesce(array_agg(kind = 'PULL'), '{}') AS pulls
      FROM webhooks WHERE project_id = $1 AND status = 'ACTIVE' AND events && $16::text[]
    ) w LEFT JOIN job ON true`,
    [...jobStateParameters(projectId, change), patterns, releasing?.key ?? null, releasing?.before ?? null],
  );
  const { ids, filters, pulls, ...job } = rows[0]!;
  return {
    job: job.jobId === null ? null : job,
    webhooks: ids.map((id, i) => ({ id, filter: filters[i]!, pull: pulls[i]! })),
  };
}

/**
 * Events, one PENDING delivery per webhook each reaches, and the NOTIFYs that announce them (sent at commit, never
 * for a rollback), in one statement (the hot path of every publish: no round trip per delivery or per event of a
 * batch, none for the NOTIFYs). Delivery `i` goes to `webhookIds[i]` for the event at `events[eventIndexes[i]]`; the
 * events are all of `projectId`. The deliveries' other columns take their defaults.
 */
export async function insertEventsWithDeliveries(
  tx: Queryable,
  projectId: string,
  events: readonly Event[],
  deliveries: { ids: string[]; webhookIds: string[]; eventIndexes: number[] },
  notices: Notices,
): Promise<void> {
  await tx.query(
    prepared(
      `WITH e AS (
        SELECT * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[], $8::timestamptz[])
          WITH ORDINALITY AS e(id, type, data, job_id, job_seq, idempotency_key, timestamp, n)
      ), events AS (
        INSERT INTO events (id, project_id, type, data, job_id, job_seq, idempotency_key, timestamp)
        SELECT id, $1, type, data::jsonb, job_id, job_seq, idempotency_key, timestamp FROM e
      ), deliveries AS (
        INSERT INTO deliveries (id, project_id, webhook_id, event_id, event_type, next_attempt_at, created_at, updated_at)
        SELECT d.id, $1, d.webhook_id, e.id, e.type, e.timestamp, e.timestamp, e.timestamp
        FROM unnest($9::text[], $10::text[], $11::int[]) AS d(id, webhook_id, n) JOIN e ON e.n = d.n + 1
      )
      SELECT pg_notify(n.channel, n.payload) FROM unnest($12::text[], $13::text[]) AS n(channel, payload)`,
      [
        projectId,
        events.map((event) => event.id),
        events.map((event) => event.type),
        events.map((event) => JSON.stringify(event.data)),
        events.map((event) => event.jobId),
        events.map((event) => event.jobSeq),
        events.map((event) => event.idempotencyKey),
        events.map((event) => event.timestamp),
        deliveries.ids,
        deliveries.webhookIds,
        deliveries.eventIndexes,
        notices.channels,
        notices.payloads,
      ],
    ),
  );
}

/**
 * One PENDING delivery of a stored event per webhook (a replay), created now; `deliveryIds[i]` goes to
 * `webhookIds[i]`.
 */
export async function insertDeliveriesOf(
  tx: Queryable,
  event: Pick<Event, 'id' | 'projectId' | 'type'>,
  deliveries: { ids: string[]; webhookIds: string[] },
): Promise<void> {
  await tx.query(
    `INSERT INTO deliveries (id, project_id, webhook_id, event_id, event_type, next_attempt_at, created_at, updated_at)
     SELECT d.id, $2, d.webhook_id, $1, $3, now(), now(), now()
     FROM unnest($4::text[], $5::text[]) AS d(id, webhook_id)`,
    [event.id, event.projectId, event.type, deliveries.ids, deliveries.webhookIds],
  );
}

type EventRow = {
  id: string;
  project_id: string;
  type: string;
  data: Prisma.JsonObject;
  job_id: string | null;
  job_seq: number | null;
  idempotency_key: string | null;
  timestamp: Date;
};

const EVENT_COLUMNS = 'id, project_id, type, data, job_id, job_seq, idempotency_key, timestamp';

const toEvent = (row: EventRow): Event => ({
  id: row.id,
  projectId: row.project_id,
  type: row.type,
  data: row.data,
  jobId: row.job_id,
  jobSeq: row.job_seq,
  idempotencyKey: row.idempotency_key,
  timestamp: row.timestamp,
});

/**
 * The project's events that hold one of `keys` and are newer than `after`, each with how many deliveries it made,
 * by key (a key missing from the map names no such event): one statement for a whole batch.
 */
export async function eventsWithKeys(
  db: Queryable,
  projectId: string,
  keys: readonly string[],
  after: Date,
): Promise<Map<string, { event: Event; deliveryCount: number }>> {
  if (keys.length === 0) return new Map();
  const { rows } = await db.query<EventRow & { delivery_count: number }>(
    `SELECT ${EVENT_COLUMNS},
            (SELECT count(*)::int FROM deliveries WHERE event_id = events.id) AS delivery_count
     FROM events WHERE project_id = $1 AND idempotency_key = ANY($2::text[]) AND timestamp > $3`,
    [projectId, keys, after],
  );
  return new Map(
    rows.map((row) => {
      return [row.idempotency_key!, { event: toEvent(row), deliveryCount: row.delivery_count }];
    }),
  );
}

/**
 * The ids of a job's events after `seq`, in order; with `coalesce`, leaving out each progress event followed by
 * another of the same type (a subscriber catching up that asked for no position needs only the last of a run).
 */
export async function jobEventIdsAfter(
  db: Queryable,
  projectId: string,
  jobId: string,
  seq: number,
  limit: number,
  { coalesce }: { coalesce: boolean },
): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM (
      SELECT id, type, job_seq, lead(type) OVER (ORDER BY job_seq) AS next_type
      FROM events WHERE project_id = $1 AND job_id = $2 AND job_seq > $3
    ) pending
    WHERE NOT $5::boolean OR type NOT LIKE '%.progress' OR next_type IS DISTINCT FROM type
    ORDER BY job_seq
    LIMIT $4`,
    [projectId, jobId, seq, limit, coalesce],
  );
  return rows.map((row) => row.id);
}

/**
 * How many events the job has had (its state's `seq`, 0 without a state), and how many of those after `seq` are
 * still there: fewer than `current - seq` when retention has purged some (read from one snapshot).
 */
export async function jobEventsRetainedAfter(
  db: Queryable,
  projectId: string,
  jobId: string,
  seq: number,
): Promise<{ current: number; retained: number }> {
  const { rows } = await db.query<{ current: number; retained: number }>(
    `SELECT coalesce((SELECT seq FROM job_states WHERE project_id = $1 AND job_id = $2), 0) AS current,
      (SELECT count(*)::int FROM events WHERE project_id = $1 AND job_id = $2 AND job_seq > $3) AS retained`,
    [projectId, jobId, seq],
  );
  return rows[0]!;
}

/** An operational event with its position in its project's webhookHealth stream: (commit_xid, id). */
export type OperationalEventChange = { event: Event; position: ChangePosition };

// The project's ($1) operational events of `types` ($2: src/events/catalog.ts), about the webhooks $3 when not
// null. It repeats the predicate of the partial index events_operational_commit_order, so the planner uses it.
const OPERATIONAL = `project_id = $1 AND (type LIKE 'webhook.%' OR type LIKE 'delivery.%') AND type = ANY($2::text[])
  AND job_id IS NULL AND ($3::text[] IS NULL OR data->>'webhook_id' = ANY($3::text[]))`;

/**
 * Up to `limit` operational events of the project (of `types`, about `webhookIds` when not null) inserted after
 * `after`, in commit order (commit_xid, id): only those below the commit horizon, so an event committed later
 * always comes after every position already handed out (src/live/commit-order.ts); `heldBack` says whether
 * committed ones wait behind a transaction still in flight.
 */
export async function operationalEventsAfter(
  db: Queryable,
  projectId: string,
  types: readonly string[],
  webhookIds: readonly string[] | null,
  after: ChangePosition,
  limit: number,
): Promise<{ changes: OperationalEventChange[]; heldBack: boolean }> {
  const { rows } = await db.query<(EventRow & { commit_xid: string; held_back: boolean }) | { id: null; held_back: boolean }>(
    `WITH horizon AS (SELECT ${COMMIT_HORIZON} AS xmin)
    SELECT e.*, EXISTS (SELECT 1 FROM events WHERE ${OPERATIONAL} AND commit_xid >= horizon.xmin) AS held_back
    FROM horizon LEFT JOIN LATERAL (
      SELECT ${EVENT_COLUMNS}, commit_xid::text AS commit_xid FROM events
      WHERE ${OPERATIONAL} AND (commit_xid, id) > ($4::xid8, $5) AND commit_xid < horizon.xmin
      ORDER BY commit_xid, id
      LIMIT $6
    ) e ON true`,
    [projectId, types, webhookIds, after.xid, after.id, limit],
  );
  const changes = rows
    .filter((row): row is EventRow & { commit_xid: string; held_back: boolean } => row.id !== null)
    .map((row) => ({ event: toEvent(row), position: { xid: row.commit_xid, id: row.id } }));
  return { changes, heldBack: rows[0]?.held_back ?? false };
}

/** The project's latest operational event below the horizon (see `operationalEventsAfter`), or null for none. */
export async function latestOperationalEvent(
  db: Queryable,
  projectId: string,
  types: readonly string[],
  webhookIds: readonly string[] | null,
): Promise<OperationalEventChange | null> {
  const { rows } = await db.query<EventRow & { commit_xid: string }>(
    `SELECT ${EVENT_COLUMNS}, commit_xid::text AS commit_xid FROM events
    WHERE ${OPERATIONAL} AND commit_xid < ${COMMIT_HORIZON}
    ORDER BY commit_xid DESC, id DESC
    LIMIT 1`,
    [projectId, types, webhookIds],
  );
  const [row] = rows;
  return row ? { event: toEvent(row), position: { xid: row.commit_xid, id: row.id } } : null;
}
