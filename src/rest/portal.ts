// POST /v1/portal-links: a link to the dashboard for the caller's project, signed in by a short-lived token in the
// URL fragment. Every rule lives in PortalService (src/app/portal.ts); this module maps HTTP to it.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Services } from '../app/services.js';
import { requestOrigin } from '../http/origin.js';
import { principalOf } from './auth.js';
import { portalLinkJson } from './serializers.js';
import { bodyErrors, CreatePortalLinkBody, errors, json, PortalLink } from './schemas.js';

export const portalRoutes =
  ({ portal }: Services): FastifyPluginAsyncZod =>
  async (app) => {
    app.post('/portal-links', {
      schema: {
        operationId: 'createPortalLink',
        summary: 'Make a customer portal link',
        description:
          "A link that opens the dashboard for the caller's project alone, signed in by an access token carried in the URL fragment. `read_only` may read webhooks, deliveries and jobs; `manage` may also change webhooks and retry deliveries. The caller must hold every scope of the mode (403 otherwise); the link works for `ttl_seconds` (60 to 86400).",
        tags: ['Tokens'],
        body: CreatePortalLinkBody,
        response: { 201: json('The link', PortalLink), ...errors(...bodyErrors) },
      },
      handler: async (req, reply) => {
        const { mode, ttl_seconds: ttlSeconds } = req.body;
        const link = await portal.createPortalLink(principalOf(req), { mode, ttlSeconds }, requestOrigin(req));
        return reply.code(201).send(portalLinkJson(link));
      },
    });
  };
