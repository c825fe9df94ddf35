// POST /v1/tokens: a short-lived access token for a browser, minted by any key with a subset of its own scopes.
// Every rule lives in TokenService (src/app/tokens.ts); this module maps HTTP to it.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Services } from '../app/services.js';
import { principalOf } from './auth.js';
import { accessTokenJson } from './serializers.js';
import { AccessToken, bodyErrors, CreateAccessTokenBody, errors, json } from './schemas.js';

export const tokenRoutes =
  ({ tokens }: Services): FastifyPluginAsyncZod =>
  async (app) => {
    app.post('/tokens', {
      schema: {
        operationId: 'createAccessToken',
        summary: 'Mint a short-lived access token',
        description:
          "A signed token for `Authorization: Bearer` on every transport, with some of the caller's scopes (403 for a scope it lacks; never `platform`), optionally only for some jobs and webhooks, for `ttl_seconds` (at most 24 hours).",
        tags: ['Tokens'],
        body: CreateAccessTokenBody,
        response: { 201: json('The token', AccessToken), ...errors(...bodyErrors) },
      },
      handler: async (req, reply) => {
        const { scopes, job_ids: jobIds, webhook_ids: webhookIds, ttl_seconds: ttlSeconds } = req.body;
        const minted = await tokens.createAccessToken(principalOf(req), { scopes, jobIds, webhookIds, ttlSeconds });
        return reply.code(201).send(accessTokenJson(minted));
      },
    });
  };
