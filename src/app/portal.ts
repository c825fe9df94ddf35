// Portal links: a customer's team opens the dashboard for its project alone, signed in by a short-lived access token
// (src/app/tokens.ts) carried in the URL fragment (`/dashboard/#token=…`: a fragment is never sent to a server, so
// never to its logs). The mode decides the token's scopes; the caller must hold each (the grant rule of
// src/app/authorization.ts), so a link never reaches further than the key that made it.
import type { Principal } from '../auth/api-keys.js';
import { authorizeGrant, type Scope } from './authorization.js';
import { ValidationError } from './errors.js';
import { validateTtl, type TokenService } from './tokens.js';

export const PORTAL_MODES = ['manage', 'read_only'] as const;
export type PortalMode = (typeof PORTAL_MODES)[number];

const READ_ONLY_SCOPES = ['webhooks:read', 'deliveries:read', 'jobs:read'] as const satisfies readonly Scope[];

/** What a portal token may do, by mode: read_only reads; manage also writes webhooks and retries deliveries. */
export const PORTAL_SCOPES: Record<PortalMode, readonly Scope[]> = {
  read_only: READ_ONLY_SCOPES,
  manage: [...READ_ONLY_SCOPES, 'webhooks:write', 'deliveries:write'],
};

export const DEFAULT_PORTAL_TTL_SECONDS = 3_600;
export const MIN_PORTAL_TTL_SECONDS = 60;

export type CreatePortalLinkInput = { mode: string; ttlSeconds?: number | null };
export type PortalLink = { url: string; expiresAt: Date };

/** The dashboard's address under a base URL (PUBLIC_URL, or the request's origin). */
export const portalUrl = (baseUrl: string, token: string) =>
  `${baseUrl.replace(/\/+$/, '')}/dashboard/#token=${encodeURIComponent(token)}`;

export class PortalService {
  constructor(private readonly deps: { tokens: TokenService; publicUrl: string | undefined }) {}

  /**
   * A link to the dashboard for the caller's project, in `mode`, working for `ttlSeconds` (60 to 86400, 3600 when
   * omitted). `origin` is the request's, used when PUBLIC_URL is not set.
   */
  async createPortalLink(principal: Principal, input: CreatePortalLinkInput, origin: string): Promise<PortalLink> {
    if (!(PORTAL_MODES as readonly string[]).includes(input.mode)) {
      throw new ValidationError('mode', (f) => `${f} must be one of ${PORTAL_MODES.join(', ')}`);
    }
    const mode = input.mode as PortalMode;
    const ttl = validateTtl(input.ttlSeconds, { min: MIN_PORTAL_TTL_SECONDS, fallback: DEFAULT_PORTAL_TTL_SECONDS });
    const scopes = PORTAL_SCOPES[mode];
    authorizeGrant(principal, scopes, (scope) => `A ${mode} portal link puts the scope ${scope} in its token, which`);
    const { token, expiresAt } = await this.deps.tokens.createAccessToken(principal, { scopes, ttlSeconds: ttl });
    return { url: portalUrl(this.deps.publicUrl ?? origin, token), expiresAt };
  }
}
