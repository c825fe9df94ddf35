// The REST API's request and response schemas (zod). Fastify validates requests and serializes responses with
// them, and the OpenAPI document is generated from them. Business rules (URL policy, event catalog, secret
// length, ...) stay in the services: these schemas check shapes only, and the descriptions name the rules.
import { z } from 'zod';
import { AUDIT_ACTIONS } from '../app/audit.js';
import { SCOPES } from '../app/authorization.js';
import { MAX_API_KEY_NAME_LENGTH, MAX_PROJECT_NAME_LENGTH } from '../app/projects.js';
import { DEFAULT_TOKEN_TTL_SECONDS, MAX_TOKEN_IDS, MAX_TOKEN_TTL_SECONDS } from '../app/tokens.js';
import { MAX_BATCH_EVENTS } from '../app/events.js';
import { DEFAULT_PORTAL_TTL_SECONDS, MIN_PORTAL_TTL_SECONDS } from '../app/portal.js';
import { MAX_JOB_ID_LENGTH } from '../events/catalog.js';
import { MAX_IDEMPOTENCY_KEY_LENGTH } from '../events/validate.js';
import { MAX_JSON_DEPTH, textProblem } from '../lib/text.js';
import type { StatsWindow } from '../webhooks/stats.js';
import { MAX_FILTER_BYTES, MAX_FILTER_DEPTH } from '../webhooks/filter.js';
import { DEFAULT_GRACE_PERIOD_SECONDS, MAX_URL_LENGTH } from '../webhooks/validation.js';
import {
  MAX_HEADER_VALUE_LENGTH,
  MAX_HEADERS,
  MAX_RATE_LIMIT_PER_SECOND,
  MIN_RATE_LIMIT_PER_SECOND,
} from '../webhooks/endpoint-controls.js';
import type { ErrorCode } from './errors.js';

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 50;

/** A string the request may carry (body, path, query): one Postgres can store (see src/lib/text.ts). */
const text = () =>
  z.string().superRefine((value, ctx) => {
    const problem = textProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const timestamp = z
  .string()
  .regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
  .meta({ format: 'date-time', description: 'ISO 8601 UTC, to the second', examples: ['2024-01-15T10:30:00Z'] });

const ERROR_CODES = [
  'invalid_json',
  'bad_request',
  'unauthenticated',
  'forbidden',
  'not_found',
  'conflict',
  'payload_too_large',
  'unsupported_media_type',
  'validation_failed',
  'rate_limited',
  'internal_error',
] as const satisfies readonly ErrorCode[];

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES),
      message: z.string().meta({ description: 'For people; may change' }),
      field: z
        .string()
        .optional()
        .meta({ description: 'The input to fix, e.g. `url`, `events`, `data.job_id`, `limit`', examples: ['url'] }),
    }),
  })
  .meta({ id: 'Error', description: 'Every error response has this shape' });

// ---- webhooks

const webhookId = text().meta({ description: '`wh_` followed by 16 hex characters', examples: ['wh_550e8400e29b41d4'] });
const eventPatterns = z.array(text()).meta({
  description:
    'Event types to receive, e.g. `optimization.completed`; a category wildcard such as `vision.*`; or `*`. At least one, no repeats.',
  examples: [['optimization.completed', 'vision.completed', 'training.completed']],
});
const url = text().meta({
  description: `Absolute http(s) URL, at most ${MAX_URL_LENGTH} characters, without credentials (https only in production)`,
  examples: ['https://example.com/webhook'],
});
const description = text().meta({ description: 'Free text, at most 500 characters' });
const filter = z.record(z.string(), z.unknown()).meta({
  description:
    "A payload filter over the event's `data`: the webhook receives only the events of its types that match. Fields (objects " +
    'descend, arrays by index, a plain value means `$eq`) and the operators `$eq`, `$neq`, `$in`, `$nin`, `$gt`, `$gte`, `$lt`, ' +
    `\`$lte\`, \`$exists\`, \`$startsWith\`, \`$endsWith\`, \`$and\`, \`$or\`, \`$not\`; at most ${MAX_FILTER_DEPTH} levels deep and ${MAX_FILTER_BYTES} bytes. ` +
    'An invalid one is a 422 whose `field` is the path of the offending operator, e.g. `filter.result.approximation_ratio.$gte`',
  examples: [{ problem_type: 'MAXCUT', result: { approximation_ratio: { $gte: 0.9 } } }],
});

