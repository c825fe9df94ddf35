// graphql-ws on the same path as HTTP GraphQL, executing through Yoga's envelop so plugins apply alike.
import type { FastifyRequest } from 'fastify';
import type { WebSocket } from '@fastify/websocket';
import { makeHandler } from 'graphql-ws/use/@fastify/websocket';
import { GraphQLError, type DocumentNode, type ExecutionArgs } from 'graphql';
import { bearerToken, type ApiKeyAuthenticator } from '../auth/api-keys.js';
import type { Yoga } from '../graphql/yoga.js';

type Enveloped = ReturnType<Yoga['getEnveloped']>;

export function graphqlWsHandler(yoga: Yoga, apiKeys: ApiKeyAuthenticator) {
  return makeHandler<Record<string, unknown>, { request: FastifyRequest; socket: WebSocket }>({
    // The key comes in connection_init ({ authorization: "Bearer …" }) or, for non-browser clients, the header.
    onConnect: async (ctx) => {
      const fromPayload = ctx.connectionParams?.authorization;
      const header = typeof fromPayload === 'string' ? fromPayload : ctx.extra.request.headers.authorization;
      const principal = await apiKeys.authenticate(bearerToken(header));
      if (!principal) return false; // closes with 4403 Forbidden
      ctx.extra.request.principal = principal;
      return true;
    },
    execute: (args) => (args.rootValue as Enveloped).execute(args),
    subscribe: (args) => (args.rootValue as Enveloped).subscribe(args),
    onSubscribe: async (ctx, _id, params) => {
      const req = ctx.extra.request;
      const enveloped = yoga.getEnveloped({ req, reply: undefined, params, socket: ctx.extra.socket });
      let document: DocumentNode;
      try {
        document = enveloped.parse(params.query);
      } catch (error) {
        // A syntax error (or a document over the token limit) answers this operation, as on HTTP; the socket stays.
        if (error instanceof GraphQLError) return [error];
        throw error;
      }
      const args: ExecutionArgs = {
        schema: enveloped.schema,
        operationName: params.operationName ?? null,
        document,
        variableValues: params.variables ?? null,
        contextValue: await enveloped.contextFactory(),
        rootValue: enveloped,
      };
      const errors = enveloped.validate(args.schema, args.document);
      return errors.length ? errors : args;
    },
  });
}
