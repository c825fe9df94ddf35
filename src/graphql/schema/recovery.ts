// Bulk recovery: start one for a webhook's window (`recoverDeliveries`), follow it (`recovery`). Every rule lives in
// RecoveryService (src/app/recoveries.ts).
import { ForbiddenError, NotFoundError, ValidationError } from '../../app/errors.js';
import { builder } from '../builder.js';
import { DeliveryStatus } from './delivery.js';

const RecoveryState = builder.enumType('RecoveryState', {
  values: {
    RUNNING: { description: 'Queuing the matching deliveries for another attempt, a batch a second' },
    COMPLETED: { description: 'Every matching delivery was queued; each attempt shows on its delivery' },
  } as const,
});

builder.prismaObject('Recovery', {
  description: "The deliveries of one webhook's window attempted again, at a bounded rate",
  fields: (t) => ({
    id: t.exposeID('id', { description: 'rcv_ followed by 16 hex characters' }),
    webhook: t.relation('webhook'),
    since: t.expose('since', { type: 'DateTime', description: 'Deliveries created from then (included)' }),
    until: t.expose('until', { type: 'DateTime', description: 'to then (excluded)' }),
    statuses: t.expose('statuses', { type: [DeliveryStatus], description: 'with one of these statuses' }),
    total: t.exposeInt('total', { description: 'How many deliveries matched when the recovery was asked for' }),
    requeued: t.exposeInt('requeued', { description: 'How many have been queued for another attempt so far' }),
    state: t.expose('state', { type: RecoveryState }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    completedAt: t.expose('completedAt', { type: 'DateTime', nullable: true }),
  }),
});

const RecoverDeliveriesInput = builder.inputType('RecoverDeliveriesInput', {
  fields: (t) => ({
    since: t.field({ type: 'DateTime', required: true, description: 'Deliveries created from then (included)' }),
    until: t.field({
      type: 'DateTime',
      required: true,
      description: 'to then (excluded); not before since, and at most the retention after it',
    }),
    statuses: t.field({ type: [DeliveryStatus], description: 'With one of these statuses; FAILED when omitted' }),
  }),
});

builder.queryField('recovery', (t) =>
  t.prismaField({
    type: 'Recovery',
    args: { id: t.arg.id({ required: true }) },
    errors: { types: [NotFoundError, ForbiddenError], directResult: true },
    resolve: (_query, _root, { id }, ctx) => ctx.recoveries.get(ctx.principal, String(id)),
  }),
);

builder.mutationField('recoverDeliveries', (t) =>
  t.prismaField({
    type: 'Recovery',
    description:
      "Attempts again every delivery of the webhook created in the window with one of the statuses, in the background at RECOVERY_RATE_PER_SECOND; the same window and statuses again answer the same recovery",
    args: {
      webhookId: t.arg.id({ required: true }),
      input: t.arg({ type: RecoverDeliveriesInput, required: true }),
    },
    errors: { types: [ValidationError, NotFoundError, ForbiddenError], directResult: true },
    resolve: (_query, _root, { webhookId, input }, ctx) =>
      ctx.recoveries.recover(ctx.principal, String(webhookId), {
        since: input.since,
        until: input.until,
        statuses: input.statuses ?? undefined,
      }),
  }),
);
