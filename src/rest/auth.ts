// `Authorization: Bearer <key>` on every REST route except those marked public (the OpenAPI document).
import type { FastifyRequest } from 'fastify';
import { bearerToken, type ApiKeyAuthenticator, type Principal } from '../auth/api-keys.js';
import { RestError } from './errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Served without an API key. */
    public?: boolean;
  }
}

export const authenticate = (apiKeys: ApiKeyAuthenticator) => async (req: FastifyRequest) => {
  if (req.routeOptions.config?.public) return;
  const principal = await apiKeys.authenticate(bearerToken(req.headers.authorization));
  if (!principal) {
    throw new RestError(401, 'unauthenticated', 'Missing or invalid API key: send the header "Authorization: Bearer <key>"');
  }
  req.principal = principal;
};

/** The authenticated caller; route handlers only run after `authenticate` succeeded. */
export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw new Error('REST route reached without an authenticated principal');
  return req.principal;
}
