// POST /v1/events: publishing for backends that do not speak GraphQL, through the same EventService.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Services } from '../app/services.js';
import { principalOf } from './auth.js';
import { publishedJson } from './serializers.js';
import { AcceptedEvent, bodyErrors, errors, json, PublishEventBody } from './schemas.js';

export const eventRoutes =
  ({ events }: Services): FastifyPluginAsyncZod =>
  async (app) => {
    app.post('/events', {
      schema: {
        operationId: 'publishEvent',
        summary: 'Publish an event',
        description:
          'Stores the event and queues one delivery per active webhook subscribed to its type, in one transaction. `data` is checked against the event type\'s documented fields.',
        tags: ['Events'],
        body: PublishEventBody,
        response: { 202: json('Accepted; deliveries are queued', AcceptedEvent), ...errors(409, ...bodyErrors) },
      },
      handler: async (req, reply) => {
        const { event_type: type, data, idempotency_key: idempotencyKey } = req.body;
        const { traceparent } = req.headers;
        const published = await events.publish(
          principalOf(req),
          { type, data, idempotencyKey },
          { traceparent: typeof traceparent === 'string' ? traceparent : undefined },
        );
        return reply.code(202).send(publishedJson(published));
      },
    });
  };
