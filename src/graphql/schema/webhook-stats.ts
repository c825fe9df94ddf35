// Webhook.stats(window): a webhook's stats over the last hour, day or week, from WebhookStatsService
// (src/app/webhook-stats.ts), which needs webhooks:read however the webhook was reached (a refusal is a GraphQL error
// with `extensions.code` FORBIDDEN).
import type { StatsWindow as StatsWindowValue, WebhookStats as WebhookStatsValue } from '../../webhooks/stats.js';
import { builder } from '../builder.js';

export const StatsWindow = builder.enumType('StatsWindow', {
  description: 'A window of stats, ending now; `since` in the stats says exactly where it starts',
  values: {
    HOUR: { description: 'The current minute and the 60 before it' },
    DAY: { description: 'The current hour and the 24 before it' },
    WEEK: { description: 'The current hour and the 168 before it' },
  } as const satisfies Record<StatsWindowValue, { description: string }>,
});

const WebhookStats = builder.objectRef<WebhookStatsValue>('WebhookStats').implement({
  description:
    "A webhook's attempts over a window, kept as they are recorded (every attempt counts: scheduled, retried by hand, test), and its health now",
  fields: (t) => ({
    window: t.field({ type: StatsWindow, resolve: (s) => s.window }),
    since: t.expose('since', { type: 'DateTime', description: 'Where the window starts' }),
    attempts: t.exposeInt('attempts'),
    successes: t.exposeInt('successes', { description: 'Attempts answered with a 2xx' }),
    failures: t.exposeInt('failures'),
    successRate: t.exposeFloat('successRate', { nullable: true, description: 'Successes over attempts, 0 to 1; null without attempts' }),
    p50ResponseTimeMs: t.exposeInt('p50ResponseTimeMs', {
      nullable: true,
      description: 'Median response time (errors and timeouts included), within 12%; null without attempts',
    }),
    p95ResponseTimeMs: t.exposeInt('p95ResponseTimeMs', { nullable: true, description: '95th percentile, within 12%' }),
    consecutiveFailures: t.exposeInt('consecutiveFailures', { description: 'Failed attempts since the last success, whatever the window' }),
    lastSuccessAt: t.expose('lastSuccessAt', { type: 'DateTime', nullable: true, description: 'When the newest successful attempt started' }),
    lastFailureAt: t.expose('lastFailureAt', { type: 'DateTime', nullable: true, description: 'When the newest failed attempt started' }),
  }),
});

builder.prismaObjectField('Webhook', 'stats', (t) =>
  t.field({
    type: WebhookStats,
    description: 'Attempts, success rate and response times over the window, and the health now; needs webhooks:read',
    args: { window: t.arg({ type: StatsWindow, required: true }) },
    resolve: (webhook, { window }, ctx) => ctx.webhookStats.get(ctx.principal, webhook.id, window),
  }),
);
