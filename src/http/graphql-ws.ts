// graphql-ws on the same path as HTTP GraphQL, executing through Yoga's envelop so plugins apply alike. Access is
// decided as on HTTP (src/auth/access.ts): every operation authenticates the socket's key again and counts against
// the key's GraphQL limit; the socket closes with 4403 once the key is refused or revoked, or its token expires.
import type { FastifyRequest } from 'fastify';
import type { WebSocket } from '@fastify/websocket';
import { makeHandler } from 'graphql-ws/use/@fastify/websocket';
import { GraphQLError, type DocumentNode, type ExecutionArgs } from 'graphql';
import type { ApiAccess, Credentials, SessionEnd } from '../auth/access.js';
import { bearerToken } from '../auth/api-keys.js';
import type { Yoga } from '../graphql/yoga.js';
import { credentialsOf, rateLimitedError, unauthenticatedBody } from './auth.js';

type Enveloped = ReturnType<Yoga['getEnveloped']>;

/** Close codes: a refused or revoked key (graphql-ws' Forbidden), and an address with too many bad keys. */
const FORBIDDEN = 4403;
const TOO_MANY_FAILED_AUTHENTICATIONS = 4429;
const CLOSE_REASONS: Record<SessionEnd, string> = { revoked: 'API key revoked', expired: 'Access token expired' };

export function graphqlWsHandler(yoga: Yoga, access: ApiAccess) {
  /** The credentials each socket authenticated with, checked again before each of its operations. */
  const credentials = new WeakMap<WebSocket, Credentials>();
  /**
   * Per socket, the last operation's access check: each waits for the one before, so a socket's operations are
   * admitted in the order they were sent (and one socket never has more than one check in flight).
   */
  const lastCheck = new WeakMap<WebSocket, Promise<unknown>>();
  return makeHandler<Record<string, unknown>, { request: FastifyRequest; socket: WebSocket }>({
    // The key comes in connection_init ({ authorization: "Bearer …", projectId? }) or, for non-browser clients, the
    // headers (Authorization, X-Project-Id).
    onConnect: async (ctx) => {
      const { request, socket } = ctx.extra;
      const fromHeaders = credentialsOf(request.headers);
      const { authorization, projectId } = ctx.connectionParams ?? {};
      const presented: Credentials = {
        key: typeof authorization === 'string' ? bearerToken(authorization) : fromHeaders.key,
        projectId: typeof projectId === 'string' ? projectId : fromHeaders.projectId,
      };
      const outcome = await access.authenticate(presented, request.ip);
      if ('refused' in outcome) {
        if (outcome.refused === 'rate_limited') socket.close(TOO_MANY_FAILED_AUTHENTICATIONS, outcome.message.slice(0, 120));
        if (outcome.refused === 'forbidden' || outcome.refused === 'unknown_project') socket.close(FORBIDDEN, outcome.message.slice(0, 120));
        return false; // closes with 4403 Forbidden (unless closed above)
      }
      credentials.set(socket, presented);
      request.principal = outcome.principal;
      const closed = access.openSession(outcome.principal, (why) => socket.close(FORBIDDEN, CLOSE_REASONS[why]));
      socket.once('close', closed);
      return true;
    },
    execute: (args) => (args.rootValue as Enveloped).execute(args),
    subscribe: (args) => (args.rootValue as Enveloped).subscribe(args),
    onSubscribe: async (ctx, _id, params) => {
      const { request: req, socket } = ctx.extra;
      const check = (lastCheck.get(socket) ?? Promise.resolve()).then(() =>
        access.authorize(credentials.get(socket) ?? { key: null }, req.ip, 'graphql'),
      );
      lastCheck.set(socket, check.catch(() => {}));
      const outcome = await check;
      if ('refused' in outcome) {
        if (outcome.refused === 'rate_limited') return [new GraphQLError(outcome.message, { extensions: rateLimitedError(outcome).extensions })];
        const why = outcome.refused === 'unauthenticated' && outcome.message ? 'expired' : 'revoked';
        setImmediate(() => socket.close(FORBIDDEN, CLOSE_REASONS[why])); // after this operation's error is sent
        const message = (outcome.refused === 'unauthenticated' && outcome.message) || unauthenticatedBody.errors[0]!.message;
        return [new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED' } })];
      }
      req.principal = outcome.principal;
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
