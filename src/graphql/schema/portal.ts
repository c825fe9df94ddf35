// Customer portal links: the dashboard for the caller's project, signed in by a token in the URL fragment. Every
// rule lives in PortalService (src/app/portal.ts).
import { ForbiddenError, ValidationError } from '../../app/errors.js';
import type { PortalLink } from '../../app/portal.js';
import { requestOrigin } from '../../http/origin.js';
import { builder } from '../builder.js';

const PortalLinkPayload = builder.objectRef<PortalLink>('PortalLinkPayload').implement({
  description: 'A customer portal link; it stops working at expiresAt, or when the key that made it is revoked',
  fields: (t) => ({
    url: t.exposeString('url', { description: "The dashboard for the caller's project, its token in the fragment (#token=…)" }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
  }),
});

const PortalMode = builder.enumType('PortalMode', {
  description: 'What a portal link may do',
  values: {
    MANAGE: { value: 'manage', description: 'Read, change webhooks, and retry deliveries' },
    READ_ONLY: { value: 'read_only', description: 'Read webhooks, deliveries and jobs only' },
  } as const,
});

const CreatePortalLinkInput = builder.inputType('CreatePortalLinkInput', {
  fields: (t) => ({
    mode: t.field({ type: PortalMode, required: true }),
    ttlSeconds: t.int({ description: 'How long the link works, 60 to 86400 seconds; 3600 when omitted' }),
  }),
});

builder.mutationFields((t) => ({
  createPortalLink: t.field({
    type: PortalLinkPayload,
    description: "Makes a link to the dashboard for the caller's project (the caller must hold every scope of the mode)",
    args: { input: t.arg({ type: CreatePortalLinkInput, required: true }) },
    errors: { types: [ValidationError, ForbiddenError], directResult: true },
    resolve: (_root, { input }, ctx) =>
      ctx.portal.createPortalLink(ctx.principal, { mode: input.mode, ttlSeconds: input.ttlSeconds }, requestOrigin(ctx.connection)),
  }),
}));
