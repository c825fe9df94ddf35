// Short-lived access tokens for browsers: any key mints one with a subset of its own scopes. Every rule lives in
// TokenService (src/app/tokens.ts).
import { ForbiddenError, ValidationError } from '../../app/errors.js';
import type { AccessToken } from '../../app/tokens.js';
import { builder } from '../builder.js';

const AccessTokenPayload = builder.objectRef<AccessToken>('AccessTokenPayload').implement({
  description: 'A short-lived token; it stops working at expiresAt, or when the key that minted it is revoked',
  fields: (t) => ({
    token: t.exposeString('token', {
      description: 'For Authorization: Bearer (HTTP, SSE) and the authorization of graphql-ws connection_init',
    }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
  }),
});

const CreateAccessTokenInput = builder.inputType('CreateAccessTokenInput', {
  fields: (t) => ({
    scopes: t.stringList({ required: true, description: "What the token may do: scopes the caller's key holds, never platform" }),
    jobIds: t.idList({ description: 'Only these jobs (their state and live progress), at most 100; every job when omitted' }),
    webhookIds: t.idList({ description: 'Only these webhooks and their deliveries, at most 100; every webhook when omitted' }),
    ttlSeconds: t.int({ description: 'How long the token works, 1 to 86400 seconds; 900 when omitted' }),
  }),
});

builder.mutationFields((t) => ({
  createAccessToken: t.field({
    type: AccessTokenPayload,
    description: "Mints a short-lived access token with some of the caller's scopes (any key may)",
    args: { input: t.arg({ type: CreateAccessTokenInput, required: true }) },
    errors: { types: [ValidationError, ForbiddenError], directResult: true },
    resolve: (_root, { input }, ctx) =>
      ctx.tokens.createAccessToken(ctx.principal, {
        scopes: input.scopes,
        jobIds: input.jobIds?.map(String),
        webhookIds: input.webhookIds?.map(String),
        ttlSeconds: input.ttlSeconds,
      }),
  }),
}));
