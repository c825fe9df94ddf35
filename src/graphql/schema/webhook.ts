import { ForbiddenError, NotFoundError, ValidationError } from '../../app/errors.js';
import type { Webhook as WebhookRow } from '../../generated/prisma/client.js';
import { DEFAULT_GRACE_PERIOD_SECONDS } from '../../webhooks/validation.js';
import { builder } from '../builder.js';

export const WebhookStatus = builder.enumType('WebhookStatus', {
  values: {
    ACTIVE: { description: 'Receives deliveries' },
    DISABLED: { description: 'Receives nothing until enabled again; see disabledReason' },
  } as const,
});

export const Webhook = builder.prismaObject('Webhook', {
  description: 'An endpoint that receives signed POSTs for the events it subscribes to.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'wh_ followed by 16 hex characters' }),
    url: t.exposeString('url'),
    events: t.exposeStringList('events', { description: 'Event types, wildcards such as vision.*, or *' }),
    description: t.exposeString('description', { nullable: true }),
    status: t.expose('status', { type: WebhookStatus }),
    disabledReason: t.exposeString('disabledReason', { nullable: true }),
    disabledAt: t.expose('disabledAt', { type: 'DateTime', nullable: true }),
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
    url: t.string({ required: true, description: 'Absolute http(s) URL, at most 2,048 characters' }),
    events: t.stringList({ required: true }),
    secret: t.string({
      description: 'Your own signing secret, 16 to 256 characters (a shorter one could be guessed offline); one is generated when omitted',
    }),
    description: t.string(),
    ...endpointControlFields(t),
  }),
});

const UpdateWebhookInput = builder.inputType('UpdateWebhookInput', {
  fields: (t) => ({
    url: t.string(),
    events: t.stringList(),
    description: t.string(),
    ...endpointControlFields(t),
  }),
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
