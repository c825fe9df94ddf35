import type { FastifyReply, FastifyRequest } from 'fastify';
import { bearerToken, type ApiKeyAuthenticator, type Principal } from '../auth/api-keys.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

const UNAUTHENTICATED_MESSAGE = 'Missing or invalid API key: send the header "Authorization: Bearer <key>"';

/** A GraphQL-shaped error body with the UNAUTHENTICATED code, so both JSON and GraphQL clients understand it. */
export const unauthenticatedBody = {
  errors: [{ message: UNAUTHENTICATED_MESSAGE, extensions: { code: 'UNAUTHENTICATED' } }],
};

/** Fastify hook: authenticates the request or answers 401. */
export const requireApiKey = (apiKeys: ApiKeyAuthenticator) => async (req: FastifyRequest, reply: FastifyReply) => {
  const principal = await apiKeys.authenticate(bearerToken(req.headers.authorization));
  if (!principal) return reply.code(401).header('www-authenticate', 'Bearer').send(unauthenticatedBody);
  req.principal = principal;
};
