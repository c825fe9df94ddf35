import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../app/errors.js';
import type { Event as EventRow } from '../../generated/prisma/client.js';
import { MAX_BATCH_EVENTS } from '../../app/events.js';
import type { PublishOutcome, Published } from '../../events/publisher.js';
import { followed, mayFollow } from '../../app/authorization.js';
import { ofWebhooksDeliveries } from '../../app/ownership.js';
import { jobEventPosition, type PositionedEvent } from '../../live/updates.js';
import { builder } from '../builder.js';
import { Delivery } from './delivery.js';

export const Event = builder.prismaObject('Event', {
  description: 'Something that happened to a job, as published; delivered to every matching webhook.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'evt_ followed by 16 hex characters' }),
    type: t.exposeString('type'),
    timestamp: t.expose('timestamp', { type: 'DateTime' }),
    data: t.expose('data', { type: 'JSON' }),
    position: t.string({
      nullable: true,
      description:
        "Where the event stands in its stream: in jobEvents, its job's; in webhookHealth, that subscription's. Pass it as `after` to resume right after it. Null for an event of no job outside webhookHealth",
      resolve: (event) => (event as Partial<PositionedEvent>).position ?? jobEventPosition(event),
    }),
    // Needs deliveries:read however the event was reached (src/app/authorization.ts, RELATION_SCOPES): loaded only
    // for a principal that may follow it, refused as FORBIDDEN otherwise; a token restricted to some webhooks sees
    // only their deliveries (src/app/ownership.ts).
    deliveries: t.field({
      type: [Delivery],
      description: 'One per webhook the event was sent to',
      select: (_args, ctx, nested) =>
        mayFollow(ctx.principal, 'Event.deliveries')
          ? { deliveries: nested({ where: ofWebhooksDeliveries(ctx.principal), orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }) }
          : {},
      resolve: (event, _args, ctx) => followed(ctx.principal, 'Event.deliveries', event.deliveries),
    }),
  }),
});

const PublishEventPayload = builder
  .objectRef<{ event: EventRow; deliveryCount: number }>('PublishEventPayload')
  .implement({
    fields: (t) => ({
      event: t.prismaField({
        type: 'Event',
        // The publisher returns the whole row: read again only when the selection asks for relations.
        resolve: (query, parent, _args, ctx) =>
          Object.keys(query).length === 0 ? parent.event : ctx.events.get(ctx.principal, parent.event.id, query),
      }),
      deliveryCount: t.exposeInt('deliveryCount', { description: 'How many webhooks will receive the event (this time)' }),
    }),
  });

const PublishEventInput = builder.inputType('PublishEventInput', {
  fields: (t) => ({
    type: t.string({ required: true, description: 'An event type from eventTypes, e.g. batch.progress' }),
    data: t.field({ type: 'JSON', required: true, description: "The event's payload; must include job_id" }),
    idempotencyKey: t.string({
      description: 'Publishing again with the same key within 24 h returns the first event and sends nothing',
    }),
  }),
});

const PublishEventsPayload = builder.objectRef<{ results: PublishOutcome[] }>('PublishEventsPayload').implement({
  fields: (t) => ({
    results: t.field({
      type: [PublishEventPayload],
      description: 'One per input, in input order: its event, or why it was refused',
      itemErrors: { types: [ValidationError, ConflictError], directResult: true, union: { name: 'PublishEventResult' } },
      // The errors plugin answers an item that is one of `itemErrors` as that union member; its typing knows only
      // the success shape, hence the cast.
      resolve: (payload) => payload.results as Published[],
    }),
  }),
});

builder.queryField('event', (t) =>
  t.prismaField({
    type: 'Event',
    args: { id: t.arg.id({ required: true }) },
    errors: { types: [NotFoundError, ForbiddenError], directResult: true },
    resolve: (query, _root, { id }, ctx) => ctx.events.get(ctx.principal, String(id), query),
  }),
);

builder.queryField('events', (t) =>
  t.prismaConnection(
    {
      type: 'Event',
      cursor: 'id',
      description:
        "The event log: the project's events, newest first, by type, job and when they were published (since included, until excluded: not after each other, nor wider than the retention). Needs deliveries:read",
      args: {
        type: t.arg.string(),
        jobId: t.arg.string(),
        since: t.arg({ type: 'DateTime' }),
        until: t.arg({ type: 'DateTime' }),
      },
      resolve: (query, _root, { type, jobId, since, until }, ctx) =>
        ctx.events.list(
          ctx.principal,
          { type: type ?? undefined, jobId: jobId ?? undefined, since: since ?? undefined, until: until ?? undefined },
          query,
        ),
    },
    {},
  ),
);

builder.mutationField('replayEvent', (t) =>
  t.field({
    type: PublishEventPayload,
    description:
      'Sends the event again: a new delivery to every active webhook subscribed to its type now; its earlier deliveries stay as they are',
    args: { id: t.arg.id({ required: true }) },
    errors: { types: [NotFoundError, ForbiddenError], directResult: true },
    resolve: (_root, { id }, ctx) => ctx.events.replay(ctx.principal, String(id)),
  }),
);

builder.mutationField('publishEvent', (t) =>
  t.field({
    type: PublishEventPayload,
    args: { input: t.arg({ type: PublishEventInput, required: true }) },
    errors: { types: [ValidationError, ConflictError, ForbiddenError], directResult: true },
    resolve: (_root, { input }, ctx) => ctx.events.publish(ctx.principal, input, { traceparent: ctx.traceparent }),
  }),
);

builder.mutationField('publishEvents', (t) =>
  t.field({
    type: PublishEventsPayload,
    description: `Up to ${MAX_BATCH_EVENTS} events in one transaction, each answered on its own: a refused item does not stop the others`,
    args: { events: t.arg({ type: [PublishEventInput], required: true }) },
    errors: { types: [ValidationError, ForbiddenError], directResult: true },
    resolve: async (_root, { events }, ctx) => ({
      results: await ctx.events.publishMany(ctx.principal, events, { traceparent: ctx.traceparent }),
    }),
  }),
);
