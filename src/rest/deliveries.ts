// /v1/webhooks/{id}/deliveries: the spec's monitoring list (newest first, by offset or cursor, filtered by status
// or event type) and manual retry; /v1/deliveries, the project's deliveries across webhooks.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Services } from '../app/services.js';
import { principalOf } from './auth.js';
import { cursorPage, decodeCursor, instantOf } from './cursor.js';
import { DELIVERY_STATUS, deliveryJson, type RestDeliveryStatus } from './serializers.js';
import {
  Delivery,
  DeliveryList,
  DeliveryParams,
  DeliveryQuery,
  errors,
  json,
  ProjectDeliveryList,
  ProjectDeliveryQuery,
} from './schemas.js';

const tags = ['Deliveries'];

export const STATUS_FILTER = Object.fromEntries(Object.entries(DELIVERY_STATUS).map(([db, rest]) => [rest, db])) as Record<
  RestDeliveryStatus,
  keyof typeof DELIVERY_STATUS
>;

export const deliveryRoutes =
  ({ deliveries }: Services): FastifyPluginAsyncZod =>
  async (app) => {
    app.get('/webhooks/:id/deliveries', {
      schema: {
        operationId: 'listDeliveries',
        summary: "List a webhook's deliveries, newest first",
        description:
          'Page with `limit` and either `offset` or `cursor` (the previous page\'s `next_cursor`); filter by `status` and `event_type`. `total` counts every delivery matching the filters.',
        tags,
        params: DeliveryParams.pick({ id: true }),
        querystring: DeliveryQuery,
        response: { 200: json('A page of deliveries', DeliveryList), ...errors(404, 422) },
      },
      handler: async (req) => {
        const { limit, offset, cursor, status, event_type: eventType } = req.query;
        const olderThan = cursor === undefined ? undefined : decodeCursor(cursor);
        const page = await deliveries.pageOfWebhook(
          principalOf(req),
          { webhookId: req.params.id, status: status && STATUS_FILTER[status], eventType },
          { take: limit + 1, skip: offset ?? 0, olderThan },
        );
        const { items, nextCursor } = cursorPage(page.deliveries, limit);
        return {
          deliveries: items.map(deliveryJson),
          total: page.total,
          limit,
          ...(cursor === undefined && { offset: offset ?? 0 }),
          next_cursor: nextCursor,
        };
      },
    });

    app.get('/deliveries', {
      schema: {
        operationId: 'listProjectDeliveries',
        summary: "List the project's deliveries across webhooks, newest first",
        description:
          'Page with `limit` and `cursor` (the previous page\'s `next_cursor`); filter by `webhook_id`, `event_id`, `status`, `event_type`, and when they were created (`since` included, `until` excluded).',
        tags,
        querystring: ProjectDeliveryQuery,
        response: { 200: json('A page of deliveries', ProjectDeliveryList), ...errors(404, 422) },
      },
      handler: async (req) => {
        const { limit, cursor, webhook_id: webhookId, event_id: eventId, status, event_type: eventType, since, until } = req.query;
        const rows = await deliveries.list(
          principalOf(req),
          { webhookId, eventId, status: status && STATUS_FILTER[status], eventType, since: instantOf(since), until: instantOf(until) },
          { take: limit + 1, olderThan: cursor === undefined ? undefined : decodeCursor(cursor) },
        );
        const { items, nextCursor } = cursorPage(rows, limit);
        return { deliveries: items.map(deliveryJson), limit, next_cursor: nextCursor };
      },
    });

    app.post('/webhooks/:id/deliveries/:delivery_id/retry', {
      schema: {
        operationId: 'retryDelivery',
        summary: 'Retry a delivery now',
        description: 'Queues one more attempt whatever the delivery\'s state; the attempt is recorded like any other.',
        tags,
        params: DeliveryParams,
        response: { 202: json('The delivery, with its retry queued', Delivery), ...errors(404) },
      },
      handler: async (req, reply) => {
        const { id: webhookId, delivery_id: deliveryId } = req.params;
        return reply.code(202).send(deliveryJson(await deliveries.retry(principalOf(req), deliveryId, { webhookId })));
      },
    });
  };