const WEBHOOK_KINDS = ['http', 'listen', 'pull'] as const;
const kind = z.enum(WEBHOOK_KINDS).meta({
  description:
    "Where deliveries go: `http` POSTs them to `url`; `listen` hands them to a connected listener (`aiplatform-webhooks listen`); `pull` keeps them for `GET /v1/webhooks/{webhook_id}/messages`",
});
const rateLimitPerSecond = z.number().meta({
  description: `Deliveries started per second at most, across every worker, a whole number from ${MIN_RATE_LIMIT_PER_SECOND} to ${MAX_RATE_LIMIT_PER_SECOND}; more wait their turn (never fail). null: no limit`,
  examples: [10],
});
const headers = z.record(text(), text().nullable()).meta({
  description:
    `Custom headers sent with every attempt, by name (at most ${MAX_HEADERS}; values printable ASCII, at most ${MAX_HEADER_VALUE_LENGTH} characters). ` +
    'Not the service\'s own headers (`content-*`, user-agent, signatures, `webhook-*`, traceparent) nor hop-by-hop ones (connection, host, `proxy-*`, ...). ' +
    'Values are sealed at rest and never shown again. The whole set is replaced; on update a null value keeps that header\'s current value; null or {} clears them',
  examples: [{ Authorization: 'Bearer 2f1c...' }],
});
const propagateTraceContext = z.boolean().meta({
  description: "Send the W3C `traceparent` of the delivery's trace to the receiver (default false)",
});

export const Webhook = z
  .object({
    webhook_id: webhookId,
    url: z.string().nullable().meta({ description: 'Where deliveries are POSTed; null unless `kind` is `http`' }),
    events: z.array(z.string()),
    status: z.enum(['active', 'disabled']).meta({ description: '`disabled` webhooks receive nothing until enabled' }),
    description: z.string().nullable(),
    filter: filter.nullable().meta({ description: 'The payload filter; null: every event of its types' }),
    kind,
    disabled_reason: z.string().nullable().meta({ description: 'Why the webhook was disabled' }),
    disabled_at: timestamp.nullable(),
    rate_limit_per_second: z.number().int().nullable().meta({ description: 'Deliveries started per second at most (null: no limit)' }),
    header_names: z.array(z.string()).meta({ description: 'The custom headers sent with every attempt; values are write-only' }),
    propagate_trace_context: z.boolean(),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: 'Webhook', description: 'An endpoint that receives signed POSTs for the events it subscribes to' });

export const CreatedWebhook = Webhook.extend({
  secret: z.string().optional().meta({
    description: 'The generated signing secret (`whsec_...`), present only when you did not send one; shown once',
  }),
}).meta({ id: 'CreatedWebhook', description: 'The new webhook; `secret` when it was generated' });

export const RotatedWebhook = Webhook.extend({
  secret: z.string().meta({ description: 'The new signing secret; shown once' }),
}).meta({ id: 'RotatedWebhook', description: 'The webhook and its new signing secret' });

/** A page chosen by `limit` and `offset`: its items under `key`, and how many there are in all. */
const offsetPage = <K extends string, T extends z.ZodType>(id: string, key: K, item: T, totalDescription: string) =>
  z
    .object({
      ...({ [key]: z.array(item) } as Record<K, z.ZodArray<T>>),
      total: z.number().int().meta({ description: totalDescription }),
      limit: z.number().int(),
      offset: z.number().int(),
    })
    .meta({ id });

export const WebhookList = offsetPage('WebhookList', 'webhooks', Webhook, 'How many webhooks the project has');

export const CreateWebhookBody = z
  .strictObject({
    kind: kind.optional().meta({ description: '`http` unless given; fixed once created' }),
    url: url.optional().meta({ description: 'Required for an `http` webhook, left out for the other kinds' }),
    events: eventPatterns,
    secret: text()
      .nullish()
      .meta({
        description:
          'Your signing secret, 16 to 256 characters (a shorter one is refused: one signed delivery would let it be guessed offline); one is generated (and returned) when omitted',
      }),
    description: description.nullish(),
    filter: filter.nullish(),
    rate_limit_per_second: rateLimitPerSecond.nullish(),
    headers: headers.nullish(),
    propagate_trace_context: propagateTraceContext.nullish(),
  })
  .meta({ id: 'CreateWebhook' });

