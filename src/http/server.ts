// One HTTP server per API process: GraphQL (HTTP, SSE, graphql-ws) at /graphql, health probes, and later the
// REST routes, metrics and dashboard.
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import websocket from '@fastify/websocket';
import type { Scrape } from '../metrics/metrics.js';
import type { ApiAccess } from '../auth/access.js';
import type { Db } from '../db/prisma.js';
import type { Services } from '../app/services.js';
import { createGraphQL } from '../graphql/yoga.js';
import type { SchemaExposure } from '../graphql/limits.js';
import { requireApiKey } from './auth.js';
import { graphqlWsHandler } from './graphql-ws.js';
import { restRoutes } from '../rest/plugin.js';
import { dashboardRoutes, type PortalSettings } from './dashboard.js';
import { restFrameworkErrorHandler } from '../rest/errors.js';

export type ServerDeps = {
  logger: FastifyBaseLogger;
  /** Authentication and rate limits for every transport (src/auth/access.ts). */
  access: ApiAccess;
  /** The application services every transport calls; each request adds its principal. */
  services: Services;
  /** For the GraphQL Prisma plugin, which loads the relations a selection asks for. */
  db: Db;
  graphiql: boolean;
  /** Introspection and name suggestions, both off in production by default. */
  schemaExposure: SchemaExposure;
  /**
   * Bounds on slow clients: a connection that has not sent a request's headers within `headersMs`, or the whole
   * request within `requestMs`, is closed, as is a keep-alive connection idle for `keepAliveMs` after a response.
   * None applies to a response in progress (SSE) or to an upgraded socket (graphql-ws).
   */
  timeouts: { headersMs: number; requestMs: number; keepAliveMs: number };
  /** Largest request body accepted (413 beyond). */
  bodyLimit: number;
  /** What /metrics serves: this process's registry, or the whole process set's (src/metrics/metrics.ts). */
  metrics: Scrape;
  /** Resolves when the database answers and every migration is applied; throws with the reason otherwise. */
  checkReady: () => Promise<void>;
  /** The dashboard's name, accent colour and framing (PORTAL_*); the defaults when omitted. */
  portal?: PortalSettings;
};

export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,128}$/.test(given) ? given : crypto.randomUUID();
    },
    requestIdHeader: false,
    bodyLimit: deps.bodyLimit,
    frameworkErrors: restFrameworkErrorHandler,
    requestTimeout: deps.timeouts.requestMs,
    keepAliveTimeout: deps.timeouts.keepAliveMs,
    http: {
      // The headers are part of the request: Node refuses a headers timeout beyond the request timeout.
      headersTimeout: Math.min(deps.timeouts.headersMs, deps.timeouts.requestMs),
      // Node enforces both timeouts only when it checks its connections (every 30 s by default).
      connectionsCheckingInterval: Math.min(1_000, deps.timeouts.headersMs),
    },
  });
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/metrics', async (_req, reply) =>
    reply.type(deps.metrics.contentType).send(await deps.metrics.metrics()),
  );
  app.get('/readyz', async (_req, reply) => {
    try {
      await deps.checkReady();
      return { status: 'ready' };
    } catch (error) {
      return reply.code(503).send({ status: 'not ready', reason: (error as Error).message });
    }
  });

  const yoga = createGraphQL({
    graphiql: deps.graphiql,
    exposure: deps.schemaExposure,
    logger: app.log,
    contextFor: (req) => {
      if (!req.principal) throw new Error('GraphQL reached without an authenticated principal');
      // One graphql-ws socket shares its upgrade request across its operations: it identifies the connection.
      const { traceparent } = req.headers;
      return {
        ...deps.services,
        db: deps.db,
        principal: req.principal,
        connection: req,
        ...(typeof traceparent === 'string' && { traceparent }),
      };
    },
  });
  const authenticate = requireApiKey(deps.access);

  await app.register(websocket, { options: { maxPayload: 1_048_576 } });
  await app.register(async (scope) => {
    // GraphiQL's page itself is public; every operation needs a key.
    scope.addHook('onRequest', async (req, reply) => {
      const wantsPage = req.method === 'GET' && deps.graphiql && req.headers.accept?.includes('text/html');
      if (req.ws || wantsPage) return;
      return authenticate(req, reply);
    });
    // Errors raised before Yoga runs (a body too large) answer in GraphQL's error shape.
    scope.setErrorHandler((error: Error & { statusCode?: number; code?: string }, _req, reply) => {
      const status = error.statusCode ?? 500;
      const message = status < 500 ? error.message : 'Unexpected error.';
      return reply.code(status).send({ errors: [{ message, extensions: { code: error.code ?? 'INTERNAL_SERVER_ERROR' } }] });
    });
    const handler = async (req: FastifyRequest, reply: FastifyReply) => {
      const response = await yoga.handleNodeRequestAndResponse(req, reply, { req, reply });
      response.headers.forEach((value, key) => reply.header(key, value));
      reply.status(response.status);
      reply.send(response.body);
      return reply;
    };
    // @fastify/websocket takes upgrades on GET routes only, so GET carries both handlers.
    scope.route({ url: '/graphql', method: 'GET', handler, wsHandler: graphqlWsHandler(yoga, deps.access) });
    scope.route({ url: '/graphql', method: ['POST', 'OPTIONS'], handler });
  });
  await app.register(restRoutes(deps), { prefix: '/v1' });
  await dashboardRoutes(app, deps.portal ? { portal: deps.portal } : {});
  return app;
}
