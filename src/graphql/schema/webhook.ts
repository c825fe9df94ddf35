import { ForbiddenError, NotFoundError, ValidationError } from '../../app/errors.js';
import { DEFAULT_PREVIEW_EVENTS, MAX_PREVIEW_EVENTS } from '../../app/webhooks.js';
import type { Event as EventRow, Webhook as WebhookRow } from '../../generated/prisma/client.js';
import { MAX_FILTER_BYTES, MAX_FILTER_DEPTH } from '../../webhooks/filter.js';
import { DEFAULT_GRACE_PERIOD_SECONDS } from '../../webhooks/validation.js';
import { builder } from '../builder.js';
import { Event } from './event.js';

const FILTER_DESCRIPTION =
  "A payload filter over the event's `data`: fields (objects descend, a plain value means `$eq`) and the operators " +
  '`$eq`, `$neq`, `$in`, `$nin`, `$gt`, `$gte`, `$lt`, `$lte`, `$exists`, `$startsWith`, `$endsWith`, `$and`, `$or`, ' +
  '`$not`, e.g. `{"problem_type": "MAXCUT", "result": {"approximation_ratio": {"$gte": 0.9}}}`; at most ' +
  `${MAX_FILTER_DEPTH} levels deep and ${MAX_FILTER_BYTES} bytes (pass it in a variable: a GraphQL literal cannot name ` +
  '`$` keys). The webhook receives only the events of its types that match';

export const WebhookStatus = builder.enumType('WebhookStatus', {
  values: {
    ACTIVE: { description: 'Receives deliveries' },
    DISABLED: { description: 'Receives nothing until enabled again; see disabledReason' },
  } as const,
});

export const WebhookKind = builder.enumType('WebhookKind', {
  description: "Where a webhook's deliveries go",
  values: {
    HTTP: { description: 'Signed POSTs to its url' },
    LISTEN: { description: 'Handed to a connected listener (`aiplatform-webhooks listen`), which forwards them' },
    PULL: { description: 'Kept in order to be pulled (`GET /v1/webhooks/{webhook_id}/messages`) and acknowledged' },
  } as const,
});

