// Live updates over graphql-ws and SSE. Each subscription sends the last known state at once, then every change;
// job subscriptions complete after the job's terminal event. Everything is scoped to the caller's project.
// jobEvents, deliveryUpdates and webhookHealth are resumable: every message's `position`, passed back as `after`, resumes exactly
// after that message (src/live/positions.ts); batchProgress and trainingProgress always start with the current state.
import type { LiveCaller } from '../../app/ownership.js';
import { builder } from '../builder.js';
import type { Context } from '../context.js';
import { Delivery } from './delivery.js';
import { Event } from './event.js';
import { BatchProgress, TrainingProgress } from './job.js';

const caller = (ctx: Context): LiveCaller => ({ principal: ctx.principal, connection: ctx.connection });

const AFTER =
  "A message's `position`: resume exactly after that message (every message after it, none twice). A position of " +
  'another stream or project, or older than retention, is refused with a BAD_USER_INPUT error, never read as "from now"';

builder.subscriptionFields((t) => {
  /** A job's progress, as one type shows it: the same stream of states, whichever kind the job is. */
  const progress = (type: typeof BatchProgress | typeof TrainingProgress, description: string) =>
    t.field({
      type,
      description,
      args: { jobId: t.arg.id({ required: true }) },
      subscribe: (_root, { jobId }, ctx) => ctx.jobs.states(caller(ctx), String(jobId)),
      resolve: (state) => state,
    });
  return {
    batchProgress: progress(
      BatchProgress,
      'A batch job: its current state at once (also on every resubscription), then each change (coalesced for a slow client); completes after its terminal event',
    ),
    trainingProgress: progress(
      TrainingProgress,
      'A training job: its current state at once (also on every resubscription), then each round (coalesced for a slow client); completes after its terminal event',
    ),
    jobEvents: t.field({
      type: Event,
      description:
        "A job's events in publish order. Without `after`: its latest event at once, then each new one; of consecutive progress events a slow client has not taken yet, only the last is sent. With `after`: every event after that position, none left out. Completes after the terminal event.",
      args: { jobId: t.arg.id({ required: true }), after: t.arg.string({ description: AFTER }) },
      subscribe: (_root, { jobId, after }, ctx) => ctx.jobs.events(caller(ctx), String(jobId), after ?? undefined),
      resolve: (event) => event,
    }),
    deliveryUpdates: t.field({
      type: Delivery,
      description:
        "A webhook's deliveries as they change, in commit order, each as it is then (a slow client gets a delivery's latest state, not every state it passed). Without `after`: its latest change at once. With `after`: each delivery changed after that position, once, as it is now.",
      args: { webhookId: t.arg.id({ required: true }), after: t.arg.string({ description: AFTER }) },
      subscribe: (_root, { webhookId, after }, ctx) => ctx.deliveries.updates(caller(ctx), String(webhookId), after ?? undefined),
      resolve: (delivery) => delivery,
    }),
    webhookHealth: t.field({
      type: Event,
      description:
        "The project's operational events (webhook.failing, webhook.disabled, delivery.exhausted, webhook.recovered), or one webhook's, in commit order. Without `after`: the latest at once, then each one as it is published. With `after`: every one after that position, none left out (a position resumes only a subscription with the same `webhookId`).",
      args: {
        webhookId: t.arg.id({ required: false, description: 'Only the events about this webhook' }),
        after: t.arg.string({ description: AFTER }),
      },
      subscribe: (_root, { webhookId, after }, ctx) =>
        ctx.webhookHealth.follow(caller(ctx), webhookId == null ? undefined : String(webhookId), after ?? undefined),
      resolve: (event) => event,
    }),
  };
});
