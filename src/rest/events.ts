// /v1/events: publishing (one event or a batch) for backends that do not speak GraphQL, the event log, and replaying
// an event, through the same EventService.
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Services } from '../app/services.js';
import { principalOf } from './auth.js';
import { cursorPage, decodeCursor, instantOf } from './cursor.js';
import { eventJson, publishedJson, publishOutcomeJson } from './serializers.js';
import {
  AcceptedEvent,
  bodyErrors,
  errors,
  EventList,
  EventParams,
  EventQuery,
  json,
  PublishedEvents,
  PublishEventBody,
  PublishEventsBody,
} from './schemas.js';

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

    app.get('/events', {
      schema: {
        operationId: 'listEvents',
        summary: "The event log: the project's events, newest first",
        description:
          'Page with `limit` and `cursor` (the previous page\'s `next_cursor`); filter by `event_type`, `job_id`, and when they were published (`since` included, `until` excluded).',
        tags: ['Events'],
        querystring: EventQuery,
        response: { 200: json('A page of events', EventList), ...errors(422) },
      },
      handler: async (req) => {
        const { limit, cursor, event_type: type, job_id: jobId, since, until } = req.query;
        const rows = await events.list(
          principalOf(req),
          { type, jobId, since: instantOf(since), until: instantOf(until) },
          { take: limit + 1, olderThan: cursor === undefined ? undefined : decodeCursor(cursor) },
        );
        const { items, nextCursor } = cursorPage(rows, limit, (e) => ({ createdAt: e.timestamp, id: e.id }));
        return { events: items.map(eventJson), limit, next_cursor: nextCursor };
      },
    });

    app.post('/events/:event_id/replay', {
      schema: {
        operationId: 'replayEvent',
        summary: 'Send an event again',
        description:
          'Queues a new delivery of the event to every active webhook subscribed to its type now; its earlier deliveries stay as they are. `delivery_count` says how many.',
        tags: ['Events'],
        params: EventParams,
        response: { 202: json('Accepted; deliveries are queued', AcceptedEvent), ...errors(404) },
      },
      handler: async (req, reply) => reply.code(202).send(publishedJson(await events.replay(principalOf(req), req.params.event_id))),
    });
  };
