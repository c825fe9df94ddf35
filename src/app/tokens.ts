// Access tokens for browsers: any key (or token-holding caller) mints a short-lived token with a subset of its own
// scopes, optionally restricted to some jobs and webhooks. The token is signed by src/auth/tokens.ts; what it may
// then do is decided by the same services as for a key (src/app/authorization.ts, src/app/ownership.ts).
import type { Principal } from '../auth/api-keys.js';
import type { AccessTokens } from '../auth/tokens.js';
import { textProblem } from '../lib/text.js';
import { authorizeGrant, validateScopes } from './authorization.js';
import { ValidationError } from './errors.js';

export const DEFAULT_TOKEN_TTL_SECONDS = 900;
export const MAX_TOKEN_TTL_SECONDS = 86_400;
/** At most this many job ids, and as many webhook ids, in one token. */
export const MAX_TOKEN_IDS = 100;
const MAX_ID_LENGTH = 200;

export type CreateAccessTokenInput = {
  scopes: readonly string[];
  jobIds?: readonly string[] | null;
  webhookIds?: readonly string[] | null;
  ttlSeconds?: number | null;
};

export type AccessToken = { token: string; expiresAt: Date };

/** A list of ids: at most MAX_TOKEN_IDS, each non-empty storable text, without repeats; null when not given. */
function validateIds(field: string, ids: readonly string[] | null | undefined): string[] | undefined {
  if (ids == null) return undefined;
  if (ids.length > MAX_TOKEN_IDS) throw new ValidationError(field, (f) => `${f}: at most ${MAX_TOKEN_IDS} ids`);
  for (const [i, id] of ids.entries()) {
    const problem = id === '' ? 'must not be empty' : id.length > MAX_ID_LENGTH ? `at most ${MAX_ID_LENGTH} characters` : textProblem(id);
    if (problem) throw new ValidationError(`${field}.${i}`, (f) => `${f}: ${problem}`);
  }
  return [...new Set(ids)];
}

/** A token's lifetime in whole seconds, `min` to 24 hours; `fallback` when not given. */
export function validateTtl(ttlSeconds: number | null | undefined, { min, fallback }: { min: number; fallback: number }): number {
  const ttl = ttlSeconds ?? fallback;
  if (!Number.isInteger(ttl) || ttl < min || ttl > MAX_TOKEN_TTL_SECONDS) {
    throw new ValidationError('ttlSeconds', (f) => `${f} must be a whole number of seconds from ${min} to ${MAX_TOKEN_TTL_SECONDS} (24 hours)`);
  }
  return ttl;
}

export class TokenService {
  constructor(private readonly deps: { tokens: AccessTokens }) {}

  /**
   * A token for the caller's project with the given scopes, each one the caller holds (ForbiddenError naming the
   * first it lacks) and never `platform`; restricted to `jobIds` / `webhookIds` when given (the caller's own
   * restrictions narrow them further: a token never reaches more than the credential that minted it).
   */
  async createAccessToken(principal: Principal, input: CreateAccessTokenInput): Promise<AccessToken> {
    const scopes = validateScopes(input.scopes);
    if (scopes.includes('platform')) {
      throw new ValidationError('scopes', (f) => `${f}: platform cannot be put in a token; a token acts in one project`);
    }
    const ttlSeconds = validateTtl(input.ttlSeconds, { min: 1, fallback: DEFAULT_TOKEN_TTL_SECONDS });
    const jobIds = narrowed(validateIds('jobIds', input.jobIds), principal.jobIds);
    const webhookIds = narrowed(validateIds('webhookIds', input.webhookIds), principal.webhookIds);
    authorizeGrant(principal, scopes, (scope) => `Putting the scope ${scope} in a token`);
    const ceiling = principal.expiresAt ? Math.floor((principal.expiresAt.getTime() - Date.now()) / 1000) : Infinity;
    return this.deps.tokens.sign({
      apiKeyId: principal.apiKeyId,
      projectId: principal.projectId,
      scopes,
      jobIds,
      webhookIds,
      ttlSeconds: Math.max(1, Math.min(ttlSeconds, ceiling)),
    });
  }
}

/** The ids asked for, within the caller's own restriction (its list when none were asked for). */
function narrowed(asked: string[] | undefined, own: readonly string[] | undefined): string[] | undefined {
  if (own === undefined) return asked;
  return asked === undefined ? [...own] : asked.filter((id) => own.includes(id));
}
