// Per-API-key request limits, shared by the REST and GraphQL scopes (each scope counts its own requests).
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';

export type RateLimitSettings = { max: number; windowMs: number };

/**
 * Registers the limit on a scope whose `onRequest` hooks authenticate first, so requests are counted per API key.
 * `errorBody` shapes the 429 answer for the API at hand.
 */
export async function limitPerApiKey(
  scope: FastifyInstance,
  settings: RateLimitSettings,
  errorBody: (message: string) => object,
) {
  if (settings.max === 0) return;
  const window = `${settings.windowMs / 1000} s`;
  await scope.register(rateLimit, {
    max: settings.max,
    timeWindow: settings.windowMs,
    keyGenerator: (req) => req.principal?.apiKeyId ?? req.ip,
    errorResponseBuilder: (_req, context) =>
      errorBody(`Rate limit exceeded: at most ${context.max} requests per ${window} per API key; retry in ${context.after}`),
  });
}
