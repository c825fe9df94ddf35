// The REST API under /v1: JSON in and out, API-key authentication, a per-key rate limit, schema validation, one
// error shape, and an OpenAPI document generated from the same schemas. Register with `{ prefix: '/v1' }`.
import type { FastifyPluginAsync } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ServerDeps } from '../http/server.js';
import { authenticate } from './auth.js';
import { deliveryRoutes } from './deliveries.js';
import { restErrorHandler, restNotFoundHandler } from './errors.js';
import { eventRoutes } from './events.js';
import { messageRoutes } from './messages.js';
import { openApiRoute, registerOpenApi } from './openapi.js';
import { projectRoutes } from './projects.js';
import { recoveryRoutes } from './recoveries.js';
import { portalRoutes } from './portal.js';
import { tokenRoutes } from './tokens.js';
import { webhookStatsRoutes } from './webhook-stats.js';
import { webhookRoutes } from './webhooks.js';


export const restRoutes =
  (deps: Pick<ServerDeps, 'access' | 'services'>): FastifyPluginAsync =>
  async (scope) => {
    const app = scope.withTypeProvider<ZodTypeProvider>();
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    app.setErrorHandler(restErrorHandler);
    app.setNotFoundHandler(restNotFoundHandler);

    // JSON only: anything else is a 415. An empty body counts as no body, so `-H "Content-Type: application/json"`
    // on a POST without data still works; the body schema decides whether a body is required.
    const parseJson = app.getDefaultJsonParser('error', 'error');
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
      if (body === '') return done(null, undefined);
      parseJson(req, body as string, done);
    });

    app.addHook('onRequest', authenticate(deps.access));
    await registerOpenApi(app);

    await app.register(webhookRoutes(deps.services));
    await app.register(webhookStatsRoutes(deps.services));
    await app.register(deliveryRoutes(deps.services));
    await app.register(messageRoutes(deps.services));
    await app.register(eventRoutes(deps.services));
    await app.register(recoveryRoutes(deps.services));
    await app.register(projectRoutes(deps.services));
    await app.register(tokenRoutes(deps.services));
    await app.register(portalRoutes(deps.services));
    openApiRoute(app);
  };
