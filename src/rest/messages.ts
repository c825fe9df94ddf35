// /v1/webhooks/{id}/messages: a PULL webhook's receiver reads its messages (long polling with `wait`) and
// acknowledges them. The rules are MessageService's (src/app/messages.ts); a client that goes away ends its wait.
// REST only, on purpose: a long poll is one HTTP request held open, which a GraphQL query should not be; GraphQL
// clients follow a webhook's deliveries with the `deliveryUpdates` subscription, and the typed client pulls over
// these routes (client/src/pull.ts).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Services } from '../app/services.js';
import { principalOf } from './auth.js';
import { messageJson } from './serializers.js';
import { AcknowledgeBody, Acknowledged, bodyErrors, errors, json, MessageList, MessageQuery, WebhookParams } from './schemas.js';

const tags = ['Messages'];

export const messageRoutes =
  ({ messages }: Services): FastifyPluginAsyncZod =>
  async (app) => {
    app.get('/webhooks/:id/messages', {
      schema: {
        operationId: 'readMessages',
        summary: "Read a pull webhook's messages",
        description:
          'The messages after `after` (from the oldest unacknowledged one without it), in order, each with the headers and exact body an HTTP receiver would get, signed now. With `wait`, answers as soon as one is stored, or after `wait` seconds with none. Read again with `next_cursor`; messages stay until acknowledged or past retention. A cursor that is malformed, of another webhook, or older than retention is refused (422 naming `after`). A waiting read holds one of the caller\'s subscription slots (429 beyond them).',
        tags,
        params: WebhookParams,
        querystring: MessageQuery,
        response: { 200: json('Messages, oldest first, and where to read next', MessageList), ...errors(404, 409, 422) },
      },
      handler: async (req, reply) => {
        // The response closing before it was sent: the client went away.
        const gone = new AbortController();
        reply.raw.on('close', () => gone.abort());
        const page = await messages.read({ principal: principalOf(req), connection: req.raw.socket }, req.params.id, {
          after: req.query.after,
          limit: req.query.limit,
          wait: req.query.wait,
          signal: gone.signal,
        });
        return { messages: page.messages.map(messageJson), next_cursor: page.nextCursor };
      },
    });

    app.post('/webhooks/:id/messages/ack', {
      schema: {
        operationId: 'acknowledgeMessages',
        summary: "Acknowledge a pull webhook's messages up to a cursor",
        description:
          'Every message up to `cursor`, inclusive, is delivered: its delivery becomes `success` and it is never returned again. Idempotent.',
        tags,
        params: WebhookParams,
        body: AcknowledgeBody,
        response: { 200: json('How many messages were settled', Acknowledged), ...errors(404, 409, ...bodyErrors) },
      },
      handler: async (req) => messages.acknowledge(principalOf(req), req.params.id, req.body.cursor),
    });
  };
