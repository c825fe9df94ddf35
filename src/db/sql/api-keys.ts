// api_keys and projects: authenticating a key on every request, and managing keys.
import type { Queryable } from './queryable.js';

export type ApiKeyRow = {
  id: string;
  projectId: string;
  projectName: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: Date;
  revokedAt: Date | null;
};

/** The project, id and scopes of the unrevoked keys with these hashes, by hash (a hash missing names no such key). */
export async function activeKeysByHash(
  db: Queryable,
  hashes: readonly string[],
): Promise<Map<string, { projectId: string; apiKeyId: string; scopes: string[] }>> {
  const { rows } = await db.query<{ hash: string; project_id: string; id: string; scopes: string[] | null }>(
    'SELECT hash, project_id, id, scopes FROM api_keys WHERE hash = ANY($1::text[]) AND revoked_at IS NULL',
    [hashes],
  );
  return new Map(rows.map((row) => [row.hash, { projectId: row.project_id, apiKeyId: row.id, scopes: row.scopes ?? [] }]));
}

/** The project and scopes of the unrevoked key with this id (a token's minting key, its `sub`), or null: one primary-key lookup. */
export async function activeKeyById(db: Queryable, id: string): Promise<{ projectId: string; scopes: string[] } | null> {
  const { rows } = await db.query<{ project_id: string; scopes: string[] | null }>(
    'SELECT project_id, scopes FROM api_keys WHERE id = $1 AND revoked_at IS NULL',
    [id],
  );
  const [row] = rows;
  return row ? { projectId: row.project_id, scopes: row.scopes ?? [] } : null;
}

/** Whether a project with that id exists. */
export async function projectExists(db: Queryable, id: string): Promise<boolean> {
  const { rows } = await db.query<{ found: boolean }>('SELECT EXISTS (SELECT 1 FROM projects WHERE id = $1) AS found', [id]);
  return rows[0]!.found;
}

/** Those of `ids` that name no unrevoked key. */
export async function revokedOrMissingKeys(db: Queryable, ids: string[]): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    'SELECT id FROM unnest($1::text[]) AS s(id) WHERE NOT EXISTS (SELECT 1 FROM api_keys k WHERE k.id = s.id AND k.revoked_at IS NULL)',
    [ids],
  );
  return rows.map((row) => row.id);
}

/** The project of that name, created with `newId` when there is none; its id either way. */
export async function ensureProject(db: Queryable, name: string, newId: string): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO projects (id, name) VALUES ($1, $2)
     ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name
     RETURNING id`,
    [newId, name],
  );
  return rows[0]!.id;
}

export async function insertApiKey(
  db: Queryable,
  key: { id: string; projectId: string; name: string; prefix: string; hash: string; scopes: string[] },
): Promise<ApiKeyRow> {
  const { rows } = await db.query<{ created_at: Date; project_name: string }>(
    `INSERT INTO api_keys (id, project_id, name, prefix, hash, scopes) VALUES ($1, $2, $3, $4, $5, $6)
     RETURNING created_at, (SELECT name FROM projects WHERE id = $2) AS project_name`,
    [key.id, key.projectId, key.name, key.prefix, key.hash, key.scopes],
  );
  const row = rows[0]!;
  return { ...key, projectName: row.project_name, createdAt: row.created_at, revokedAt: null };
}

/** Which keys a listing shows: every key, a project's, or one by id. */
export type ApiKeyFilter = { projectId?: string; id?: string };

/** Keys, oldest first, with their project's name (never the key itself: only its hash is stored). */
export async function listApiKeys(db: Queryable, filter: ApiKeyFilter = {}): Promise<ApiKeyRow[]> {
  const { rows } = await db.query<{
    id: string;
    project_id: string;
    project_name: string;
    name: string;
    prefix: string;
    scopes: string[] | null;
    created_at: Date;
    revoked_at: Date | null;
  }>(
    `SELECT k.id, k.project_id, p.name AS project_name, k.name, k.prefix, k.scopes, k.created_at, k.revoked_at
     FROM api_keys k JOIN projects p ON p.id = k.project_id
     WHERE ($1::text IS NULL OR k.project_id = $1) AND ($2::text IS NULL OR k.id = $2)
     ORDER BY k.created_at, k.id`,
    [filter.projectId ?? null, filter.id ?? null],
  );
  return rows.map((row) => ({
    id: row.id,
    projectId: row.project_id,
    projectName: row.project_name,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes ?? [],
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  }));
}

/**
 * Revokes a key not revoked yet (a trigger NOTIFYs every API process), only in `projectId` when given; false when
 * there is no such key.
 */
export async function revokeApiKey(db: Queryable, id: string, projectId: string | null = null): Promise<boolean> {
  const { rowCount } = await db.query(
    'UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL AND ($2::text IS NULL OR project_id = $2)',
    [id, projectId],
  );
  return (rowCount ?? 0) > 0;
}

/**
 * Within a transaction: waits for any other process installing the first key, then says whether a key exists. Two
 * processes starting together thus never both install one.
 */
export async function anyApiKeyAfterBootstrapLock(tx: Queryable): Promise<boolean> {
  await tx.query(`SELECT pg_advisory_xact_lock(hashtext('aiplatform-webhooks:bootstrap'))`);
  const { rows } = await tx.query<{ any: boolean }>('SELECT EXISTS (SELECT 1 FROM api_keys) AS any');
  return rows[0]!.any;
}
