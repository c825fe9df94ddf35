// A listener (`aiplatform-webhooks listen`): the `listen` subscription hands it a LISTEN webhook's deliveries as
// the requests to forward; `reportListenerResult` records how forwarding one went, as the delivery's attempt.
import { ForbiddenError, NotFoundError, ValidationError } from '../../app/errors.js';
import { LISTENER_ERROR_KINDS } from '../../delivery/listening/relay.js';
import type { ListenerMessage } from '../../delivery/listening/sessions.js';
import { builder } from '../builder.js';

type Request = Extract<ListenerMessage, { kind: 'request' }>;
type Ready = Extract<ListenerMessage, { kind: 'ready' }>;

const ListenerReady = builder.objectRef<Ready>('ListenerReady').implement({
  description: 'The listener is connected: requests waiting for the webhook, and each new one, come next',
  fields: (t) => ({ webhookId: t.exposeID('webhookId') }),
});

const ListenerRequest = builder.objectRef<Request>('ListenerRequest').implement({
  description:
    'A delivery as the request an HTTP destination would get: POST `body` with exactly `headers` (signed with the webhook\'s secret), then report with reportListenerResult within `timeoutMs`',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Names this request in reportListenerResult' }),
    webhookId: t.exposeID('webhookId'),
    deliveryId: t.exposeID('deliveryId'),
    eventId: t.exposeID('eventId'),
    eventType: t.exposeString('eventType'),
    headers: t.expose('headers', { type: 'JSON', description: 'Header names to values, as signed' }),
    body: t.exposeString('body', { description: 'The raw body, as signed' }),
    timeoutMs: t.exposeInt('timeoutMs', {
      description: 'How long the forward may take: a report after the attempt timeout is too late (recorded as TIMEOUT)',
    }),
  }),
});

const ListenerMessageType = builder.unionType('ListenerMessage', {
  types: [ListenerReady, ListenerRequest],
  resolveType: (message) => (message.kind === 'ready' ? ListenerReady : ListenerRequest),
});

const ListenerErrorKind = builder.enumType('ListenerErrorKind', {
  description: 'Why a forward got no answer from the local receiver',
  values: LISTENER_ERROR_KINDS,
});

const ListenerErrorInput = builder.inputType('ListenerErrorInput', {
  fields: (t) => ({
    kind: t.field({ type: ListenerErrorKind, required: true }),
    message: t.string({ required: true, description: 'At most 1,000 characters' }),
  }),
});

const ListenerResultInput = builder.inputType('ListenerResultInput', {
  description: 'How forwarding one ListenerRequest went: the local receiver\'s answer (`status`…), or `error` when there was none',
  fields: (t) => ({
    requestId: t.id({ required: true, description: 'The ListenerRequest id' }),
    durationMs: t.int({ required: true, description: 'From sending the request to the end of the answer (or the failure)' }),
    status: t.int({ description: "The receiver's HTTP status; leave out with error" }),
    headers: t.field({ type: 'JSON', description: 'The answer\'s headers, names to string values' }),
    body: t.string({ description: 'The answer\'s body, at most 65,536 characters (cut longer ones and set bodyTruncated)' }),
    bodyTruncated: t.boolean(),
    error: t.field({ type: ListenerErrorInput, description: 'No answer: why; leave out with status' }),
  }),
});

const ReportListenerResultPayload = builder.objectRef<{ requestId: string }>('ReportListenerResultPayload').implement({
  fields: (t) => ({ requestId: t.exposeID('requestId') }),
});

builder.subscriptionField('listen', (t) =>
  t.field({
    type: ListenerMessageType,
    description:
      "ListenerReady once listening, then a LISTEN webhook's deliveries, each as the request to forward: those waiting at once, then each new one. Several listeners on one webhook share them (each request goes to one). Needs deliveries:read",
    args: { webhookId: t.arg.id({ required: true }) },
    subscribe: (_root, { webhookId }, ctx) =>
      ctx.listeners.listen({ principal: ctx.principal, connection: ctx.connection }, String(webhookId)),
    resolve: (message) => message,
  }),
);

builder.mutationField('reportListenerResult', (t) =>
  t.field({
    type: ReportListenerResultPayload,
    description: "Records how forwarding a ListenerRequest went, as its delivery's attempt. Needs deliveries:write",
    args: { input: t.arg({ type: ListenerResultInput, required: true }) },
    errors: { types: [ValidationError, NotFoundError, ForbiddenError], directResult: true },
    resolve: (_root, { input }, ctx) =>
      ctx.listeners.report(ctx.principal, { ...input, requestId: String(input.requestId) }),
  }),
);
