// POST /v1/events and /v1/events/batch: publishing for backends that do not speak GraphQL, through the same
// EventService.
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Services } from '../app/services.js';
import { principalOf } from './auth.js';
import { publishedJson, publishOutcomeJson } from './serializers.js';
import { AcceptedEvent, bodyErrors, errors, json, PublishedEvents, PublishEventBody, PublishEventsBody } from './schemas.js';

type PublishEventItem = { event_type: string; data: Record<string, unknown>; idempotency_key?: string | null };
/** The publisher's W3C `traceparent`, continued by the publish's span when tracing is on. */
const traceOf = (req: FastifyRequest) => {
  const { traceparent } = req.headers;
  return { traceparent: typeof traceparent === 'string' ? traceparent : undefined };
};
const publishInput = ({ event_type: type, data, idempotency_key: idempotencyKey }: PublishEventItem) => ({ type, data, idempotencyKey });

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
        const published = await events.publish(principalOf(req), publishInput(req.body), traceOf(req));
        return reply.code(202).send(publishedJson(published));
      },
    });

    app.post('/events/batch', {
      schema: {
        operationId: 'publishEvents',
        summary: 'Publish several events',
        description:
          'Up to 100 events in one transaction, each checked and answered on its own (in the order sent): an item refused (422, or 409 for an idempotency key that names a different event) writes nothing and does not stop the others. The whole request is refused only when it is malformed or holds no event or more than 100.',
        tags: ['Events'],
        body: PublishEventsBody,
        response: { 200: json('Each event accepted or refused', PublishedEvents), ...errors(...bodyErrors) },
      },
      handler: async (req, reply) => {
        const outcomes = await events.publishMany(principalOf(req), req.body.events.map(publishInput), traceOf(req));
        return reply.code(200).send({ results: outcomes.map(publishOutcomeJson) });
      },
    });
  };