export const Webhook = builder.prismaObject('Webhook', {
  description: 'An endpoint that receives signed POSTs for the events it subscribes to.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'wh_ followed by 16 hex characters' }),
    kind: t.expose('kind', { type: WebhookKind }),
    url: t.exposeString('url', { nullable: true, description: 'Where deliveries are POSTed; null unless kind is HTTP' }),
    events: t.exposeStringList('events', { description: 'Event types, wildcards such as vision.*, or *' }),
    description: t.exposeString('description', { nullable: true }),
    status: t.expose('status', { type: WebhookStatus }),
    disabledReason: t.exposeString('disabledReason', { nullable: true }),
    disabledAt: t.expose('disabledAt', { type: 'DateTime', nullable: true }),
    filter: t.expose('filter', { type: 'JSON', nullable: true, description: `${FILTER_DESCRIPTION}; null: every one` }),
    rateLimitPerSecond: t.exposeInt('rateLimitPerSecond', {
      nullable: true,
      description: 'Deliveries started per second at most, across every worker; more wait their turn (null: no limit)',
    }),
    headerNames: t.exposeStringList('headerNames', {
      description: 'The custom headers sent with every attempt; their values are write-only (sealed at rest)',
    }),
    propagateTraceContext: t.exposeBoolean('propagateTraceContext', {
      description: "Whether attempts send the W3C traceparent of the delivery's trace to the receiver",
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

/** A webhook with its signing secret: returned only on creation and on rotation. */
const WebhookWithSecret = (name: string, description: string) =>
  builder.objectRef<{ webhook: WebhookRow; secret: string }>(name).implement({
    description,
    fields: (t) => ({
      webhook: t.field({ type: Webhook, resolve: (p) => p.webhook }),
      secret: t.exposeString('secret', {
        description: 'The full signing secret; store it now, it is not shown again',
      }),
    }),
  });

const CreateWebhookPayload = WebhookWithSecret('CreateWebhookPayload', 'The new webhook and its signing secret');
const RotateWebhookSecretPayload = WebhookWithSecret(
  'RotateWebhookSecretPayload',
  'The webhook and its new signing secret',
);

const DeleteWebhookPayload = builder.objectRef<{ deletedWebhookId: string }>('DeleteWebhookPayload').implement({
  fields: (t) => ({ deletedWebhookId: t.exposeID('deletedWebhookId') }),
});

const WebhookHeaderInput = builder.inputType('WebhookHeaderInput', {
  description: 'A custom header sent with every attempt',
  fields: (t) => ({
    name: t.string({ required: true, description: "An HTTP header name; not one the service sets itself, nor hop-by-hop" }),
    value: t.string({ description: "Printable ASCII, at most 2,048 characters; on update, null keeps this header's current value" }),
  }),
});

/** The endpoint controls, the same on create and update (see `EndpointControlsInput`). */
type SchemaTypes = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer Types> ? Types : never;
const endpointControlFields = (t: PothosSchemaTypes.InputFieldBuilder<SchemaTypes, 'InputObject'>) => ({
  rateLimitPerSecond: t.int({ description: 'Deliveries started per second at most, 1 to 1,000 (null: no limit)' }),
  headers: t.field({
    type: [WebhookHeaderInput],
    description: 'Custom headers, at most 20, replacing any set before (null or [] clears them)',
  }),
  propagateTraceContext: t.boolean({ description: 'Send the W3C traceparent to the receiver (default false)' }),
});

const CreateWebhookInput = builder.inputType('CreateWebhookInput', {
  fields: (t) => ({
    kind: t.field({ type: WebhookKind, description: 'HTTP unless given; fixed once created' }),
    url: t.string({ description: 'Absolute http(s) URL, at most 2,048 characters: required for HTTP, left out otherwise' }),
    events: t.stringList({ required: true }),
    secret: t.string({
      description: 'Your own signing secret, 16 to 256 characters (a shorter one could be guessed offline); one is generated when omitted',
    }),
    description: t.string(),
    filter: t.field({ type: 'JSON', description: `${FILTER_DESCRIPTION}; every one when omitted or null` }),
    ...endpointControlFields(t),
  }),
});

const UpdateWebhookInput = builder.inputType('UpdateWebhookInput', {
  fields: (t) => ({
    url: t.string({ description: 'An HTTP webhook only' }),
    events: t.stringList(),
    description: t.string(),
    filter: t.field({ type: 'JSON', description: `${FILTER_DESCRIPTION}; null clears it, omitted keeps it` }),
    ...endpointControlFields(t),
  }),
});

const FilterPreviewEvent = builder.objectRef<{ event: EventRow; matched: boolean }>('FilterPreviewEvent').implement({
  description: 'A recent event, and whether the filter matches it',
  fields: (t) => ({
    event: t.field({ type: Event, resolve: (p) => p.event }),
    matched: t.exposeBoolean('matched'),
  }),
});

const WebhookFilterPreview = builder
  .objectRef<{ events: { event: EventRow; matched: boolean }[] }>('WebhookFilterPreview')
  .implement({
    description: 'Which recent events a webhook would have received',
    fields: (t) => ({ events: t.field({ type: [FilterPreviewEvent], resolve: (p) => p.events }) }),
  });

builder.queryFields((t) => ({
  webhooks: t.prismaConnection(
    {
      type: 'Webhook',
      cursor: 'id',
      description: 'Your webhooks, newest first',
      resolve: (query, _root, _args, ctx) => ctx.webhooks.list(ctx.principal, query),
      totalCount: (_parent, _args, ctx) => ctx.webhooks.count(ctx.principal),
    },
    {},
  ),
  webhook: t.field({
    type: Webhook,
    args: { id: t.arg.id({ required: true }) },
    errors: { types: [NotFoundError, ForbiddenError], directResult: true },
    resolve: (_root, args, ctx) => ctx.webhooks.get(ctx.principal, String(args.id)),
  }),
  previewWebhookFilter: t.field({
    type: WebhookFilterPreview,
    description:
      "Which of the project's recent events a webhook with these `events` and `filter` would have received: the newest " +
      'events of those types, newest first, each with whether the filter matches (as it is decided when an event is published)',
    args: {
      filter: t.arg({ type: 'JSON', description: 'A filter as on a webhook; null: none' }),
      events: t.arg.stringList({ required: true, description: 'Event types, wildcards such as vision.*, or *' }),
      first: t.arg.int({ description: `How many events, 1 to ${MAX_PREVIEW_EVENTS}; ${DEFAULT_PREVIEW_EVENTS} when omitted` }),
    },
    errors: { types: [ValidationError, ForbiddenError], directResult: true },
    resolve: async (_root, args, ctx) => ({ events: await ctx.webhooks.previewFilter(ctx.principal, args) }),
  }),
}));

builder.mutationFields((t) => ({
  createWebhook: t.field({
    type: CreateWebhookPayload,
    args: { input: t.arg({ type: CreateWebhookInput, required: true }) },
    errors: { types: [ValidationError, ForbiddenError], directResult: true },
    resolve: (_root, { input }, ctx) => ctx.webhooks.create(ctx.principal, input),
  }),
  updateWebhook: t.field({
    type: Webhook,
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateWebhookInput, required: true }) },
    errors: { types: [ValidationError, NotFoundError, ForbiddenError], directResult: true },
    resolve: (_root, { id, input }, ctx) => ctx.webhooks.update(ctx.principal, String(id), input),
  }),
  deleteWebhook: t.field({
    type: DeleteWebhookPayload,
    args: { id: t.arg.id({ required: true }) },
    errors: { types: [NotFoundError, ForbiddenError], directResult: true },
    resolve: async (_root, { id }, ctx) => {
      const deleted = await ctx.webhooks.delete(ctx.principal, String(id));
      return { deletedWebhookId: deleted.id };
    },
  }),
  enableWebhook: t.field({
    type: Webhook,
    args: { id: t.arg.id({ required: true }) },
    errors: { types: [NotFoundError, ForbiddenError], directResult: true },
    resolve: (_root, { id }, ctx) => ctx.webhooks.enable(ctx.principal, String(id)),
  }),
  disableWebhook: t.field({
    type: Webhook,
    args: { id: t.arg.id({ required: true }) },
    errors: { types: [NotFoundError, ForbiddenError], directResult: true },
    resolve: (_root, { id }, ctx) => ctx.webhooks.disable(ctx.principal, String(id)),
  }),
  rotateWebhookSecret: t.field({
    type: RotateWebhookSecretPayload,
    args: {
      id: t.arg.id({ required: true }),
      gracePeriodSeconds: t.arg.int({
        defaultValue: DEFAULT_GRACE_PERIOD_SECONDS,
        description: 'How long deliveries stay signed with the old secret too',
      }),
    },
    errors: { types: [NotFoundError, ValidationError, ForbiddenError], directResult: true },
    resolve: (_root, { id, gracePeriodSeconds }, ctx) =>
      ctx.webhooks.rotateSecret(ctx.principal, String(id), gracePeriodSeconds ?? undefined),
  }),
}));
