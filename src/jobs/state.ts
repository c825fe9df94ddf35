// A job's latest known state, kept up to date by the events published for it: in the publishing transaction, the
// job's row is upserted (which also serialises concurrent events of one job) and the event gets the next `seq`.
import type pg from 'pg';
import type { Db } from '../db/prisma.js';
import type { JobState, JobStatus, JobType } from '../generated/prisma/client.js';
import { prepared } from '../db/prepared.js';

const TYPES: Record<string, JobType> = {
  optimization: 'OPTIMIZATION',
  vision: 'VISION',
  batch: 'BATCH',
  training: 'TRAINING',
  inference: 'INFERENCE',
  model: 'MODEL',
};

const STATUSES: Record<string, JobStatus> = {
  submitted: 'SUBMITTED',
  started: 'RUNNING',
  progress: 'RUNNING',
  completed: 'COMPLETED',
  failed: 'FAILED',
  cancelled: 'CANCELLED',
  deployed: 'DEPLOYED',
  updated: 'UPDATED',
  deprecated: 'DEPRECATED',
};

const TERMINAL: ReadonlySet<JobStatus> = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

/** A job ends with its first `*.completed`, `*.failed` or `*.cancelled` event. */
export const isTerminalStatus = (status: JobStatus) => TERMINAL.has(status);
export const isTerminalEventType = (type: string) => /\.(completed|failed|cancelled)$/.test(type);

export type JobEvent = { projectId: string; eventId: string; type: string; data: Record<string, unknown>; timestamp: Date };

const INT_MAX = 2_147_483_647;
const count = (value: unknown) => (Number.isInteger(value) && (value as number) >= 0 && (value as number) <= INT_MAX ? (value as number) : null);
const real = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/**
 * Records an event in its job's state and returns the new state, or null for an event that is not about a job
 * (no `job_id`, or `webhook.test`). Progress fields an event leaves out keep their last value.
 */
export async function recordJobEvent(tx: pg.ClientBase, e: JobEvent): Promise<JobState | null> {
  const [category, action] = e.type.split('.') as [string, string];
  const type = TYPES[category];
  const status = STATUSES[action];
  const jobId = e.data.job_id;
  if (!type || !status || typeof jobId !== 'string') return null;
  const d = e.data;
  const { rows } = await tx.query<JobState>(
    prepared(`INSERT INTO job_states AS j (project_id, job_id, type, status, seq, last_event_id, last_event_type,
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
      e.projectId,
      jobId,
      type,
      status,
      e.eventId,
      e.type,
      count(d.total_images),
      count(d.processed_images),
      count(d.failed_images),
      real(d.progress_percent),
      count(d.round),
      count(d.total_rounds),
      real(d.accuracy),
      real(d.loss),
      e.timestamp,
    ]),
  );
  return rows[0]!;
}

export function findJobState(db: Db, projectId: string, jobId: string): Promise<JobState | null> {
  return db.jobState.findUnique({ where: { projectId_jobId: { projectId, jobId } } });
}