export const UpdateWebhookBody = z
  .strictObject({
    url: url.optional(),
    events: eventPatterns.optional(),
    description: description.nullable().optional().meta({ description: 'Free text, at most 500 characters; null clears it' }),
    filter: filter.nullable().optional().meta({ description: 'A payload filter (as on create); null clears it' }),
    rate_limit_per_second: rateLimitPerSecond.nullable().optional(),
    headers: headers.nullable().optional(),
    propagate_trace_context: propagateTraceContext.optional(),
  })
  .refine(
    (body) => Object.keys(body).length > 0,
    'Send at least one of url, events, description, filter, rate_limit_per_second, headers, propagate_trace_context',
  )
  .meta({ id: 'UpdateWebhook', minProperties: 1 });

export const RotateSecretBody = z
  .strictObject({
    grace_period_seconds: z
      .number()
      .int()
      .min(0)
      .max(2_147_483_647)
      .optional()
      .meta({
        description: `How long deliveries stay signed with the old secret too; default ${DEFAULT_GRACE_PERIOD_SECONDS} (24 h)`,
      }),
  })
  .nullish()
  .meta({ id: 'RotateSecret' });

export const WebhookParams = z.object({ id: webhookId });

/** REST's spelling of the stats windows (src/webhooks/stats.ts). */
export const REST_STATS_WINDOWS = { '1h': 'HOUR', '24h': 'DAY', '7d': 'WEEK' } as const satisfies Record<string, StatsWindow>;

export const WebhookStatsQuery = z.object({
  window: z
    .enum(Object.keys(REST_STATS_WINDOWS) as [keyof typeof REST_STATS_WINDOWS, ...(keyof typeof REST_STATS_WINDOWS)[]])
    .default('24h')
    .meta({ description: 'The last hour (`1h`), day (`24h`, the default) or week (`7d`)' }),
});

export const WebhookStats = z
  .object({
    webhook_id: webhookId,
    window: WebhookStatsQuery.shape.window.unwrap(),
    since: timestamp.meta({ description: 'Where the window starts: the current minute (hour for `24h`, `7d`) and the 60 (24, 168) before it' }),
    attempts: z.number().int().meta({ description: 'Every attempt counts: scheduled, retried by hand, test' }),
    successes: z.number().int().meta({ description: 'Attempts answered with a 2xx' }),
    failures: z.number().int(),
    success_rate: z.number().nullable().meta({ description: 'Successes over attempts, 0 to 1; null without attempts' }),
    p50_response_time_ms: z.number().int().nullable().meta({ description: 'Median response time (errors and timeouts included), within 12%' }),
    p95_response_time_ms: z.number().int().nullable().meta({ description: '95th percentile, within 12%' }),
    consecutive_failures: z.number().int().meta({ description: 'Failed attempts since the last success, whatever the window' }),
    last_success_at: timestamp.nullable().meta({ description: 'When the newest successful attempt started' }),
    last_failure_at: timestamp.nullable().meta({ description: 'When the newest failed attempt started' }),
  })
  .meta({ id: 'WebhookStats', description: "A webhook's attempts over a window, and its health now" });

export const ListQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PAGE_SIZE)
    .default(DEFAULT_PAGE_SIZE)
    .meta({ description: `Page size, 1 to ${MAX_PAGE_SIZE}` }),
  offset: z.coerce.number().int().min(0).default(0).meta({ description: 'How many to skip' }),
});

// ---- deliveries

export const Delivery = z
  .object({
    delivery_id: z.string().meta({ examples: ['del_550e8400e29b41d4'] }),
    webhook_id: z.string(),
    event_id: z.string().meta({ examples: ['evt_550e8400e29b41d4'] }),
    event_type: z.string().meta({ examples: ['optimization.completed'] }),
    status: z.enum(['pending', 'success', 'retrying', 'failed']).meta({
      description:
        '`pending`: queued, no attempt yet; `success`: answered 2xx; `retrying`: failed, another attempt is scheduled; `failed`: no attempt left',
    }),
    status_code: z.number().int().nullable().meta({ description: "The last attempt's HTTP status" }),
    timestamp: timestamp.meta({ description: 'When the last attempt was made (when the delivery was queued, before that)' }),
    response_time_ms: z.number().int().nullable(),
    attempt_count: z.number().int(),
    next_attempt_at: timestamp.nullable().meta({ description: 'When the next attempt is due' }),
    created_at: timestamp,
  })
  .meta({ id: 'Delivery', description: 'One event on its way to one webhook' });

