// `Authorization: Bearer <key or access token>` on every REST route except those marked public (the OpenAPI document), and the
// key's REST rate limit (src/http/rate-limit.ts).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { UNAUTHENTICATED_MESSAGE, type ApiAccess } from '../auth/access.js';
import type { Principal } from '../auth/api-keys.js';
import { credentialsOf } from '../http/auth.js';
import { rateLimitHeaders } from '../http/rate-limit.js';
import { RestError } from './errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Served without an API key, and not counted against any limit. */
    public?: boolean;
  }
}

export const authenticate = (access: ApiAccess) => async (req: FastifyRequest, reply: FastifyReply) => {
  if (req.routeOptions.config?.public) return;
  const outcome = await access.authorize(credentialsOf(req.headers), req.ip, 'rest');
  if ('refused' in outcome) {
    if (outcome.refused === 'unauthenticated') {
      throw new RestError(401, 'unauthenticated', outcome.message ?? UNAUTHENTICATED_MESSAGE);
    }
    if (outcome.refused === 'forbidden') throw new RestError(403, 'forbidden', outcome.message, 'x-project-id');
    if (outcome.refused === 'unknown_project') throw new RestError(404, 'not_found', outcome.message, 'x-project-id');
    rateLimitHeaders(reply, outcome);
    throw new RestError(429, 'rate_limited', outcome.message);
  }
  if (outcome.limit) rateLimitHeaders(reply, outcome.limit);
  req.principal = outcome.principal;
};

/** The authenticated caller; route handlers only run after `authenticate` succeeded. */
export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw new Error('REST route reached without an authenticated principal');
  return req.principal;
}
