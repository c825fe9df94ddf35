// Short-lived access tokens: JWTs (HS256, jose) signed with a key of token_signing_keys, named by the `kid` header.
// Claims: `sub` the key that minted it, `pid` the project, `scp` its scopes, `jobs` / `whs` the job and webhook ids it
// is restricted to (when given), `iat`, `exp`, `jti`. A token authenticates while its signature verifies under an
// unretired key, it has not expired, and the key that minted it is not revoked (one lookup by primary key).
// The signing keys' secrets are stored sealed like webhook secrets (src/secrets/secret-box.ts); the first token
// creates the first key; `rotateKey` makes a new key current while the older ones still verify until retired.
import { randomBytes } from 'node:crypto';
import { decodeProtectedHeader, errors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type pg from 'pg';
import { activeKeyById } from '../db/sql/api-keys.js';
import {
  activeSigningKey,
  currentSigningKey,
  insertSigningKey,
  lockSigningKeys,
  retireSigningKeys,
  type SigningKeyRow,
} from '../db/sql/token-signing-keys.js';
import { inTransaction } from '../db/transaction.js';
import { newId } from '../lib/ids.js';
import type { SecretBox } from '../secrets/secret-box.js';
import type { Principal } from './api-keys.js';

const ALGORITHM = 'HS256';
/** How long this process keeps a signing key it read before reading it again (a rotation or retirement elsewhere). */
const KEY_CACHE_MS = 30_000;

/** What a token grants, as it is signed. */
export type TokenGrant = {
  apiKeyId: string;
  projectId: string;
  scopes: readonly string[];
  jobIds?: readonly string[] | undefined;
  webhookIds?: readonly string[] | undefined;
  ttlSeconds: number;
};

/** Why a presented token does not authenticate: `expired`, or anything else (malformed, foreign-signed, revoked key). */
export type TokenRefusal = 'expired' | 'invalid';

/**
 * Whether a bearer value is a token rather than an API key: not `aip_…`, and shaped as a JWT (three base64url
 * parts). Anything else is looked up as a key: BOOTSTRAP_API_KEY may be any string of 32 characters or more.
 */
export const isAccessToken = (bearer: string) => !bearer.startsWith('aip_') && /^[\w-]+\.[\w-]+\.[\w-]+$/.test(bearer);

type CachedKey = { id: string; secret: Uint8Array; readAt: number };

const stringList = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === 'string');

export class AccessTokens {
  private current: CachedKey | null = null;
  private readonly verifying = new Map<string, CachedKey>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly secrets: SecretBox,
    private readonly now: () => number = Date.now,
  ) {}

  /** Signs a token with the current signing key (created on first use). */
  async sign(grant: TokenGrant): Promise<{ token: string; expiresAt: Date }> {
    const key = await this.currentKey();
    const now = this.now();
    const issuedAt = Math.floor(now / 1000);
    // Claims are whole seconds: rounded up, so a token works for at least its TTL (and less than a second more).
    const expiresAt = Math.ceil(now / 1000) + grant.ttlSeconds;
    const token = await new SignJWT({
      pid: grant.projectId,
      scp: [...grant.scopes],
      ...(grant.jobIds && { jobs: [...grant.jobIds] }),
      ...(grant.webhookIds && { whs: [...grant.webhookIds] }),
    })
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT', kid: key.id })
      .setSubject(grant.apiKeyId)
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .setJti(newId('tok'))
      .sign(key.secret);
    return { token, expiresAt: new Date(expiresAt * 1000) };
  }

  /** The principal a token authenticates, or why it does not. */
  async verify(token: string): Promise<Principal | TokenRefusal> {
    let kid: unknown;
    try {
      ({ kid } = decodeProtectedHeader(token));
    } catch {
      return 'invalid';
    }
    if (typeof kid !== 'string') return 'invalid';
    const key = await this.verifyingKey(kid);
    if (!key) return 'invalid';
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key.secret, {
        algorithms: [ALGORITHM],
        currentDate: new Date(this.now()),
        requiredClaims: ['sub', 'exp', 'iat', 'jti'],
      }));
    } catch (error) {
      return error instanceof errors.JWTExpired ? 'expired' : 'invalid';
    }
    const { sub, pid, scp, jobs, whs, exp } = payload;
    if (typeof sub !== 'string' || typeof pid !== 'string' || !stringList(scp) || typeof exp !== 'number') return 'invalid';
    if ((jobs !== undefined && !stringList(jobs)) || (whs !== undefined && !stringList(whs))) return 'invalid';
    // The minting key: unrevoked, and still holding what it granted (a platform key holds every scope, everywhere).
    const minter = await activeKeyById(this.pool, sub);
    if (!minter) return 'invalid';
    const platform = minter.scopes.includes('platform');
    if (!platform && (minter.projectId !== pid || !scp.every((scope) => minter.scopes.includes(scope)))) return 'invalid';
    return {
      projectId: pid,
      apiKeyId: sub,
      scopes: scp,
      ...(jobs !== undefined && { jobIds: jobs }),
      ...(whs !== undefined && { webhookIds: whs }),
      expiresAt: new Date(exp * 1000),
    };
  }

  /** A new signing key, current from now on here (other processes within `KEY_CACHE_MS`); older keys still verify. */
  async rotateKey(): Promise<{ id: string }> {
    const key = await insertSigningKey(this.pool, this.newKey());
    this.current = this.cached(key);
    return { id: key.id };
  }

  /** Retires every key but the current one: tokens they signed stop working. Returns the retired keys' ids. */
  async retireOldKeys(): Promise<string[]> {
    const current = await this.currentKey();
    const retired = await retireSigningKeys(this.pool, current.id, new Date(this.now()));
    for (const id of retired) this.verifying.delete(id);
    return retired;
  }

  private fresh = (key: CachedKey | null | undefined): key is CachedKey => !!key && this.now() - key.readAt < KEY_CACHE_MS;

  private async currentKey(): Promise<CachedKey> {
    if (this.fresh(this.current)) return this.current;
    const row =
      (await currentSigningKey(this.pool)) ??
      (await inTransaction(this.pool, async (tx) => {
        await lockSigningKeys(tx);
        return (await currentSigningKey(tx)) ?? insertSigningKey(tx, this.newKey());
      }));
    return (this.current = this.cached(row));
  }

  private async verifyingKey(kid: string): Promise<CachedKey | null> {
    const known = this.verifying.get(kid);
    if (this.fresh(known)) return known;
    const row = await activeSigningKey(this.pool, kid);
    if (!row) {
      this.verifying.delete(kid);
      return null;
    }
    const key = this.cached(row);
    this.verifying.set(kid, key);
    return key;
  }

  private cached(row: SigningKeyRow): CachedKey {
    return { id: row.id, secret: Buffer.from(this.secrets.open(row.secret), 'base64url'), readAt: this.now() };
  }

  private newKey() {
    return { id: newId('tsk'), secret: this.secrets.seal(randomBytes(32).toString('base64url')) };
  }
}
