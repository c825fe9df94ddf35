// Every event type the spec documents, plus `webhook.test`, with a description, a payload schema drawn from the
// spec's examples, and an example payload. Documented fields are typed; undocumented extra fields are allowed.
// The operational events (`webhook.failing`, `webhook.recovered`, `webhook.disabled`, `delivery.exhausted`) are the
// service's own, about its webhooks and deliveries: only the delivery recorder publishes them (publishEvent refuses
// them), they carry no job_id, and only a webhook that names them or their category (`webhook.*`, `delivery.*`)
// receives them, never one subscribed to `*` alone.
import { z } from 'zod';

/** Longest job_id accepted: it is indexed, and Postgres' index rows hold at most about 2.7 KB. */
export const MAX_JOB_ID_LENGTH = 256;
const jobId = z
  .string()
  .min(1, 'job_id must be a non-empty string')
  .max(MAX_JOB_ID_LENGTH, `job_id must be at most ${MAX_JOB_ID_LENGTH} characters`);
const base = z.looseObject({ job_id: jobId, status: z.string().optional() });
const failure = base.extend({ error: z.string().optional() });

const optimizationCompleted = base.extend({
  problem_type: z.string(),
  result: z.looseObject({
    solution: z.array(z.number()),
    objective_value: z.number(),
    approximation_ratio: z.number().optional(),
    execution_time: z.number().optional(),
  }),
});

const visionCompleted = base.extend({
  detections: z.array(
    z.looseObject({
      class_name: z.string(),
      confidence: z.number().min(0).max(1),
      bounding_box: z.looseObject({ x: z.number(), y: z.number(), width: z.number(), height: z.number() }),
    }),
  ),
});

const count = z.number().int().min(0);
const batchProgress = base.extend({
  total_images: count,
  processed_images: count,
  failed_images: count,
  progress_percent: z.number().min(0).max(100),
});

const trainingProgress = base.extend({
  round: z.number().int().min(0),
  total_rounds: z.number().int().min(1),
  accuracy: z.number(),
  loss: z.number(),
});

const webhookRef = z.looseObject({ webhook_id: z.string(), url: z.string() });
const webhookFailing = webhookRef.extend({
  consecutive_failures: count,
  last_status_code: z.number().int().nullable(),
  last_error: z.string().nullable(),
});
const webhookRecovered = webhookRef.extend({ consecutive_failures: count });
const webhookDisabled = webhookRef.extend({ reason: z.string(), delivery_id: z.string().nullable() });
const deliveryExhausted = z.looseObject({
  delivery_id: z.string(),
  event_id: z.string(),
  event_type: z.string(),
  webhook_id: z.string(),
  attempts: count,
});

const JOB = '550e8400-e29b-41d4-a716-446655440000';
const WEBHOOK = { webhook_id: 'wh_550e8400e29b41d4', url: 'https://example.com/webhooks' };

export type EventTypeEntry = {
  type: string;
  description: string;
  schema: z.ZodType<Record<string, unknown>>;
  example: Record<string, unknown>;
};

const entry = (
  type: string,
  description: string,
  schema: z.ZodType<Record<string, unknown>>,
  example: Record<string, unknown>,
): EventTypeEntry => ({ type, description, schema, example });

