import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { schema } from './schema/index.js';
import type { Context } from './context.js';
import { useDomainErrors } from './errors.js';
import { limitPlugins, type SchemaExposure } from './limits.js';

export type ServerContext = { req: FastifyRequest; reply: FastifyReply };
export type Yoga = YogaServerInstance<ServerContext, Context>;

/** Yoga serves GraphQL over HTTP (GET, POST) and subscriptions over SSE; graphql-ws reuses its envelop. */
export function createGraphQL(options: {
  graphiql: boolean;
  exposure: SchemaExposure;
  contextFor: (req: FastifyRequest) => Context;
  logger: FastifyRequest['log'];
}): Yoga {
  return createYoga<ServerContext, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    graphiql: options.graphiql && { title: 'AI Platform Webhooks', subscriptionsProtocol: 'WS' },
    landingPage: false,
    logging: options.logger,
    context: ({ req }) => options.contextFor(req),
    plugins: [...limitPlugins(options.exposure), useDomainErrors()],
    // One operation per request: batching would multiply every limit above.
    batching: false,
  });
}
