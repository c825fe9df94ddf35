// Who may call the API, decided here once for every transport (REST, GraphQL over HTTP, SSE, graphql-ws):
// - a caller presents an API key (`aip_…`) or an access token minted with one (src/auth/tokens.ts), which acts for
//   that key: its sessions are the key's, and its requests count against the key's limit;
// - every request, and every graphql-ws operation, authenticates its key again (a revoked key is refused at once);
// - an address that presented too many bad keys is refused before the database is asked (`RequestLimits`);
// - each request or operation counts against its key's limit;
// - the long-lived sessions of a key (graphql-ws sockets, SSE streams) end as soon as the key is revoked, on every
//   API process: revoking a key, by whatever path, NOTIFYs `API_KEY_REVOKED_TOPIC` in the same transaction (a
//   trigger on api_keys, migration 20261202000000_api_key_revoked_notify), and every API process listens; a token's
//   sessions end too when it expires (a timer per session).
import type pg from 'pg';
import { isResync } from '../notify/pg-event-target.js';
import type { Admitted, RateLimited, RequestLimits, Surface } from '../http/rate-limit.js';
import type { ApiKeyAuthenticator, Principal } from './api-keys.js';
import { projectExists, revokedOrMissingKeys } from '../db/sql/api-keys.js';

/**
 * The live topic a revocation is announced on; its payload is the key's id as a JSON string. The migration's
 * trigger names the channel as `channelFor` does: `live_` and the first 40 hex digits of the topic's SHA-256.
 */
export const API_KEY_REVOKED_TOPIC = 'api-keys:revoked';

/** What every transport answers a request without a valid key or token. */
export const UNAUTHENTICATED_MESSAGE = 'Missing or invalid API key: send the header "Authorization: Bearer <key>"';
/** What every transport answers a request with an expired token. */
export const EXPIRED_TOKEN_MESSAGE = 'The access token has expired: mint a new one';

/** The header (REST, GraphQL over HTTP) and connection_init field (graphql-ws) by which a platform key picks a project. */
export const PROJECT_HEADER = 'x-project-id';

/** What a request presents: its key, and the project a platform key acts in when not its own. */
export type Credentials = { key: string | null; projectId?: string | null };

export type Refused =
  /** No valid key or token; `message` says more when there is more to say (an expired token). */
  | { refused: 'unauthenticated'; message?: string }
  | ({ refused: 'rate_limited' } & RateLimited)
  /** The key may not choose a project (`forbidden`), or the project it names does not exist (`unknown_project`). */
  | { refused: 'forbidden'; message: string }
  | { refused: 'unknown_project'; message: string };

export type Granted = { principal: Principal; limit: Admitted | null };

/** How long after a token's expiry its sessions end. */
const EXPIRY_MARGIN_MS = 5;

/** Why a session is ended: its key was revoked, or its token expired. */
export type SessionEnd = 'revoked' | 'expired';

/** Ends one open session (closes a socket, ends a stream). */
type EndSession = (why: SessionEnd) => void;

export class ApiAccess {
  private readonly sessions = new Map<string, Set<EndSession>>();

  constructor(
    private readonly authenticator: ApiKeyAuthenticator,
    private readonly limits: RequestLimits,
    private readonly pool: pg.Pool,
    private readonly onError: (error: unknown, what: string) => void,
  ) {}

  /**
   * Authenticates credentials presented from an address, without counting a request (a graphql-ws connection_init).
   * A platform key acts in the project the credentials name, or in its own; any other key only in its own.
   */
  async authenticate({ key, projectId }: Credentials, clientAddress: string): Promise<{ principal: Principal } | Refused> {
    const tooMany = await this.limits.authenticationRefused(clientAddress);
    if (tooMany) return { refused: 'rate_limited', ...tooMany };
    const principal = await this.authenticator.authenticate(key);
    if (principal === 'expired') return { refused: 'unauthenticated', message: EXPIRED_TOKEN_MESSAGE };
    if (!principal) {
      await this.limits.authenticationFailed(clientAddress);
      return { refused: 'unauthenticated' };
    }
    if (!projectId || projectId === principal.projectId) return { principal };
    if (!principal.scopes.includes('platform')) {
      return { refused: 'forbidden', message: `${PROJECT_HEADER} needs a key with the scope platform; this key acts in its own project only` };
    }
    if (!(await projectExists(this.pool, projectId))) {
      return { refused: 'unknown_project', message: `${PROJECT_HEADER}: no project with id ${projectId}` };
    }
    return { principal: { ...principal, projectId } };
  }

  /** Authenticates and counts one request or operation: what every transport calls before running anything. */
  async authorize(credentials: Credentials, clientAddress: string, surface: Surface): Promise<Granted | Refused> {
    const authenticated = await this.authenticate(credentials, clientAddress);
    if (!('principal' in authenticated)) return authenticated;
    const limit = await this.limits.admit(surface, authenticated.principal.apiKeyId);
    if (limit?.limited) return { refused: 'rate_limited', ...limit };
    return { principal: authenticated.principal, limit };
  }

  /**
   * Registers a session of a principal, ended by `end` should its key (a token's minting key) be revoked, or its
   * token expire; call the result once it closes.
   */
  openSession(principal: Principal, end: EndSession): () => void {
    const { apiKeyId, expiresAt } = principal;
    let set = this.sessions.get(apiKeyId);
    if (!set) this.sessions.set(apiKeyId, (set = new Set()));
    set.add(end);
    // A few milliseconds late rather than early (a timer may fire a millisecond before its time): once ended, the
    // token is refused.
    const expiry = expiresAt && setTimeout(() => end('expired'), Math.max(0, expiresAt.getTime() - Date.now()) + EXPIRY_MARGIN_MS);
    return () => {
      clearTimeout(expiry);
      set.delete(end);
      if (set.size === 0 && this.sessions.get(apiKeyId) === set) this.sessions.delete(apiKeyId);
    };
  }

  /** The listener for `API_KEY_REVOKED_TOPIC`; after a lost connection, re-checks every key with open sessions. */
  readonly onRevocation = (event: Event) => {
    const detail = (event as CustomEvent).detail;
    if (typeof detail === 'string') this.endSessions(detail);
    else if (isResync(detail)) this.recheckOpenSessions().catch((error) => this.onError(error, 'revoked keys: recheck failed'));
  };

  private endSessions(apiKeyId: string) {
    const set = this.sessions.get(apiKeyId);
    this.sessions.delete(apiKeyId);
    for (const end of set ?? []) end('revoked');
  }

  private async recheckOpenSessions() {
    const ids = [...this.sessions.keys()];
    if (!ids.length) return;
    for (const id of await revokedOrMissingKeys(this.pool, ids)) this.endSessions(id);
  }
}
