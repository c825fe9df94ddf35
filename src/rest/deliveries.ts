// /v1/webhooks/{id}/deliveries: the spec's monitoring list (newest first, by offset or cursor, filtered by status
// or event type) and manual retry.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Prisma } from '../generated/prisma/client.js';
import { countDeliveries, type DeliveryFilter } from '../delivery/read-model/delivery-counts.js';
import { NotFoundError } from '../lib/errors.js';
import type { Services } from './plugin.js';
import { principalOf } from './auth.js';
import { RestError } from './errors.js';
import { DELIVERY_STATUS, deliveryJson, type RestDeliveryStatus } from './serializers.js';
import { Delivery, DeliveryList, DeliveryParams, DeliveryQuery, errors, json } from './schemas.js';

const tags = ['Deliveries'];

const STATUS_FILTER = Object.fromEntries(Object.entries(DELIVERY_STATUS).map(([db, rest]) => [rest, db])) as Record<
  RestDeliveryStatus,
  keyof typeof DELIVERY_STATUS
>;

/** Opaque to clients: the (created_at, id) of the last delivery on a page, the key of the list's index. */
const encodeCursor = (d: { createdAt: Date; id: string }) =>
  Buffer.from(JSON.stringify([d.createdAt.toISOString(), d.id])).toString('base64url');

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    const createdAt = new Date(at as string);
    if (typeof at === 'string' && typeof id === 'string' && !Number.isNaN(createdAt.getTime())) return { createdAt, id };
  } catch {
    // answered below
  }
  throw new RestError(422, 'validation_failed', 'cursor: not a cursor from next_cursor', 'cursor');
}

export const deliveryRoutes =
  ({ db, webhooks, deliveries }: Services): FastifyPluginAsyncZod =>
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
        const { projectId } = principalOf(req);
        const webhook = await webhooks.get(projectId, req.params.id);
        const { limit, offset, cursor, status, event_type: eventType } = req.query;
        const where: DeliveryFilter = {
          projectId,
          webhookId: webhook.id,
          ...(status && { status: STATUS_FILTER[status] }),
          ...(eventType && { eventType }),
        };
        const after = cursor === undefined ? undefined : decodeCursor(cursor);
        const page: Prisma.DeliveryWhereInput = after
          ? { ...where, OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] }
          : where;
        const [rows, total] = await Promise.all([
          db.delivery.findMany({
            where: page,
            orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
            take: limit + 1,
            skip: offset ?? 0,
          }),
          countDeliveries(db, where),
        ]);
        const items = rows.slice(0, limit);
        const last = items.at(-1);
        return {
          deliveries: items.map(deliveryJson),
          total,
          limit,
          ...(cursor === undefined && { offset: offset ?? 0 }),
          next_cursor: rows.length > limit && last ? encodeCursor(last) : null,
        };
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
        const { projectId } = principalOf(req);
        const { id, delivery_id: deliveryId } = req.params;
        const delivery = await deliveries.get(projectId, deliveryId);
        if (delivery.webhookId !== id) throw new NotFoundError(`No delivery with id ${deliveryId} for webhook ${id}`);
        return reply.code(202).send(deliveryJson(await deliveries.retry(projectId, deliveryId)));
      },
    });
  };
