import { ValidationError } from '../lib/errors.js';
import { findEventType } from './catalog.js';

/**
 * Checks an event against the catalog and the size limit; the error names the offending field, e.g.
 * `data.result.solution`.
 */
export function validateEvent(type: string, data: unknown, maxBytes = Number.POSITIVE_INFINITY): Record<string, unknown> {
  const entry = findEventType(type);
  if (!entry) throw new ValidationError(`Unknown event type "${type}"; see the eventTypes query`, 'type');
  const bytes = Buffer.byteLength(JSON.stringify(data ?? null), 'utf8');
  if (bytes > maxBytes) {
    throw new ValidationError(`data is ${bytes} bytes as JSON; the limit is ${maxBytes} (MAX_EVENT_BYTES)`, 'data');
  }
  const parsed = entry.schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = ['data', ...issue.path.map(String)].join('.');
  throw new ValidationError(`${field}: ${issue.message}`, field);
}