/** Where a newest-first list goes on (src/rest/cursor.ts). */
const nextCursor = z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null on the last page' });

export const DeliveryList = z
  .object({
    deliveries: z.array(Delivery),
    total: z.number().int().meta({ description: 'How many deliveries match the filters' }),
    limit: z.number().int(),
    offset: z.number().int().optional().meta({ description: 'Present when the page was chosen by offset' }),
    next_cursor: nextCursor,
  })
  .meta({ id: 'DeliveryList' });

export const DeliveryQuery = ListQuery.extend({
  offset: z.coerce.number().int().min(0).optional().meta({ description: 'How many to skip; not with `cursor`' }),
  cursor: text().optional().meta({ description: '`next_cursor` of the previous page; not with `offset`' }),
  status: z.enum(['pending', 'success', 'retrying', 'failed']).optional(),
  event_type: text().optional().meta({ examples: ['optimization.completed'] }),
}).refine((q) => q.offset === undefined || q.cursor === undefined, {
  message: 'Page with offset or with cursor, not both',
  path: ['cursor'],
});

export const DeliveryParams = z.object({
  id: webhookId,
  delivery_id: text().meta({ description: '`del_` followed by 16 hex characters', examples: ['del_550e8400e29b41d4'] }),
});

// ---- messages (pull webhooks)

const messageCursor = text().meta({
  description: "Opaque: a message's `cursor` or a read's `next_cursor`, for this webhook only",
  examples: ['m1.WyJ3aF81NTBlODQwMGUyOWI0MWQ0IiwiNzQ4IiwiMTIiLDE3MDUzMTQ2MDAwMDBd'],
});

export const MessageQuery = z.object({
  after: messageCursor.optional().meta({ description: 'Read after this cursor; without it, from the oldest unacknowledged message' }),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(MAX_PAGE_SIZE).meta({ description: `At most this many messages, 1 to ${MAX_PAGE_SIZE}` }),
  wait: z.coerce
    .number()
    .int()
    .min(0)
    .max(30)
    .default(0)
    .meta({ description: 'Seconds to wait for a message when there is none yet, 0 to 30 (long polling)' }),
});

export const Message = z
  .object({
    cursor: messageCursor,
    delivery_id: z.string().meta({ description: 'The delivery; also the `webhook-id` header (Standard Webhooks message id)' }),
    event_id: z.string(),
    event_type: z.string(),
    headers: z.record(z.string(), z.string()).meta({ description: 'The headers an HTTP receiver would get, signed at this read' }),
    body: z.string().meta({ description: 'The exact request body the headers sign: verify it as received, then parse it' }),
  })
  .meta({ id: 'Message' });

export const MessageList = z
  .object({
    messages: z.array(Message),
    next_cursor: messageCursor.meta({ description: 'Pass as `after` for the next read (also when no message came)' }),
  })
  .meta({ id: 'MessageList' });

export const AcknowledgeBody = z
  .strictObject({ cursor: messageCursor.meta({ description: 'Acknowledge every message up to this one, inclusive' }) })
  .meta({ id: 'AcknowledgeMessages' });

export const Acknowledged = z
  .object({ acknowledged: z.number().int().meta({ description: 'How many messages this call settled (0 when repeated)' }) })
  .meta({ id: 'AcknowledgedMessages' });

// ---- events

export const PublishEventBody = z
  .strictObject({
    event_type: text().meta({ description: 'A documented event type', examples: ['batch.progress'] }),
    data: z.record(z.string(), z.unknown()).meta({
      description: `The event's payload as receivers get it; must include \`job_id\` (at most ${MAX_JOB_ID_LENGTH} characters), and the documented fields of its type; objects and arrays nest at most ${MAX_JSON_DEPTH} levels deep, and no string holds a NUL character or a lone surrogate`,
      examples: [{ job_id: '550e8400-e29b-41d4-a716-446655440000', total_images: 100, processed_images: 75, failed_images: 0, progress_percent: 75 }],
    }),
    idempotency_key: text().nullish().meta({
      description: `At most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters. Publishing again with the same key within 24 h returns the first event and sends nothing; the same key with a different event_type or data is a 409`,
    }),
  })
  .meta({ id: 'PublishEvent' });

