// GET /v1/webhooks/{id}/stats?window=1h|24h|7d: a webhook's stats, from WebhookStatsService (src/app/webhook-stats.ts).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Services } from '../app/services.js';
import { principalOf } from './auth.js';
import { errors, json, REST_STATS_WINDOWS, WebhookParams, WebhookStats, WebhookStatsQuery } from './schemas.js';
import { webhookStatsJson } from './serializers.js';

export const webhookStatsRoutes =
  ({ webhookStats }: Services): FastifyPluginAsyncZod =>
  async (app) => {
    app.get('/webhooks/:id/stats', {
      schema: {
        operationId: 'getWebhookStats',
        summary: "A webhook's stats",
        description:
          'Attempts, successes, success rate and p50/p95 response times over the last hour, day or week, with the consecutive failures and the last success and failure now. Kept as attempts are recorded, never recounted.',
        tags: ['Webhooks'],
        params: WebhookParams,
        querystring: WebhookStatsQuery,
        response: { 200: json("The webhook's stats", WebhookStats), ...errors(404, 422) },
      },
      handler: async (req) => {
        const { window } = req.query;
        const stats = await webhookStats.get(principalOf(req), req.params.id, REST_STATS_WINDOWS[window]);
        return webhookStatsJson(req.params.id, window, stats);
      },
    });
  };
