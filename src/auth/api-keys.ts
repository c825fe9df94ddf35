// API keys: `aip_` + 43 base64url characters (32 random bytes). Only a SHA-256 hash is stored; the key is shown
// once. A key is scoped to one project.
import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import { inTransaction } from '../db/transaction.js';
import {
  activeKeysByHash,
  anyApiKeyAfterBootstrapLock,
  ensureProject,
  insertApiKey,
  listApiKeys,
  revokeApiKey,
  type ApiKeyFilter,
  type ApiKeyRow,
} from '../db/sql/api-keys.js';
import type { Queryable } from '../db/sql/queryable.js';
import { newId } from '../lib/ids.js';
import { perTurn } from '../lib/per-turn.js';
import { PROJECT_SCOPES } from '../app/authorization.js';
import { isAccessToken, type AccessTokens } from './tokens.js';

/**
 * Who calls: the project every use case is scoped to (a platform key's may be chosen per request), the key that
 * authenticated the call (for a token, the key that minted it), and what it may do (src/app/authorization.ts). A
 * token (src/auth/tokens.ts) may restrict it to some jobs and webhooks (src/app/ownership.ts), and expires.
 */
export type Principal = {
  projectId: string;
  apiKeyId: string;
  scopes: readonly string[];
  /** Only these jobs (a token's `jobs`); every job of the project when absent. */
  jobIds?: readonly string[];
  /** Only these webhooks and their deliveries (a token's `whs`); every webhook of the project when absent. */
  webhookIds?: readonly string[];
  /** When the token expires; absent for an API key. */
  expiresAt?: Date;
};

/** A key as the principal it authenticates, in its own project. */
export const principalOfKey = (apiKey: Pick<ApiKeyRow, 'id' | 'projectId' | 'scopes'>): Principal => ({
  projectId: apiKey.projectId,
  apiKeyId: apiKey.id,
  scopes: apiKey.scopes,
});

const hashKey = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex');
const DEFAULT_PROJECT = 'default';

export const generateApiKey = () => `aip_${randomBytes(32).toString('base64url')}`;

/** Extracts the key from `Authorization: Bearer <key>`; null when the header is absent or malformed. */
export function bearerToken(header: string | undefined | null): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1] ?? null;
}

/**
 * Checks the credential of every request: an access token (a JWT), or else an API key. Every request looks its key
 * up again (a revoked key is refused at once); the lookups of one event-loop turn's requests are one statement.
 */
export class ApiKeyAuthenticator {
  private readonly keyByHash: (hash: string) => Promise<Principal | null>;

  constructor(
    pool: pg.Pool,
    private readonly tokens: AccessTokens,
  ) {
    this.keyByHash = perTurn(async (hashes: string[]) => {
      const found = await activeKeysByHash(pool, [...new Set(hashes)]);
      return hashes.map((hash) => found.get(hash) ?? null);
    });
  }

  /**
   * The principal of a key or token; null for none, an unknown or revoked key, or a token that is malformed,
   * foreign-signed or minted by a revoked key; `expired` for an expired token.
   */
  async authenticate(bearer: string | null): Promise<Principal | 'expired' | null> {
    if (!bearer) return null;
    if (!isAccessToken(bearer)) return this.keyByHash(hashKey(bearer));
    const verified = await this.tokens.verify(bearer);
    return verified === 'invalid' ? null : verified;
  }
}

/** Managing keys: creating, listing, revoking, and the first start's key. */
export class ApiKeyStore {
  constructor(private readonly pool: pg.Pool) {}

  /**
   * Creates a key for a project (created on demand) with the given scopes (every project scope by default); the
   * returned key is the only copy.
   */
  async create(
    projectName: string,
    name = 'default',
    scopes: readonly string[] = PROJECT_SCOPES,
    key = generateApiKey(),
  ): Promise<{ key: string; apiKey: ApiKeyRow }> {
    return { key, apiKey: await installKey(this.pool, projectName, name, scopes, key) };
  }

  /**
   * Creates a key in an existing project (by id); the returned key is the only copy. `db`: a transaction's client,
   * to write it with something else (its audit entry).
   */
  async createInProject(
    projectId: string,
    name: string,
    scopes: readonly string[] = PROJECT_SCOPES,
    db: Queryable = this.pool,
  ): Promise<{ key: string; apiKey: ApiKeyRow }> {
    const key = generateApiKey();
    return { key, apiKey: await insertKey(db, projectId, name, scopes, key) };
  }

  /** Every key, or those the filter names (a project's, one by id), oldest first. */
  list(filter: ApiKeyFilter = {}, db: Queryable = this.pool): Promise<ApiKeyRow[]> {
    return listApiKeys(db, filter);
  }

  /** Returns false when no unrevoked key has that id (in `projectId`, when given). */
  revoke(id: string, projectId?: string, db: Queryable = this.pool): Promise<boolean> {
    return revokeApiKey(db, id, projectId ?? null);
  }

  /**
   * On first start (no key at all): BOOTSTRAP_API_KEY becomes the platform's key (acting in the default project
   * unless a request names another), or such a key is generated.
   * Returns the generated key so the caller can print it once; null when nothing was generated.
   */
  bootstrap(bootstrapKey: string | undefined): Promise<{ generated: string | null; created: boolean }> {
    return inTransaction(this.pool, async (tx) => {
      if (await anyApiKeyAfterBootstrapLock(tx)) return { generated: null, created: false };
      const key = bootstrapKey ?? generateApiKey();
      await installKey(tx, DEFAULT_PROJECT, 'bootstrap', ['platform'], key);
      return { generated: bootstrapKey ? null : key, created: true };
    });
  }
}

async function installKey(
  db: Queryable,
  projectName: string,
  name: string,
  scopes: readonly string[],
  key: string,
): Promise<ApiKeyRow> {
  return insertKey(db, await ensureProject(db, projectName, newId('prj')), name, scopes, key);
}

function insertKey(db: Queryable, projectId: string, name: string, scopes: readonly string[], key: string): Promise<ApiKeyRow> {
  return insertApiKey(db, { id: newId('key'), projectId, name, prefix: key.slice(0, 8), hash: hashKey(key), scopes: [...scopes] });
}
