// Database rows to the spec's snake_case JSON: lowercase statuses, ISO 8601 UTC timestamps to the second
// (the same form as the `timestamp` receivers get in each payload).
import type { AuditEvent, Delivery, DeliveryStatus, Event, Project, Recovery, Webhook, WebhookStatus } from '../generated/prisma/client.js';
import type { ApiKey } from '../app/projects.js';
import { deliveryTimestamp } from '../app/deliveries.js';
import type { Published } from '../events/publisher.js';
import { wireTimestamp } from '../delivery/sending/payload.js';

const WEBHOOK_STATUS = { ACTIVE: 'active', DISABLED: 'disabled' } as const satisfies Record<WebhookStatus, string>;
export const DELIVERY_STATUS = {
  PENDING: 'pending',
  SUCCESS: 'success',
  RETRYING: 'retrying',
  FAILED: 'failed',
} as const satisfies Record<DeliveryStatus, string>;
export type RestDeliveryStatus = (typeof DELIVERY_STATUS)[DeliveryStatus];

const timestampOrNull = (date: Date | null) => (date ? wireTimestamp(date) : null);

export const webhookJson = (w: Webhook) => ({
  webhook_id: w.id,
  url: w.url,
  events: w.events,
  status: WEBHOOK_STATUS[w.status],
  description: w.description,
  disabled_reason: w.disabledReason,
  disabled_at: timestampOrNull(w.disabledAt),
  created_at: wireTimestamp(w.createdAt),
  updated_at: wireTimestamp(w.updatedAt),
});

export const deliveryJson = (d: Delivery) => ({
  delivery_id: d.id,
  webhook_id: d.webhookId,
  event_id: d.eventId,
  event_type: d.eventType,
  status: DELIVERY_STATUS[d.status],
  status_code: d.statusCode,
  timestamp: wireTimestamp(deliveryTimestamp(d)),
  response_time_ms: d.responseTimeMs,
  attempt_count: d.attemptCount,
  next_attempt_at: timestampOrNull(d.nextAttemptAt),
  created_at: wireTimestamp(d.createdAt),
});

export const publishedJson = ({ event, deliveryCount }: Published) => ({
  event_id: event.id,
  event_type: event.type,
  timestamp: wireTimestamp(event.timestamp),
  delivery_count: deliveryCount,
});

export const eventJson = (e: Event) => ({
  event_id: e.id,
  event_type: e.type,
  job_id: e.jobId,
  timestamp: wireTimestamp(e.timestamp),
  data: e.data as Record<string, unknown>,
});

export const recoveryJson = (r: Recovery) => ({
  recovery_id: r.id,
  webhook_id: r.webhookId,
  since: wireTimestamp(r.since),
  until: wireTimestamp(r.until),
  statuses: r.statuses.map((status) => DELIVERY_STATUS[status]),
  deliveries: r.total,
  requeued: r.requeued,
  state: r.state === 'RUNNING' ? ('running' as const) : ('completed' as const),
  created_at: wireTimestamp(r.createdAt),
  completed_at: timestampOrNull(r.completedAt),
});

export const projectJson = (p: Project) => ({
  project_id: p.id,
  name: p.name,
  created_at: wireTimestamp(p.createdAt),
});

export const apiKeyJson = (k: ApiKey) => ({
  api_key_id: k.id,
  project_id: k.projectId,
  name: k.name,
  prefix: k.prefix,
  scopes: k.scopes,
  created_at: wireTimestamp(k.createdAt),
  revoked_at: timestampOrNull(k.revokedAt),
});

export const createdApiKeyJson = ({ key, apiKey }: { key: string; apiKey: ApiKey }) => ({
  api_key_id: apiKey.id,
  key,
  project_id: apiKey.projectId,
  scopes: apiKey.scopes,
  name: apiKey.name,
  created_at: wireTimestamp(apiKey.createdAt),
});

export const auditEventJson = (e: AuditEvent) => ({
  audit_event_id: e.id,
  action: e.action,
  resource_type: e.resourceType,
  resource_id: e.resourceId,
  api_key_id: e.apiKeyId,
  details: e.details as Record<string, unknown>,
  created_at: wireTimestamp(e.createdAt),
});

/**
 * A page chosen by `limit` and `offset` (REST's list query), as JSON: the rows `list` finds under `key`, and the total
 * `count` finds.
 */
export async function offsetPageJson<K extends string, T, J>(
  key: K,
  { limit, offset }: { limit: number; offset: number },
  list: (page: { take: number; skip: number }) => Promise<T[]>,
  count: () => Promise<number>,
  toJson: (row: T) => J,
) {
  const [rows, total] = await Promise.all([list({ take: limit, skip: offset }), count()]);
  return { ...({ [key]: rows.map(toJson) } as Record<K, J[]>), total, limit, offset };
}

export const portalLinkJson = ({ url, expiresAt }: { url: string; expiresAt: Date }) => ({
  url,
  expires_at: wireTimestamp(expiresAt),
});

export const accessTokenJson = ({ token, expiresAt }: { token: string; expiresAt: Date }) => ({
  token,
  expires_at: wireTimestamp(expiresAt),
});
