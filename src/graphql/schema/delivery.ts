import { deliveryTimestamp, type DeliveryListFilter } from '../../app/deliveries.js';
import { attemptRequest } from '../../delivery/sending/attempt-request.js';
import { ERROR_KINDS } from '../../delivery/sending/http-client.js';
import { ForbiddenError, NotFoundError } from '../../app/errors.js';
import type { PositionedDelivery } from '../../live/updates.js';
import { builder } from '../builder.js';

export const DeliveryStatus = builder.enumType('DeliveryStatus', {
  values: {
    PENDING: { description: 'Queued; no attempt made yet' },
    SUCCESS: { description: 'The receiver answered 2xx' },
    RETRYING: { description: 'Failed; another attempt is scheduled (see nextAttemptAt)' },
    FAILED: {
      description:
        'Failed and no further attempt is scheduled; can be retried by hand. With no attempt: never sent, because its webhook was disabled before the attempt',
    },
  } as const,
});

/** What an attempt's request is rebuilt from besides its own row (src/delivery/sending/attempt-request.ts). */
const REQUEST_SOURCES = {
  delivery: {
    select: { id: true, webhookId: true, eventId: true, event: { select: { id: true, type: true, timestamp: true, data: true } } },
  },
} as const;

builder.prismaObject('DeliveryAttempt', {
  description: 'One POST to the receiver, as sent and as answered',
  fields: (t) => ({
    number: t.exposeInt('number', { description: '1 for the first attempt' }),
    startedAt: t.expose('startedAt', { type: 'DateTime' }),
    durationMs: t.exposeInt('durationMs'),
    requestHeaders: t.field({
      type: 'JSON',
      description:
        'As sent, but with the signatures redacted to their scheme: x-webhook-signature "[redacted]", webhook-signature "v1,[redacted]" (one per signing secret); custom headers\' values "[redacted]"',
      select: REQUEST_SOURCES,
      resolve: (attempt) => attemptRequest(attempt).headers,
    }),
    requestBody: t.string({ select: REQUEST_SOURCES, resolve: (attempt) => attemptRequest(attempt).body }),
    responseStatus: t.exposeInt('responseStatus', { nullable: true }),
    responseHeaders: t.expose('responseHeaders', { type: 'JSON', nullable: true }),
    responseBody: t.exposeString('responseBody', { nullable: true, description: 'At most 64 KiB' }),
    responseBodyTruncated: t.exposeBoolean('responseBodyTruncated', {
      description: 'True when the receiver sent more than 64 KiB',
    }),
    errorKind: t.exposeString('errorKind', {
      nullable: true,
      description: `Why the attempt failed, null when it succeeded: ${ERROR_KINDS.join(', ')}`,
    }),
    errorMessage: t.exposeString('errorMessage', { nullable: true }),
  }),
});

export const Delivery = builder.prismaObject('Delivery', {
  description: 'One event on its way to one webhook, with every attempt made',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'del_ followed by 16 hex characters' }),
    event: t.relation('event'),
    webhook: t.relation('webhook'),
    eventType: t.exposeString('eventType'),
    status: t.expose('status', { type: DeliveryStatus }),
    statusCode: t.exposeInt('statusCode', { nullable: true, description: "The last attempt's HTTP status" }),
    timestamp: t.field({
      type: 'DateTime',
      description: 'When the last attempt started; before the first attempt, when the delivery was queued',
      resolve: (delivery) => deliveryTimestamp(delivery),
    }),
    responseTimeMs: t.exposeInt('responseTimeMs', { nullable: true }),
    attemptCount: t.exposeInt('attemptCount'),
    position: t.string({
      nullable: true,
      description:
        'In deliveryUpdates: where this change stands in the webhook\'s stream, to pass as `after` to resume right after it. Null elsewhere',
      resolve: (delivery) => (delivery as Partial<PositionedDelivery>).position ?? null,
    }),
    nextAttemptAt: t.expose('nextAttemptAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    attempts: t.relation('attempts', { query: { orderBy: { number: 'asc' } } }),
  }),
});

builder.queryFields((t) => ({
  deliveries: t.prismaConnection(
    {
      type: 'Delivery',
      cursor: 'id',
      description:
        "A webhook's deliveries, newest first; without webhookId, the project's across every webhook. since (included) and until (excluded) bound when the deliveries were created: not after each other, nor wider than the retention. totalCount counts rows (not the counters) when filtered by eventId or a window",
      args: {
        webhookId: t.arg.id(),
        status: t.arg({ type: DeliveryStatus }),
        eventType: t.arg.string(),
        eventId: t.arg.id({ description: "One event's deliveries" }),
        since: t.arg({ type: 'DateTime' }),
        until: t.arg({ type: 'DateTime' }),
      },
      resolve: (query, _root, args, ctx) => ctx.deliveries.list(ctx.principal, listFilter(args), query),
      totalCount: (_parent, args, ctx) => ctx.deliveries.count(ctx.principal, listFilter(args)),
    },
    {},
  ),
  delivery: t.prismaField({
    type: 'Delivery',
    args: { id: t.arg.id({ required: true }) },
    errors: { types: [NotFoundError, ForbiddenError], directResult: true },
    resolve: (query, _root, { id }, ctx) => ctx.deliveries.get(ctx.principal, String(id), query),
  }),
}));

function listFilter(args: {
  webhookId?: string | number | null;
  status?: DeliveryListFilter['status'] | null;
  eventType?: string | null;
  eventId?: string | number | null;
  since?: Date | null;
  until?: Date | null;
}): DeliveryListFilter {
  return {
    webhookId: args.webhookId == null ? undefined : String(args.webhookId),
    status: args.status ?? undefined,
    eventType: args.eventType ?? undefined,
    eventId: args.eventId == null ? undefined : String(args.eventId),
    since: args.since ?? undefined,
    until: args.until ?? undefined,
  };
}

builder.mutationFields((t) => ({
  retryDelivery: t.prismaField({
    type: 'Delivery',
    description: 'Attempts the delivery again now, whatever its state',
    args: { id: t.arg.id({ required: true }) },
    errors: { types: [NotFoundError, ForbiddenError], directResult: true },
    resolve: (query, _root, { id }, ctx) => ctx.deliveries.retry(ctx.principal, String(id), { selection: query }),
  }),
  testWebhook: t.prismaField({
    type: 'Delivery',
    description:
      'Sends a webhook.test event to this webhook alone, whatever its subscriptions or status (to a disabled webhook as a single attempt)',
    args: { id: t.arg.id({ required: true }) },
    errors: { types: [NotFoundError, ForbiddenError], directResult: true },
    resolve: (query, _root, { id }, ctx) => ctx.webhooks.test(ctx.principal, String(id), query),
  }),
}));
