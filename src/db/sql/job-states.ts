// job_states: one row per job, upserted by each of its events in the publishing transaction, as part of the publish's
// first statement (`stageEvent` in src/db/sql/events.ts).
import type { JobStateChange } from '../../jobs/state.js';

/**
 * Applies an event's change to its job and returns the new state (as JobState names its fields), for a `WITH` of
 * its own; parameters $1 to $15 from `jobStateParameters`. Writes nothing when $2 (the job) is null: an event of no
 * job. The row lock this takes serialises concurrent events of one job, so each gets the next `seq` in commit order.
 * Progress fields the change leaves null keep their value.
 */
export const UPSERT_JOB_STATE = `INSERT INTO job_states AS j (project_id, job_id, type, status, seq, last_event_id, last_event_type,
    total_images, processed_images, failed_images, progress_percent, round, total_rounds, accuracy, loss,
    created_at, updated_at)
  SELECT $1::text, $2::text, $3::job_type, $4::job_status, 1, $5::text, $6::text, $7::int, $8::int, $9::int,
    $10::float8, $11::int, $12::int, $13::float8, $14::float8, $15::timestamptz, $15::timestamptz
  WHERE $2::text IS NOT NULL
  ON CONFLICT (project_id, job_id) DO UPDATE SET
    type = EXCLUDED.type,
    status = EXCLUDED.status,
    seq = j.seq + 1,
    last_event_id = EXCLUDED.last_event_id,
    last_event_type = EXCLUDED.last_event_type,
    total_images = COALESCE(EXCLUDED.total_images, j.total_images),
    processed_images = COALESCE(EXCLUDED.processed_images, j.processed_images),
    failed_images = COALESCE(EXCLUDED.failed_images, j.failed_images),
    progress_percent = COALESCE(EXCLUDED.progress_percent, j.progress_percent),
    round = COALESCE(EXCLUDED.round, j.round),
    total_rounds = COALESCE(EXCLUDED.total_rounds, j.total_rounds),
    accuracy = COALESCE(EXCLUDED.accuracy, j.accuracy),
    loss = COALESCE(EXCLUDED.loss, j.loss),
    updated_at = EXCLUDED.updated_at
  RETURNING project_id AS "projectId", job_id AS "jobId", type::text AS type, status::text AS status, seq,
    last_event_id AS "lastEventId", last_event_type AS "lastEventType", total_images AS "totalImages",
    processed_images AS "processedImages", failed_images AS "failedImages", progress_percent AS "progressPercent",
    round, total_rounds AS "totalRounds", accuracy, loss, created_at AS "createdAt", updated_at AS "updatedAt"`;

/** The parameters of `UPSERT_JOB_STATE` for a change of a job of the project, or for none (`change` null). */
export function jobStateParameters(projectId: string, c: JobStateChange | null): unknown[] {
  const p = c?.progress;
  return [
    projectId,
    c?.jobId ?? null,
    c?.type ?? null,
    c?.status ?? null,
    c?.eventId ?? null,
    c?.eventType ?? null,
    p?.totalImages ?? null,
    p?.processedImages ?? null,
    p?.failedImages ?? null,
    p?.progressPercent ?? null,
    p?.round ?? null,
    p?.totalRounds ?? null,
    p?.accuracy ?? null,
    p?.loss ?? null,
    c?.at ?? null,
  ];
}
