// job_states: one row per job, upserted by each of its events in the publishing transaction.
import type { JobState } from '../../generated/prisma/client.js';
import type { JobStateChange } from '../../jobs/state.js';
import { prepared } from '../prepared.js';
import type { Queryable } from './queryable.js';

/**
 * Applies an event's change to its job and returns the new state. The row lock this takes serialises concurrent
 * events of one job, so each gets the next `seq` in commit order. Progress fields the change leaves null keep their
 * value.
 */
export async function upsertJobState(tx: Queryable, c: JobStateChange): Promise<JobState> {
  const { rows } = await tx.query<JobState>(
    prepared(
      `INSERT INTO job_states AS j (project_id, job_id, type, status, seq, last_event_id, last_event_type,
        total_images, processed_images, failed_images, progress_percent, round, total_rounds, accuracy, loss,
        created_at, updated_at)
      VALUES ($1, $2, $3::job_type, $4::job_status, 1, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)
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
        round, total_rounds AS "totalRounds", accuracy, loss, created_at AS "createdAt", updated_at AS "updatedAt"`,
      [
        c.projectId,
        c.jobId,
        c.type,
        c.status,
        c.eventId,
        c.eventType,
        c.progress.totalImages,
        c.progress.processedImages,
        c.progress.failedImages,
        c.progress.progressPercent,
        c.progress.round,
        c.progress.totalRounds,
        c.progress.accuracy,
        c.progress.loss,
        c.at,
      ],
    ),
  );
  return rows[0]!;
}