export const eventCatalog: readonly EventTypeEntry[] = [
  entry('optimization.submitted', 'Optimization job submitted', base, { job_id: JOB, status: 'submitted' }),
  entry('optimization.started', 'Optimization job started processing', base, { job_id: JOB, status: 'running' }),
  entry('optimization.completed', 'Optimization job completed', optimizationCompleted, {
    job_id: JOB,
    status: 'completed',
    problem_type: 'MAXCUT',
    result: { solution: [0, 1, 0, 1], objective_value: 8.0, approximation_ratio: 0.95, execution_time: 300 },
  }),
  entry('optimization.failed', 'Optimization job failed', failure, { job_id: JOB, status: 'failed', error: 'Solver diverged' }),
  entry('optimization.cancelled', 'Optimization job cancelled', base, { job_id: JOB, status: 'cancelled' }),
  entry('vision.submitted', 'Vision analysis submitted', base, { job_id: JOB, status: 'submitted' }),
  entry('vision.completed', 'Vision analysis completed', visionCompleted, {
    job_id: JOB,
    status: 'completed',
    detections: [
      { class_name: 'person', confidence: 0.95, bounding_box: { x: 100, y: 50, width: 200, height: 300 } },
    ],
  }),
  entry('vision.failed', 'Vision analysis failed', failure, { job_id: JOB, status: 'failed', error: 'Unreadable image' }),
  entry('batch.submitted', 'Batch analysis submitted', base, { job_id: JOB, status: 'submitted' }),
  entry('batch.completed', 'Batch analysis completed', base, { job_id: JOB, status: 'completed' }),
  entry('batch.progress', 'Batch analysis progress update', batchProgress, {
    job_id: JOB,
    total_images: 100,
    processed_images: 75,
    failed_images: 0,
    progress_percent: 75,
  }),
  entry('batch.failed', 'Batch analysis failed', failure, { job_id: JOB, status: 'failed', error: 'Storage unavailable' }),
  entry('training.started', 'Federated training started', base, { job_id: JOB, status: 'running' }),
  entry('training.progress', 'Training progress update', trainingProgress, {
    job_id: JOB,
    round: 5,
    accuracy: 0.92,
    loss: 0.23,
    total_rounds: 10,
  }),
  entry('training.completed', 'Training completed', base, { job_id: JOB, status: 'completed' }),
  entry('training.failed', 'Training failed', failure, { job_id: JOB, status: 'failed', error: 'Too few participants' }),
  entry('training.cancelled', 'Training cancelled', base, { job_id: JOB, status: 'cancelled' }),
  entry('inference.started', 'Inference job started', base, { job_id: JOB, status: 'running' }),
  entry('inference.completed', 'Inference completed', base, { job_id: JOB, status: 'completed' }),
  entry('inference.failed', 'Inference failed', failure, { job_id: JOB, status: 'failed', error: 'Model not loaded' }),
  entry('model.deployed', 'Model deployed to production', base, { job_id: JOB, status: 'deployed' }),
  entry('model.updated', 'Model updated', base, { job_id: JOB, status: 'updated' }),
  entry('model.deprecated', 'Model deprecated', base, { job_id: JOB, status: 'deprecated' }),
  entry('webhook.test', 'Test event sent on request to check an endpoint', base, { job_id: 'test', status: 'test' }),
];

/**
 * The service's own events, in the order one failing receiver causes them. A webhook is failing after this many
 * attempts in a row failed (announced once per streak); it has recovered at the first success after an announced streak.
 */
export const FAILING_AFTER_CONSECUTIVE_FAILURES = 3;
export const operationalEventCatalog: readonly EventTypeEntry[] = [
  entry(
    'webhook.failing',
    `A webhook's last ${FAILING_AFTER_CONSECUTIVE_FAILURES} attempts in a row failed (sent once per failing streak)`,
    webhookFailing,
    { ...WEBHOOK, consecutive_failures: 3, last_status_code: 500, last_error: 'The receiver answered 500' },
  ),
  entry('webhook.disabled', 'The service disabled a webhook after a delivery gave up on it', webhookDisabled, {
    ...WEBHOOK,
    reason: 'A delivery failed 6 attempts in a row (delivery del_9f8e7d6c5b4a3210)',
    delivery_id: 'del_9f8e7d6c5b4a3210',
  }),
  entry('delivery.exhausted', 'A delivery failed for good: no attempt is scheduled any more', deliveryExhausted, {
    delivery_id: 'del_9f8e7d6c5b4a3210',
    event_id: 'evt_0123456789abcdef',
    event_type: 'optimization.completed',
    webhook_id: WEBHOOK.webhook_id,
    attempts: 6,
  }),
  entry('webhook.recovered', 'A webhook answered again: its first success after a failing streak', webhookRecovered, {
    ...WEBHOOK,
    consecutive_failures: 4,
  }),
];

const operationalTypes = new Set(operationalEventCatalog.map((e) => e.type));
/** The service's own events (webhook.failing, …): never published through publishEvent, never about a job. */
export const isOperationalEventType = (type: string) => operationalTypes.has(type);
export const OPERATIONAL_EVENT_TYPES: readonly string[] = [...operationalTypes];

/** Every type a webhook may subscribe to: the job events, then the operational ones. */
export const allEventTypes: readonly EventTypeEntry[] = [...eventCatalog, ...operationalEventCatalog];

const byType = new Map(allEventTypes.map((e) => [e.type, e]));

export const findEventType = (type: string) => byType.get(type);

/** An event pattern is a catalog name, a category wildcard such as `vision.*` or `webhook.*`, or `*`. */
export function isValidEventPattern(pattern: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return allEventTypes.some((e) => e.type.startsWith(pattern.slice(0, -1)));
  return byType.has(pattern);
}

/**
 * Patterns that select `type`: the exact name, its category wildcard, and `*` (for an indexed array overlap). `*`
 * selects no operational event: a catch-all receiver of job events does not start getting the service's own.
 */
export function patternsMatching(type: string): string[] {
  const category = type.split('.')[0];
  return isOperationalEventType(type) ? [type, `${category}.*`] : [type, `${category}.*`, '*'];
}