export const AcceptedEvent = z
  .object({
    event_id: z.string().meta({ examples: ['evt_550e8400e29b41d4'] }),
    event_type: z.string(),
    timestamp,
    delivery_count: z.number().int().meta({ description: 'How many webhooks will receive the event' }),
  })
  .meta({ id: 'AcceptedEvent' });

export const PublishEventsBody = z
  .strictObject({
    events: z.array(PublishEventBody).meta({
      description: `1 to ${MAX_BATCH_EVENTS} events, published in one transaction and answered one by one, in this order`,
    }),
  })
  .meta({ id: 'PublishEvents' });

const BatchItemError = z
  .object({
    status: z.union([z.literal(409), z.literal(422)]).meta({ description: '422: the item is invalid; 409: its idempotency key names a different event' }),
    error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }),
  })
  .meta({ id: 'PublishEventsItemError', description: 'An item refused: it wrote nothing; the others are not affected' });

export const PublishedEvents = z
  .object({
    results: z.array(z.union([AcceptedEvent.extend({ status: z.literal(202) }), BatchItemError])).meta({
      description: 'One per event sent, in the same order: `status` 202 and the accepted event, or the error that refused it',
    }),
  })
  .meta({ id: 'PublishedEvents' });
// ---- time windows, the event log, project-wide deliveries, recoveries

/** An instant a window starts or ends at, as a request gives it. */
const instant = z
  .string()
  .regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?Z$/, 'must be an ISO 8601 UTC time such as 2024-01-15T10:30:00Z')
  .meta({ format: 'date-time', examples: ['2024-01-15T10:30:00Z'] });

const windowQuery = {
  since: instant.optional().meta({ description: 'From then (included); not after `until`' }),
  until: instant.optional().meta({ description: 'To then (excluded); at most the retention after `since`' }),
};

const cursorQuery = ListQuery.pick({ limit: true }).extend({
  cursor: text().optional().meta({ description: '`next_cursor` of the previous page' }),
});

export const Event = z
  .object({
    event_id: z.string().meta({ examples: ['evt_550e8400e29b41d4'] }),
    event_type: z.string().meta({ examples: ['batch.progress'] }),
    job_id: z.string().nullable(),
    timestamp,
    data: z.record(z.string(), z.unknown()).meta({ description: "The event's payload, as published" }),
  })
  .meta({ id: 'Event', description: 'An event as published' });

export const EventList = z.object({ events: z.array(Event), limit: z.number().int(), next_cursor: nextCursor }).meta({ id: 'EventList' });

export const EventQuery = cursorQuery.extend({
  event_type: text().optional().meta({ examples: ['batch.progress'] }),
  job_id: text().optional(),
  ...windowQuery,
});

export const EventParams = z.object({
  event_id: text().meta({ description: '`evt_` followed by 16 hex characters', examples: ['evt_550e8400e29b41d4'] }),
});

export const ProjectDeliveryList = z
  .object({ deliveries: z.array(Delivery), limit: z.number().int(), next_cursor: nextCursor })
  .meta({ id: 'ProjectDeliveryList' });

export const ProjectDeliveryQuery = cursorQuery.extend({
  webhook_id: text().optional(),
  event_id: text().optional(),
  status: z.enum(['pending', 'success', 'retrying', 'failed']).optional(),
  event_type: text().optional().meta({ examples: ['optimization.completed'] }),
  ...windowQuery,
});

const deliveryStatuses = z.array(z.enum(['pending', 'success', 'retrying', 'failed']));

export const RecoverBody = z
  .strictObject({
    since: instant.meta({ description: 'Deliveries created from then (included)' }),
    until: instant.meta({ description: 'to then (excluded); not before `since`, and at most the retention after it' }),
    statuses: deliveryStatuses.optional().meta({ description: 'With one of these statuses; `["failed"]` when omitted' }),
  })
  .meta({ id: 'Recover' });

