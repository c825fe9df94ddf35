import type { FastifyReply, FastifyRequest } from 'fastify';
import { PROJECT_HEADER, UNAUTHENTICATED_MESSAGE, type ApiAccess, type Credentials } from '../auth/access.js';
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

/** What an HTTP request presents: `Authorization: Bearer <key or token>` and, for a platform key, `X-Project-Id`. */
export function credentialsOf(headers: FastifyRequest['headers']): Credentials {
  const project = headers[PROJECT_HEADER];
  return { key: bearerToken(headers.authorization), projectId: typeof project === 'string' ? project : null };
}

/** The GraphQL error of an operation over a limit, on every transport: code RATE_LIMITED and the seconds to wait. */
export const rateLimitedError = (refusal: { message: string; retryAfterSeconds: number }) => ({
  message: refusal.message,
  extensions: { code: 'RATE_LIMITED', retryAfterSeconds: refusal.retryAfterSeconds },
});

/**
 * Fastify hook for GraphQL over HTTP and SSE: authenticates the request and counts it against the key's GraphQL
 * limit, or answers 401 or 429. An SSE stream ends when its key is revoked or its token expires.
 */
export const requireApiKey = (access: ApiAccess) => async (req: FastifyRequest, reply: FastifyReply) => {
  const outcome = await access.authorize(credentialsOf(req.headers), req.ip, 'graphql');
  if ('refused' in outcome) {
    if (outcome.refused === 'unauthenticated') {
      const body = outcome.message ? { errors: [{ message: outcome.message, extensions: { code: 'UNAUTHENTICATED' } }] } : unauthenticatedBody;
      return reply.code(401).header('www-authenticate', 'Bearer').send(body);
    }
    if (outcome.refused === 'forbidden' || outcome.refused === 'unknown_project') {
      const [status, code] = outcome.refused === 'forbidden' ? [403, 'FORBIDDEN'] : [404, 'NOT_FOUND'];
      return reply.code(status).send({ errors: [{ message: outcome.message, extensions: { code } }] });
    }
    rateLimitHeaders(reply, outcome);
    return reply.code(429).send({ errors: [rateLimitedError(outcome)] });
  }
  if (outcome.limit) rateLimitHeaders(reply, outcome.limit);
  req.principal = outcome.principal;
  if (req.headers.accept?.includes('text/event-stream')) {
    const closed = access.openSession(outcome.principal, () => reply.raw.destroy());
    reply.raw.once('close', closed);
  }
};
