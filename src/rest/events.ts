// POST /v1/events: publishing for backends that do not speak GraphQL, through the same EventPublisher.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ValidationError } from '../lib/errors.js';
import type { Services } from './plugin.js';
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
        try {
          const published = await events.publish(principalOf(req).projectId, { type, data, idempotencyKey });
          return reply.code(202).send(publishedJson(published));
        } catch (error) {
          // The publisher names GraphQL's input field; the REST field is event_type.
          if (error instanceof ValidationError && error.field === 'type') {
            throw new ValidationError(`event_type: unknown event type "${type}"`, 'event_type');
          }
          throw error;
        }
      },
    });
  };