export const Recovery = z
  .object({
    recovery_id: z.string().meta({ examples: ['rcv_550e8400e29b41d4'] }),
    webhook_id: z.string(),
    since: timestamp,
    until: timestamp,
    statuses: deliveryStatuses,
    deliveries: z.number().int().meta({ description: 'How many deliveries matched when the recovery was asked for' }),
    requeued: z.number().int().meta({ description: 'How many have been queued for another attempt so far' }),
    state: z.enum(['running', 'completed']),
    created_at: timestamp,
    completed_at: timestamp.nullable(),
  })
  .meta({ id: 'Recovery', description: "The deliveries of one webhook's window attempted again, at a bounded rate" });

export const RecoveryParams = z.object({
  recovery_id: text().meta({ description: '`rcv_` followed by 16 hex characters', examples: ['rcv_550e8400e29b41d4'] }),
});

// ---- projects and API keys

const projectId = text().meta({ description: '`prj_` followed by 16 hex characters', examples: ['prj_550e8400e29b41d4'] });
const projectName = text().meta({
  description: `Unique, at most ${MAX_PROJECT_NAME_LENGTH} characters (surrounding spaces are trimmed)`,
  examples: ['acme'],
});
const scopes = z.array(z.string()).meta({
  description: `What the key may do: any of ${SCOPES.map((scope) => `\`${scope}\``).join(', ')}`,
  examples: [['webhooks:read', 'deliveries:read']],
});

export const Project = z
  .object({ project_id: projectId, name: z.string(), created_at: timestamp })
  .meta({ id: 'Project', description: 'A tenant: its keys, webhooks, events and deliveries are its own' });

export const ProjectList = offsetPage('ProjectList', 'projects', Project, 'How many projects there are');

export const ProjectBody = z.strictObject({ name: projectName }).meta({ id: 'ProjectName' });

export const ProjectParams = z.object({ project_id: projectId });

export const ApiKey = z
  .object({
    api_key_id: z.string().meta({ examples: ['key_550e8400e29b41d4'] }),
    project_id: z.string(),
    name: z.string(),
    prefix: z.string().meta({ description: 'The first characters of the key, to recognise it' }),
    scopes: z.array(z.string()),
    created_at: timestamp,
    revoked_at: timestamp.nullable(),
  })
  .meta({ id: 'ApiKey', description: 'A key of a project (never the key itself: only its hash is stored)' });

export const CreatedApiKey = z
  .object({
    api_key_id: z.string().meta({ examples: ['key_550e8400e29b41d4'] }),
    key: z.string().meta({ description: 'The key (`aip_...`), for `Authorization: Bearer`; shown only now' }),
    project_id: z.string(),
    scopes: z.array(z.string()),
    name: z.string(),
    created_at: timestamp,
  })
  .meta({ id: 'CreatedApiKey', description: 'The new key; store it now, it is not shown again' });

export const ApiKeyList = z.object({ api_keys: z.array(ApiKey) }).meta({ id: 'ApiKeyList' });

export const CreateApiKeyBody = z
  .strictObject({
    name: text().optional().meta({ description: `A label, at most ${MAX_API_KEY_NAME_LENGTH} characters; \`default\` when omitted` }),
    scopes: scopes.optional().meta({
      description: "What the key may do; every project scope when omitted. Only scopes the caller's key holds",
    }),
  })
  .nullish()
  .meta({ id: 'CreateApiKey' });

export const ApiKeyParams = ProjectParams.extend({
  api_key_id: text().meta({ description: '`key_` followed by 16 hex characters', examples: ['key_550e8400e29b41d4'] }),
});

// ---- the audit trail

