import type { FastifyReply, FastifyRequest } from 'fastify';
import { UNAUTHENTICATED_MESSAGE, type ApiAccess } from '../auth/access.js';
import { bearerToken, type Principal } from '../auth/api-keys.js';
import { rateLimitHeaders } from './rate-limit.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** A GraphQL-shaped error body with the UNAUTHENTICATED code, so both JSON and GraphQL clients understand it. */
export const unauthenticatedBody = {
  errors: [{ message: UNAUTHENTICATED_MESSAGE, extensions: { code: 'UNAUTHENTICATED' } }],
};

/** The GraphQL error of an operation over a limit, on every transport: code RATE_LIMITED and the seconds to wait. */
export const rateLimitedError = (refusal: { message: string; retryAfterSeconds: number }) => ({
  message: refusal.message,
  extensions: { code: 'RATE_LIMITED', retryAfterSeconds: refusal.retryAfterSeconds },
});

/**
 * Fastify hook for GraphQL over HTTP and SSE: authenticates the request and counts it against the key's GraphQL
 * limit, or answers 401 or 429. An SSE stream ends when its key is revoked.
 */
export const requireApiKey = (access: ApiAccess) => async (req: FastifyRequest, reply: FastifyReply) => {
  const outcome = await access.authorize(bearerToken(req.headers.authorization), req.ip, 'graphql');
  if ('refused' in outcome) {
    if (outcome.refused === 'unauthenticated') {
      return reply.code(401).header('www-authenticate', 'Bearer').send(unauthenticatedBody);
    }
    rateLimitHeaders(reply, outcome);
    return reply.code(429).send({ errors: [rateLimitedError(outcome)] });
  }
  if (outcome.limit) rateLimitHeaders(reply, outcome.limit);
  req.principal = outcome.principal;
  if (req.headers.accept?.includes('text/event-stream')) {
    const closed = access.openSession(outcome.principal.apiKeyId, () => reply.raw.destroy());
    reply.raw.once('close', closed);
  }
};
