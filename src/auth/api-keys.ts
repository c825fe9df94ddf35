// API keys: `aip_` + 43 base64url characters (32 random bytes). Only a SHA-256 hash is stored; the key is shown
// once. A key is scoped to one project.
import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { Db } from '../db/prisma.js';
import { newId } from '../lib/ids.js';

export type Principal = { projectId: string; apiKeyId: string };

const hashKey = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex');
const DEFAULT_PROJECT = 'default';

export const generateApiKey = () => `aip_${randomBytes(32).toString('base64url')}`;

/** Extracts the key from `Authorization: Bearer <key>`; null when the header is absent or malformed. */
export function bearerToken(header: string | undefined | null): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1] ?? null;
}

/** Checks the key of every request; being on every request's path, it reads with plain pg (see `createDatabase`). */
export class ApiKeyAuthenticator {
  constructor(private readonly pool: pg.Pool) {}

  /** The project a key belongs to, or null for an unknown or revoked key. */
  async authenticate(key: string | null): Promise<Principal | null> {
    if (!key) return null;
    const { rows } = await this.pool.query<Principal>(
      'SELECT project_id AS "projectId", id AS "apiKeyId" FROM api_keys WHERE hash = $1 AND revoked_at IS NULL',
      [hashKey(key)],
    );
    return rows[0] ?? null;
  }
}

/** Managing keys: creating, listing, revoking, and the first start's key. */
export class ApiKeyStore {
  constructor(private readonly db: Db) {}

  /** Creates a key for a project (created on demand); the returned key is the only copy. */
  async create(projectName: string, name = 'default', key = generateApiKey()) {
    const project = await this.db.project.upsert({
      where: { name: projectName },
      create: { id: newId('prj'), name: projectName },
      update: {},
    });
    const row = await this.db.apiKey.create({
      data: { id: newId('key'), projectId: project.id, name, prefix: key.slice(0, 8), hash: hashKey(key) },
    });
    return { key, apiKey: row, project };
  }

  list() {
    return this.db.apiKey.findMany({ include: { project: true }, orderBy: { createdAt: 'asc' } });
  }

  /** Returns false when no key has that id. */
  async revoke(id: string): Promise<boolean> {
    const { count } = await this.db.apiKey.updateMany({
      where: { id, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    return count > 0;
  }

  /**
   * On first start (no key at all): BOOTSTRAP_API_KEY becomes the default project's key, or a key is generated.
   * Returns the generated key so the caller can print it once; null when nothing was generated.
   */
  async bootstrap(bootstrapKey: string | undefined): Promise<{ generated: string | null; created: boolean }> {
    // An advisory lock keeps two processes starting together from both creating a key.
    return this.db.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('aiplatform-webhooks:bootstrap'))`;
      if ((await tx.apiKey.count()) > 0) return { generated: null, created: false };
      const key = bootstrapKey ?? generateApiKey();
      const project = await tx.project.upsert({
        where: { name: DEFAULT_PROJECT },
        create: { id: newId('prj'), name: DEFAULT_PROJECT },
        update: {},
      });
      await tx.apiKey.create({
        data: { id: newId('key'), projectId: project.id, name: 'bootstrap', prefix: key.slice(0, 8), hash: hashKey(key) },
      });
      return { generated: bootstrapKey ? null : key, created: true };
    });
  }
}