export const AuditEvent = z
  .object({
    audit_event_id: z.string().meta({ examples: ['aud_550e8400e29b41d4'] }),
    action: z.string().meta({
      description: `What was done: ${AUDIT_ACTIONS.map((action) => `\`${action}\``).join(', ')}`,
      examples: ['webhook.created'],
    }),
    resource_type: z.string().meta({ description: '`webhook`, `delivery`, `recovery`, `event`, `project` or `api_key`', examples: ['webhook'] }),
    resource_id: z.string().meta({ examples: ['wh_550e8400e29b41d4'] }),
    api_key_id: z.string().meta({ description: 'The key that did it (or that minted the token that did it)' }),
    details: z.record(z.string(), z.unknown()).meta({
      description: "What changed (e.g. a renamed project's `from` and `to`); never a secret, a key or a token",
    }),
    created_at: timestamp,
  })
  .meta({ id: 'AuditEvent', description: 'One write made through the API, and the key that made it' });

export const AuditEventList = z
  .object({
    audit_events: z.array(AuditEvent),
    next_cursor: nextCursor,
  })
  .meta({ id: 'AuditEventList' });

export const AuditEventQuery = ListQuery.pick({ limit: true }).extend({
  cursor: text().optional().meta({ description: '`next_cursor` of the previous page' }),
});

// ---- access tokens

export const CreateAccessTokenBody = z
  .strictObject({
    scopes: scopes.meta({
      description: "What the token may do: scopes the caller's key holds, never `platform`",
      examples: [['jobs:read']],
    }),
    job_ids: z.array(text()).optional().meta({
      description: `Only these jobs (their state and live progress); at most ${MAX_TOKEN_IDS}. Every job of the project when omitted`,
    }),
    webhook_ids: z.array(text()).optional().meta({
      description: `Only these webhooks and their deliveries; at most ${MAX_TOKEN_IDS}. Every webhook of the project when omitted`,
    }),
    ttl_seconds: z.number().optional().meta({
      description: `How long the token works, 1 to ${MAX_TOKEN_TTL_SECONDS} seconds; ${DEFAULT_TOKEN_TTL_SECONDS} when omitted`,
      examples: [DEFAULT_TOKEN_TTL_SECONDS],
    }),
  })
  .meta({ id: 'CreateAccessToken' });

export const AccessToken = z
  .object({
    token: z.string().meta({ description: 'For `Authorization: Bearer` (HTTP, SSE) and graphql-ws `connection_init`' }),
    expires_at: timestamp,
  })
  .meta({ id: 'AccessToken', description: 'A short-lived token; it stops working at `expires_at` or when the key that minted it is revoked' });

export const CreatePortalLinkBody = z
  .strictObject({
    mode: z.string().meta({
      description: '`read_only` (webhooks, deliveries and jobs, read) or `manage` (also change webhooks and retry deliveries)',
      examples: ['read_only'],
    }),
    ttl_seconds: z.number().optional().meta({
      description: `How long the link works, ${MIN_PORTAL_TTL_SECONDS} to ${MAX_TOKEN_TTL_SECONDS} seconds; ${DEFAULT_PORTAL_TTL_SECONDS} when omitted`,
      examples: [DEFAULT_PORTAL_TTL_SECONDS],
    }),
  })
  .meta({ id: 'CreatePortalLink' });

export const PortalLink = z
  .object({
    url: z.string().meta({ description: 'The dashboard for the project, its token in the fragment (`#token=…`)' }),
    expires_at: timestamp,
  })
  .meta({ id: 'PortalLink', description: 'A customer portal link; it stops working at `expires_at` or when the key that made it is revoked' });

// ---- response helpers

/** A JSON response with a description, as the OpenAPI document shows it. */
export const json = <T extends z.ZodType>(description: string, schema: T) => ({
  description,
  content: { 'application/json': { schema } },
});

const ERROR_DESCRIPTIONS = {
  400: 'Malformed JSON',
  401: 'Missing or invalid API key or access token (or an expired token)',
  403: "The API key lacks the scope this call needs, or may not act in the project `X-Project-Id` names",
  404: 'No such webhook or delivery in your project (no such project or key, on the platform routes)',
  409: 'Conflicts with what is stored (an idempotency key reused for a different event, a project name taken)',
  413: 'Request body larger than 1 MiB',
  415: 'Request body not sent as application/json',
  422: 'Invalid input; `field` names it',
  429: 'Rate limit exceeded for this API key; see Retry-After',
} as const;

/** Error responses of a route: the ones every authenticated route has, plus `extra`. */
export const errors = (...extra: (keyof typeof ERROR_DESCRIPTIONS)[]) =>
  Object.fromEntries(
    [401, 403, 429, ...extra].map((status) => [status, json(ERROR_DESCRIPTIONS[status as keyof typeof ERROR_DESCRIPTIONS], ErrorBody)]),
  );
/** The errors a route with a JSON body can answer. */
export const bodyErrors = [400, 413, 415, 422] as const;
