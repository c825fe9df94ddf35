// A job's latest known state, kept up to date by the events published for it (the rules; the upsert that applies
// them, in the publishing transaction, is `UPSERT_JOB_STATE` in src/db/sql/job-states.ts).
import type { JobStatus, JobType } from '../generated/prisma/client.js';

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

/**
 * What an event changes in its job's state. A progress field is null when the event does not report it (or reports
 * something that is not a count, or not a finite number): the job keeps its last value.
 */
export type JobStateChange = {
  projectId: string;
  jobId: string;
  type: JobType;
  status: JobStatus;
  eventId: string;
  eventType: string;
  progress: {
    totalImages: number | null;
    processedImages: number | null;
    failedImages: number | null;
    progressPercent: number | null;
    round: number | null;
    totalRounds: number | null;
    accuracy: number | null;
    loss: number | null;
  };
  at: Date;
};

const INT_MAX = 2_147_483_647;
const count = (value: unknown) =>
  Number.isInteger(value) && (value as number) >= 0 && (value as number) <= INT_MAX ? (value as number) : null;
const real = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/** The change an event makes, or null for an event that is not about a job (no `job_id`, or `webhook.test`). */
export function jobStateChange(e: JobEvent): JobStateChange | null {
  const [category, action] = e.type.split('.') as [string, string];
  const type = TYPES[category];
  const status = STATUSES[action];
  const d = e.data;
  if (!type || !status || typeof d.job_id !== 'string') return null;
  return {
    projectId: e.projectId,
    jobId: d.job_id,
    type,
    status,
    eventId: e.eventId,
    eventType: e.type,
    progress: {
      totalImages: count(d.total_images),
      processedImages: count(d.processed_images),
      failedImages: count(d.failed_images),
      progressPercent: real(d.progress_percent),
      round: count(d.round),
      totalRounds: count(d.total_rounds),
      accuracy: real(d.accuracy),
      loss: real(d.loss),
    },
    at: e.timestamp,
  };
}
