import { ValidationError } from '../app/errors.js';
import { findJsonProblem, MAX_JSON_DEPTH } from '../lib/text.js';
import { findEventType, isOperationalEventType } from './catalog.js';

/** Longest idempotency key accepted: it is indexed, and Postgres' index rows hold at most about 2.7 KB. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 256;

/**
 * Checks an event against the catalog and the size limit; the error names the offending field, e.g.
 * `data.result.solution`. Nesting and strings are checked first, without recursion, so nothing recursive (size,
 * schema, jsonb) ever sees data nested deeper than MAX_JSON_DEPTH.
 */
export function validateEvent(type: string, data: unknown, maxBytes = Number.POSITIVE_INFINITY): Record<string, unknown> {
  const entry = findEventType(type);
  if (!entry) throw new ValidationError('eventType', (f) => `Unknown event type "${type}" in ${f}; see the eventTypes query`);
  const problem = findJsonProblem(data, MAX_JSON_DEPTH);
  if (problem) {
    const field = ['data', ...problem.path.map(String)].join('.');
    throw new ValidationError(field, (f) => `${f}: ${problem.message}`);
  }
  const bytes = Buffer.byteLength(JSON.stringify(data ?? null), 'utf8');
  if (bytes > maxBytes) {
    throw new ValidationError('data', (f) => `${f} is ${bytes} bytes as JSON; the limit is ${maxBytes} (MAX_EVENT_BYTES)`);
  }
  const parsed = entry.schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = ['data', ...issue.path.map(String)].join('.');
  throw new ValidationError(field, (f) => `${f}: ${issue.message}`);
}

/** Refuses what a backend may not publish: the service's own operational events (`webhook.failing`, …). */
export function validatePublishable(type: string): void {
  if (isOperationalEventType(type)) {
    throw new ValidationError(
      'eventType',
      (f) => `${f}: "${type}" is an operational event; only the service itself publishes it (subscribe a webhook to it instead)`,
    );
  }
}

export function validateIdempotencyKey(key: string): void {
  if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw new ValidationError(
      'idempotencyKey',
      (f) => `${f}: ${key.length} characters long; the limit is ${MAX_IDEMPOTENCY_KEY_LENGTH}`,
    );
  }
}
