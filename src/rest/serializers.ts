// Database rows to the spec's snake_case JSON: lowercase statuses, ISO 8601 UTC timestamps to the second
// (the same form as the `timestamp` receivers get in each payload).
import type { AuditEvent, Delivery, DeliveryStatus, Event, Project, Recovery, Webhook, WebhookKind, WebhookStatus } from '../generated/prisma/client.js';
import type { ApiKey } from '../app/projects.js';
import { deliveryTimestamp } from '../app/deliveries.js';
import type { Published, PublishOutcome } from '../events/publisher.js';
import { DomainError } from '../app/errors.js';
import { describeError } from './errors.js';
import { wireTimestamp } from '../delivery/sending/payload.js';
import type { WebhookStats } from '../webhooks/stats.js';
import type { PulledMessage } from '../delivery/pull/stream.js';

const WEBHOOK_STATUS = { ACTIVE: 'active', DISABLED: 'disabled' } as const satisfies Record<WebhookStatus, string>;
export const DELIVERY_STATUS = {
  PENDING: 'pending',
  SUCCESS: 'success',
  RETRYING: 'retrying',
  FAILED: 'failed',
} as const satisfies Record<DeliveryStatus, string>;
export type RestDeliveryStatus = (typeof DELIVERY_STATUS)[DeliveryStatus];

const timestampOrNull = (date: Date | null) => (date ? wireTimestamp(date) : null);

export const WEBHOOK_KIND = { HTTP: 'http', LISTEN: 'listen', PULL: 'pull' } as const satisfies Record<WebhookKind, string>;
/** A kind as REST spells it, back to the domain's. */
export const KIND_OF = { http: 'HTTP', listen: 'LISTEN', pull: 'PULL' } as const satisfies Record<(typeof WEBHOOK_KIND)[WebhookKind], WebhookKind>;

export const webhookJson = (w: Webhook) => ({
  webhook_id: w.id,
  url: w.url,
  events: w.events,
  status: WEBHOOK_STATUS[w.status],
  description: w.description,
  filter: w.filter as Record<string, unknown> | null,
  kind: WEBHOOK_KIND[w.kind],
  disabled_reason: w.disabledReason,
  disabled_at: timestampOrNull(w.disabledAt),
  rate_limit_per_second: w.rateLimitPerSecond,
  header_names: w.headerNames,
  propagate_trace_context: w.propagateTraceContext,
  created_at: wireTimestamp(w.createdAt),
  updated_at: wireTimestamp(w.updatedAt),
});

export const webhookStatsJson = <W extends string>(webhookId: string, window: W, s: WebhookStats) => ({
  webhook_id: webhookId,
  window,
  since: wireTimestamp(s.since),
  attempts: s.attempts,
  successes: s.successes,
  failures: s.failures,
  success_rate: s.successRate,
  p50_response_time_ms: s.p50ResponseTimeMs,
  p95_response_time_ms: s.p95ResponseTimeMs,
  consecutive_failures: s.consecutiveFailures,
  last_success_at: timestampOrNull(s.lastSuccessAt),
  last_failure_at: timestampOrNull(s.lastFailureAt),
});

export const messageJson = (m: PulledMessage) => ({
  cursor: m.cursor,
  delivery_id: m.deliveryId,
  event_id: m.eventId,
  event_type: m.eventType,
  headers: m.headers,
  body: m.body,
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

/** One item of a batch publish: the accepted event with status 202, or the status and error that refused it. */
export const publishOutcomeJson = (outcome: PublishOutcome) => {
  if (outcome instanceof DomainError) {
    const { status, body } = describeError(outcome);
    return { status, ...body };
  }
  return { status: 202 as const, ...publishedJson(outcome) };
};

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
