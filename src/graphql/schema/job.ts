import { ForbiddenError, NotFoundError } from '../../app/errors.js';
import type { JobState } from '../../generated/prisma/client.js';
import { builder } from '../builder.js';

export const JobType = builder.enumType('JobType', {
  description: "The kind of job, from its events' type (`batch.progress` is about a BATCH job)",
  values: {
    OPTIMIZATION: {},
    VISION: {},
    BATCH: { description: 'Batch image analysis' },
    TRAINING: { description: 'Federated training' },
    INFERENCE: {},
    MODEL: { description: 'Model deployment' },
  } as const,
});

export const JobStatus = builder.enumType('JobStatus', {
  description: "Where a job stands, from its latest event's type",
  values: {
    SUBMITTED: { description: '*.submitted' },
    RUNNING: { description: '*.started or *.progress' },
    COMPLETED: { description: '*.completed (terminal)' },
    FAILED: { description: '*.failed (terminal)' },
    CANCELLED: { description: '*.cancelled (terminal)' },
    DEPLOYED: { description: 'model.deployed' },
    UPDATED: { description: 'model.updated' },
    DEPRECATED: { description: 'model.deprecated' },
  } as const,
});

const progressNote = 'the last value any of its events reported; null until one did';

export const Job = builder.objectRef<JobState>('Job').implement({
  description: 'The latest known state of a job, kept by the events published with its job_id',
  fields: (t) => ({
    jobId: t.exposeID('jobId'),
    type: t.expose('type', { type: JobType }),
    status: t.expose('status', { type: JobStatus }),
    lastEventType: t.exposeString('lastEventType'),
    lastEvent: t.prismaField({
      type: 'Event',
      nullable: true,
      description: 'Null once the event is past retention',
      resolve: (query, job, _args, ctx) => ctx.jobs.lastEvent(ctx.principal, job, query),
    }),
    totalImages: t.exposeInt('totalImages', { nullable: true, description: `Batch: ${progressNote}` }),
    processedImages: t.exposeInt('processedImages', { nullable: true, description: `Batch: ${progressNote}` }),
    failedImages: t.exposeInt('failedImages', { nullable: true, description: `Batch: ${progressNote}` }),
    progressPercent: t.exposeFloat('progressPercent', { nullable: true, description: `Batch: ${progressNote}` }),
    round: t.exposeInt('round', { nullable: true, description: `Training: ${progressNote}` }),
    totalRounds: t.exposeInt('totalRounds', { nullable: true, description: `Training: ${progressNote}` }),
    accuracy: t.exposeFloat('accuracy', { nullable: true, description: `Training: ${progressNote}` }),
    loss: t.exposeFloat('loss', { nullable: true, description: `Training: ${progressNote}` }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When its first event was published' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When its latest event was published' }),
  }),
});

export const BatchProgress = builder.objectRef<JobState>('BatchProgress').implement({
  description: 'A batch job as its progress bar shows it',
  fields: (t) => ({
    jobId: t.exposeID('jobId'),
    status: t.expose('status', { type: JobStatus }),
    totalImages: t.exposeInt('totalImages', { nullable: true }),
    processedImages: t.exposeInt('processedImages', { nullable: true }),
    failedImages: t.exposeInt('failedImages', { nullable: true }),
    progressPercent: t.exposeFloat('progressPercent', { nullable: true }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

export const TrainingProgress = builder.objectRef<JobState>('TrainingProgress').implement({
  description: 'A training job, round by round',
  fields: (t) => ({
    jobId: t.exposeID('jobId'),
    status: t.expose('status', { type: JobStatus }),
    round: t.exposeInt('round', { nullable: true }),
    totalRounds: t.exposeInt('totalRounds', { nullable: true }),
    accuracy: t.exposeFloat('accuracy', { nullable: true }),
    loss: t.exposeFloat('loss', { nullable: true }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

builder.queryField('job', (t) =>
  t.field({
    type: Job,
    description: 'A job of your project, by the job_id its events carry',
    args: { jobId: t.arg.id({ required: true }) },
    errors: { types: [NotFoundError, ForbiddenError], directResult: true },
    resolve: (_root, { jobId }, ctx) => ctx.jobs.get(ctx.principal, String(jobId)),
  }),
);
